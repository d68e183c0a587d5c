/** `POST /api/complete` and `POST /api/complete/feedback` (contract: server/api/completion.ts). */
import { Router } from "express";
import type { AppContext } from "../../context";
import { CompletionEngine, type CompletionUpstream, type EngineObserver } from "../../completion/engine";
import { CompletionFeedbackSchema, CompletionRequestSchema } from "../../api/schemas/completion";
import type { LlmService } from "../../llm/service";
import type { CompletionMetrics } from "../../completion/metrics";
import { parseBody } from "../../validate";
import { route } from "../route";

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
    // The embedded model fills in the middle with its own FIM tokens (prompt + suffix).
    nativeFim: () => llm.active()?.kind === "local",
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

export function completionRouter(
  ctx: AppContext,
  engine = new CompletionEngine(llmUpstream(ctx.llm), {}, metricsObserver(ctx.metrics.completion)),
): Router {
  const r = Router();
  route(r, "POST /api/complete", (req, signal) =>
    engine.complete(parseBody(CompletionRequestSchema, req.body), signal),
  );
  route(r, "POST /api/complete/feedback", (req) => engine.feedback(parseBody(CompletionFeedbackSchema, req.body)));
  return r;
}
