/**
 * OpenAI-compatible pass-through: /v1/chat/completions, /v1/completions, /v1/models,
 * forwarded to the active provider (or the one named in X-AiCockpit-Provider), so the
 * official `openai` client pointed at this backend works unchanged. Stream chunks are
 * forwarded as the service sent them; a client that disconnects aborts the upstream call.
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { AppError, toAppError } from "../errors";
import { SseWriter, abortOnClose } from "../sse";

const PROVIDER_HEADER = "x-aicockpit-provider";

function providerFrom(req: Request): string | undefined {
  const h = req.headers[PROVIDER_HEADER];
  return typeof h === "string" && h.trim() !== "" ? h.trim() : undefined;
}

function requestBody(req: Request, required: "messages" | "prompt"): Record<string, unknown> {
  const b: unknown = req.body;
  if (typeof b !== "object" || b === null || Array.isArray(b)) throw new AppError("BAD_REQUEST", "Send a JSON object body (Content-Type: application/json).");
  const body = b as Record<string, unknown>;
  if (!(required in body)) throw new AppError("BAD_REQUEST", `The request body needs "${required}".`);
  return body;
}

export function openaiRouter(ctx: AppContext): Router {
  const r = Router();

  const forward = (path: "/chat/completions" | "/completions", required: "messages" | "prompt") =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      let body: Record<string, unknown>;
      try {
        body = requestBody(req, required);
      } catch (err) {
        next(err);
        return;
      }
      const ac = abortOnClose(res);
      const providerId = providerFrom(req);
      if (body.stream !== true) {
        try {
          const { text } = await ctx.llm.forwardJson(path, body, providerId, ac.signal);
          res.status(200).type("application/json").send(text);
        } catch (err) {
          if (!ac.signal.aborted) next(err);
        }
        return;
      }
      const out = new SseWriter(res);
      try {
        for await (const ev of ctx.llm.forwardStream(path, body, providerId, ac.signal)) {
          if (ev.done) break;
          out.data(ev.data, ev.event);
        }
        // Also closes streams from servers that end without [DONE]; OpenAI clients expect it.
        out.done();
      } catch (err) {
        if (ac.signal.aborted) return; // the client left; nobody to tell
        const e = toAppError(err);
        if (!out.headersSent) next(e);
        else out.error(e);
      }
    };

  r.post("/v1/chat/completions", forward("/chat/completions", "messages"));
  r.post("/v1/completions", forward("/completions", "prompt"));
  r.get("/v1/models", async (req, res, next) => {
    const ac = abortOnClose(res);
    try {
      res.json(await ctx.llm.forwardModels(providerFrom(req), ac.signal));
    } catch (err) {
      if (!ac.signal.aborted) next(err);
    }
  });
  return r;
}
