/**
 * OpenAI-compatible pass-through: /v1/chat/completions, /v1/completions, /v1/models,
 * forwarded to the active provider (or the one named in X-AiCockpit-Provider), so the
 * official `openai` client pointed at this backend works unchanged. Streams are forwarded
 * as the service's bytes, not parsed and re-serialised (Upstream.streamRaw checks the first
 * event, the size limits and the idle timeout); a client that disconnects aborts the upstream call.
 *
 * The handlers take Node's own request and response, not express's: the HTTP server hands
 * these three paths to them directly (http/front.ts), ahead of express, whose per-request
 * layers (request decoration, ~20 middleware checks) were a measurable share of the gateway's
 * 0.5 ms budget. The same handlers stay mounted in express (openaiRouter) for the requests
 * the front leaves to it (another spelling of the path, a query string).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Router } from "express";
import type { AppContext } from "../../context";
import { AppError, toAppError } from "../../errors";
import { httpStatus } from "../errors";
import { SSE_HEADERS } from "../sse";
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

/** A JSON answer the way express's res.json() writes it (content type, length; no ETag: app.ts disables them). */
export function sendJson(res: ServerResponse, status: number, text: string, extra?: Record<string, string>): void {
  res.writeHead(status, {
    ...extra,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  const e = toAppError(err);
  if (e.code === "INTERNAL") log.error("gateway request failed", { error: String((err as Error)?.stack ?? err) });
  sendJson(res, GATEWAY_STATUS[e.code] ?? httpStatus(e), JSON.stringify(e.toBody()), { "x-should-retry": "false" });
}

function providerFrom(req: IncomingMessage): string | undefined {
  const h = req.headers[PROVIDER_HEADER];
  return typeof h === "string" && h.trim() !== "" ? h.trim() : undefined;
}

/** Aborts when the client goes away before the answer is complete (how OpenAI clients cancel). */
function abortOnClose(res: ServerResponse): AbortController {
  const ac = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac;
}

async function requestBody(
  req: IncomingMessage & { body?: unknown },
  required: "messages" | "prompt",
  limit: number,
): Promise<Record<string, unknown>> {
  // Ahead of express.json() (front.ts, app.ts), so the body is read here unless a parser already did.
  const b: unknown = req.body !== undefined ? req.body : await readJsonBody(req, limit);
  if (typeof b !== "object" || b === null || Array.isArray(b))
    throw new AppError("BAD_REQUEST", "Send a JSON object body (Content-Type: application/json).");
  const body = b as Record<string, unknown>;
  if (!(required in body)) throw new AppError("BAD_REQUEST", `The request body needs "${required}".`);
  return body;
}

export type V1Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The three /v1 routes by "METHOD path"; made once per backend, shared by the front and express. */
export function openaiHandlers(ctx: AppContext): ReadonlyMap<string, V1Handler> {
  const forward =
    (path: "/chat/completions" | "/completions", required: "messages" | "prompt"): V1Handler =>
    async (req, res) => {
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
          sendJson(res, 200, text);
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

  const models: V1Handler = async (req, res) => {
    const ac = abortOnClose(res);
    try {
      sendJson(res, 200, JSON.stringify(await ctx.llm.forwardModels(providerFrom(req), ac.signal)));
    } catch (err) {
      if (!ac.signal.aborted) sendError(res, err);
    }
  };

  return new Map([
    ["POST /v1/chat/completions", forward("/chat/completions", "messages")],
    ["POST /v1/completions", forward("/completions", "prompt")],
    ["GET /v1/models", models],
  ]);
}

/** The same handlers behind express's routing (case-insensitive paths, query strings). */
export function openaiRouter(handlers: ReadonlyMap<string, V1Handler>): Router {
  const r = Router();
  for (const [key, handle] of handlers) {
    const [method, path] = key.split(" ") as [string, string];
    const fn = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
    if (method === "GET") r.get(path, fn);
    else r.post(path, fn);
  }
  return r;
}
