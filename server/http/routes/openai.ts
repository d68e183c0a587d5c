/**
 * OpenAI-compatible pass-through: /v1/chat/completions, /v1/completions, /v1/models,
 * forwarded to the active provider (or the one named in X-AiCockpit-Provider), so the
 * official `openai` client pointed at this backend works unchanged. Streams are forwarded
 * as the service's bytes, not parsed and re-serialised (Upstream.streamRaw checks the first
 * event, the size limits and the idle timeout); a client that disconnects aborts the upstream call.
 */
import { Router, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { AppError, toAppError } from "../../errors";
import { httpStatus } from "../errors";
import { SSE_HEADERS, abortOnClose } from "../sse";
import { loopYielder } from "../../event-loop";
import { readJsonBody } from "../json-body";
import { log } from "../../log";

const PROVIDER_HEADER = "x-aicockpit-provider";
const LF = 0x0a;
const CR = 0x0d;

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
    .status(GATEWAY_STATUS[e.code] ?? httpStatus(e))
    .set("x-should-retry", "false")
    .json(e.toBody());
}

function providerFrom(req: Request): string | undefined {
  const h = req.headers[PROVIDER_HEADER];
  return typeof h === "string" && h.trim() !== "" ? h.trim() : undefined;
}

async function requestBody(
  req: Request,
  required: "messages" | "prompt",
  limit: number,
): Promise<Record<string, unknown>> {
  // Mounted before express.json() (see app.ts), so the body is read here unless a parser already did.
  const b: unknown = req.body !== undefined ? req.body : await readJsonBody(req, limit);
  if (typeof b !== "object" || b === null || Array.isArray(b))
    throw new AppError("BAD_REQUEST", "Send a JSON object body (Content-Type: application/json).");
  const body = b as Record<string, unknown>;
  if (!(required in body)) throw new AppError("BAD_REQUEST", `The request body needs "${required}".`);
  return body;
}

export function openaiRouter(ctx: AppContext): Router {
  const r = Router();

  const forward =
    (path: "/chat/completions" | "/completions", required: "messages" | "prompt") =>
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
      let atBoundary = true;
      const yieldLoop = loopYielder();
      try {
        // The last chunk carries [DONE] (added upstream when the service omits it) and ends the
        // response at once; the loop then drains the upstream body so its socket is reused.
        for await (const c of ctx.llm.forwardRaw(path, body, providerId, ac.signal)) {
          if (!res.headersSent) res.writeHead(200, SSE_HEADERS);
          if (c.last) {
            res.end(c.bytes);
            continue;
          }
          res.write(c.bytes);
          const n = c.bytes.length;
          atBoundary = n >= 2 && c.bytes[n - 1] === LF && (c.bytes[n - 2] === LF || c.bytes[n - 2] === CR);
          await yieldLoop();
        }
      } catch (err) {
        if (ac.signal.aborted || res.writableEnded) return; // the client left, or the answer was complete
        const e = toAppError(err);
        if (!res.headersSent) {
          sendError(res, e);
          return;
        }
        // Mid-stream, the way OpenAI reports a failure: an event whose payload has `error`
        // (after a blank line if the service's last event was cut off).
        res.end(`${atBoundary ? "" : "\n\n"}data: ${JSON.stringify(e.toBody())}\n\n`);
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
