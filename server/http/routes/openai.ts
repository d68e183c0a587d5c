/**
 * OpenAI-compatible pass-through: /v1/chat/completions, /v1/completions, /v1/models,
 * forwarded to the active provider (or the one named in X-AiCockpit-Provider), so the
 * official `openai` client pointed at this backend works unchanged. Stream chunks are
 * forwarded as the service sent them; a client that disconnects aborts the upstream call.
 */
import { Router, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { AppError, toAppError } from "../errors";
import { SseWriter, abortOnClose } from "../sse";
import { loopYielder } from "../../event-loop";
import { readJsonBody } from "../json-body";
import { log } from "../../log";

const PROVIDER_HEADER = "x-aicockpit-provider";

/**
 * On /v1 the caller is an OpenAI client, which picks its exception class from the status
 * (401 → AuthenticationError, 404 → NotFoundError) and retries 409/429/5xx by itself.
 * We already retried what was worth retrying, so we say so with `x-should-retry: false`
 * (honoured by the official SDKs) instead of letting each client multiply the attempts.
 */
const GATEWAY_STATUS: Partial<Record<AppError["code"], number>> = {
  PROVIDER_AUTH_FAILED: 401,
  PROVIDER_MODEL_NOT_FOUND: 404,
};

function sendError(res: Response, err: unknown): void {
  const e = toAppError(err);
  if (e.code === "INTERNAL") log.error("gateway request failed", { error: String((err as Error)?.stack ?? err) });
  res
    .status(GATEWAY_STATUS[e.code] ?? e.status)
    .set("x-should-retry", "false")
    .json(e.toBody());
}

function providerFrom(req: Request): string | undefined {
  const h = req.headers[PROVIDER_HEADER];
  return typeof h === "string" && h.trim() !== "" ? h.trim() : undefined;
}

async function requestBody(req: Request, required: "messages" | "prompt", limit: number): Promise<Record<string, unknown>> {
  // Mounted before express.json() (see app.ts), so the body is read here unless a parser already did.
  const b: unknown = req.body !== undefined ? req.body : await readJsonBody(req, limit);
  if (typeof b !== "object" || b === null || Array.isArray(b)) throw new AppError("BAD_REQUEST", "Send a JSON object body (Content-Type: application/json).");
  const body = b as Record<string, unknown>;
  if (!(required in body)) throw new AppError("BAD_REQUEST", `The request body needs "${required}".`);
  return body;
}

export function openaiRouter(ctx: AppContext): Router {
  const r = Router();

  const forward = (path: "/chat/completions" | "/completions", required: "messages" | "prompt") =>
    async (req: Request, res: Response): Promise<void> => {
      let body: Record<string, unknown>;
      try {
        body = await requestBody(req, required, ctx.config.maxBodyBytes);
      } catch (err) {
        sendError(res, err);
        return;
      }
      const ac = abortOnClose(res);
      const providerId = providerFrom(req);
      if (body.stream !== true) {
        try {
          const { text } = await ctx.llm.forwardJson(path, body, providerId, ac.signal);
          res.status(200).type("application/json").send(text);
        } catch (err) {
          if (!ac.signal.aborted) sendError(res, err);
        }
        return;
      }
      const out = new SseWriter(res);
      const yieldLoop = loopYielder();
      try {
        for await (const ev of ctx.llm.forwardStream(path, body, providerId, ac.signal)) {
          // [DONE] goes out at once; the loop then drains the upstream body so its socket is reused.
          if (ev.done) out.done();
          else out.data(ev.data, ev.event);
          await yieldLoop();
        }
        // Also closes streams from servers that end without [DONE]; OpenAI clients expect it.
        out.done();
      } catch (err) {
        if (ac.signal.aborted) return; // the client left; nobody to tell
        const e = toAppError(err);
        if (!out.headersSent) sendError(res, e);
        else out.error(e);
      }
    };

  r.post("/v1/chat/completions", forward("/chat/completions", "messages"));
  r.post("/v1/completions", forward("/completions", "prompt"));
  r.get("/v1/models", async (req, res) => {
    const ac = abortOnClose(res);
    try {
      res.json(await ctx.llm.forwardModels(providerFrom(req), ac.signal));
    } catch (err) {
      if (!ac.signal.aborted) sendError(res, err);
    }
  });
  return r;
}
