/** `POST /api/complete` and `POST /api/complete/feedback` (contract: server/api/completion.ts). */
import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { CompletionFeedback, CompletionRequest } from "../../api/completion";
import { CompletionEngine, type CompletionUpstream, type EngineObserver } from "../../completion/pipeline";
import { TEMPLATE_NAMES } from "../../completion/templates";
import type { LlmService } from "../../llm/service";
import type { CompletionMetrics } from "../../completion/metrics";
import { parseBody } from "../validate";
import { abortOnClose } from "../sse";

export const CompletionRequestSchema = z.object({
  filepath: z.string().min(1).max(4096),
  languageId: z.string().min(1).max(100),
  prefix: z.string().max(2_000_000),
  suffix: z.string().max(2_000_000),
  snippets: z
    .array(z.object({ filepath: z.string().min(1).max(4096), content: z.string().max(1_000_000) }))
    .max(50)
    .optional(),
  multiline: z.enum(["auto", "always", "never"]).optional(),
  template: z.enum(TEMPLATE_NAMES).optional(),
  workspaceRoot: z.string().min(1).max(4096).optional(),
  relativePath: z.string().min(1).max(4096).optional(),
  ignorePatterns: z.array(z.string().max(4096)).max(1000).optional(),
  documentId: z.string().min(1).max(4096).optional(),
  timeoutMs: z.number().int().min(50).max(30_000).optional(),
});

export const FeedbackSchema = z.object({
  id: z.string().min(1).max(100),
  outcome: z.enum(["accepted", "rejected"]),
});

/** Ollama's default port or an `ollama` host name: Ollama applies the model's FIM template to prompt + suffix. */
export function looksLikeOllama(baseUrl: string): boolean {
  try {
    const u = new URL(baseUrl);
    return u.port === "11434" || /ollama/i.test(u.hostname);
  } catch {
    return false;
  }
}

export function llmUpstream(llm: LlmService): CompletionUpstream {
  return {
    model: () => llm.active()?.model ?? null,
    appliesFimTemplate: () => {
      const a = llm.active();
      return a !== null && a.kind === "custom" && looksLikeOllama(llm.registry.resolve(a.id).baseUrl);
    },
    complete: (p, signal) => llm.streamCompletion(p, signal),
    chat: (p, signal) => llm.streamChat(p, signal),
  };
}

export function metricsObserver(m: CompletionMetrics): EngineObserver {
  return {
    started: () => m.upstreamRunning.inc(),
    ended: (outcome) => {
      m.upstreamRunning.dec();
      m.upstream.inc({ outcome });
    },
    served: (source, shown) => m.requests.inc({ source, shown: String(shown) }),
    feedback: (outcome) => m.feedback.inc({ outcome }),
  };
}

export function completionRouter(ctx: AppContext, engine = new CompletionEngine(llmUpstream(ctx.llm), {}, metricsObserver(ctx.metrics.completion))): Router {
  const r = Router();
  r.post("/api/complete", async (req, res, next) => {
    try {
      const body: CompletionRequest = parseBody(CompletionRequestSchema, req.body);
      // The editor cancels by closing the connection; that must stop the model too.
      const ac = abortOnClose(res);
      const out = await engine.complete(body, ac.signal);
      if (!ac.signal.aborted) res.json(out);
    } catch (err) {
      if (res.writableEnded || res.destroyed) return;
      next(err);
    }
  });
  r.post("/api/complete/feedback", (req, res, next) => {
    try {
      const body: CompletionFeedback = parseBody(FeedbackSchema, req.body);
      res.json(engine.feedback(body));
    } catch (err) {
      next(err);
    }
  });
  return r;
}
