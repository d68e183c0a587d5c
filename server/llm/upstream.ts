/**
 * One logical request to a provider: attempts, timeouts, retries, metrics.
 *
 * Each attempt sends the SDK-built request template (client.ts `prepare`) through the
 * provider's pooled undici dispatcher (direct or via the proxy); failures are raised as
 * UpstreamHttpError / UpstreamConnectionError for errors.ts to classify.
 *
 * Timeouts: a non-streaming request must finish within the provider's timeoutMs; a
 * streaming one must deliver its first event within it (after that, tokens may take as
 * long as the model needs). Retries happen only before the first event is handed out.
 */
import type { Dispatcher } from "undici";
import type { Metrics } from "../metrics";
import { AppError } from "../errors";
import { log, redact } from "../log";
import { BadResponse, UpstreamConnectionError, UpstreamHttpError, UpstreamTimeout, classifyUpstreamError, type Classified, type ErrorContext } from "./errors";
import { DEFAULT_RETRY, retryDelay, sleep, type RetryPolicy } from "./retry";
import { readSse, type UpstreamEvent } from "./sse-reader";
import type { ResolvedProvider } from "./registry";
import { KEY_REQUIRED, type ClientCache } from "./client";
import type { Transport } from "./transport";

export type UpstreamPath = "/chat/completions" | "/completions" | "/models";

export interface UpstreamCall {
  provider: ResolvedProvider;
  path: UpstreamPath;
  body: Record<string, unknown>;
  /** Overrides the provider's retry count (test connection uses 0). */
  maxRetries?: number;
  timeoutMs?: number;
  /** A health probe: failures are logged at debug and not counted, so /ready polling cannot flood logs or metrics. */
  probe?: boolean;
}

export interface UpstreamDeps {
  metrics: Metrics;
  clients: ClientCache;
  transport: Transport;
  retry?: Omit<RetryPolicy, "maxRetries">;
}

type Body = Dispatcher.ResponseData["body"];

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}

function errorContext(call: UpstreamCall): ErrorContext {
  const p = call.provider;
  const model = typeof call.body.model === "string" ? call.body.model : p.model;
  return { providerName: p.name, kind: p.kind, model, baseUrl: p.baseUrl, hasKey: p.apiKey !== undefined, timeoutMs: call.timeoutMs ?? p.timeoutMs };
}

/** Fails before any network traffic when a hosted service has no key at all. */
export function assertKey(p: ResolvedProvider): void {
  if (KEY_REQUIRED[p.kind] && p.apiKey === undefined) {
    throw new AppError(
      "PROVIDER_AUTH_FAILED",
      `No API key is set for the AI provider "${p.name}". Set one with 'AiCockpit: Set API Key'.`,
      "Set one with 'AiCockpit: Set API Key'.",
    );
  }
}

class Attempt {
  readonly controller = new AbortController();
  timedOut = false;
  /** Set once the response was read to the end: nothing is left to abort. */
  complete = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(private readonly caller: AbortSignal, timeoutMs: number) {
    caller.addEventListener("abort", this.onCallerAbort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
  }

  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  end(): void {
    this.stopTimer();
    this.caller.removeEventListener("abort", this.onCallerAbort);
    // Whatever is still open upstream (a half-read stream) is of no use to anyone now.
    // (Skipped on success: an abort allocates a DOMException, measurable on the hot path.)
    if (!this.complete) this.controller.abort();
  }
}

function label(p: ResolvedProvider) {
  return { provider: p.id, kind: p.kind };
}

export class Upstream {
  constructor(private readonly deps: UpstreamDeps) {}

  private policy(call: UpstreamCall): RetryPolicy {
    return { ...DEFAULT_RETRY, ...this.deps.retry, maxRetries: call.maxRetries ?? call.provider.maxRetries };
  }

  private fail(call: UpstreamCall, started: number, attempt: Attempt | undefined, err: unknown, caller: AbortSignal): Classified {
    if (caller.aborted) {
      this.deps.metrics.providerDuration.observe({ ...label(call.provider), outcome: "cancelled" }, (performance.now() - started) / 1000);
      return { retryable: false, error: new AppError("CANCELLED", "The request was cancelled.") };
    }
    return classifyUpstreamError(attempt?.timedOut ? new UpstreamTimeout() : err, errorContext(call));
  }

  private recordError(call: UpstreamCall, started: number, c: Classified, attempts: number): AppError {
    if (call.probe) {
      log.debug(`provider probe failed`, { provider: call.provider.id, code: c.error.code });
      return c.error;
    }
    const l = label(call.provider);
    this.deps.metrics.providerErrors.inc({ ...l, code: c.error.code });
    this.deps.metrics.providerDuration.observe({ ...l, outcome: "error" }, (performance.now() - started) / 1000);
    log.warn(`provider request failed`, { provider: call.provider.id, path: call.path, code: c.error.code, attempts });
    return c.error;
  }

  /** One attempt on the wire. Resolves with the body of a 2xx answer; throws Upstream*Error otherwise. */
  private async send(call: UpstreamCall, method: "get" | "post", body: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Body> {
    const p = call.provider;
    const model = typeof call.body.model === "string" ? call.body.model : p.model;
    const tpl = await this.deps.clients.prepare(p, method, call.path, model);
    const dispatcher = await this.deps.transport.dispatcher(p.baseUrl);
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin: tpl.url.origin,
        path: `${tpl.url.pathname}${tpl.url.search}`,
        method: method === "post" ? "POST" : "GET",
        headers: tpl.headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal,
        // Our attempt timer bounds the wait for headers; undici's own 300 s would only confuse.
        headersTimeout: 0,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new UpstreamConnectionError(err);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.body.text().catch(() => "");
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* plain-text error bodies are classified as text */
      }
      throw new UpstreamHttpError(res.statusCode, parsed, responseHeaders(res.headers));
    }
    return res.body;
  }

  /** Streams SSE events from the service; retries until the first event is out. */
  async *stream(call: UpstreamCall, caller: AbortSignal): AsyncGenerator<UpstreamEvent> {
    assertKey(call.provider);
    const started = performance.now();
    const policy = this.policy(call);
    const timeoutMs = call.timeoutMs ?? call.provider.timeoutMs;
    const body = { ...call.body, stream: true };
    let firstOut = false;
    // Observed once the first event is on its way (or the consumer stopped): metrics stay off the critical path.
    let pendingTtft: number | undefined;
    const flushTtft = () => {
      if (pendingTtft === undefined) return;
      this.deps.metrics.providerTtft.observe(label(call.provider), pendingTtft);
      pendingTtft = undefined;
    };
    for (let attemptNo = 0; ; attemptNo++) {
      const attempt = new Attempt(caller, timeoutMs);
      try {
        const res = await this.send(call, "post", body, attempt.controller.signal);
        let sawEvent = false;
        for await (const ev of readSse(res)) {
          if (ev.json && typeof ev.json.error === "object" && ev.json.error !== null) throw midStreamError(ev.json.error);
          if (!sawEvent) {
            sawEvent = true;
            attempt.stopTimer();
            if (!firstOut) pendingTtft = (performance.now() - started) / 1000;
          }
          firstOut = true;
          // No break on [DONE]: reading on to the end keeps the upstream socket reusable.
          yield ev;
          flushTtft();
        }
        if (!sawEvent) throw new BadResponse("stream ended without any event");
        attempt.complete = true;
        this.deps.metrics.providerDuration.observe({ ...label(call.provider), outcome: "ok" }, (performance.now() - started) / 1000);
        return;
      } catch (err) {
        const c = this.fail(call, started, attempt, err, caller);
        if (c.error.code === "CANCELLED") throw c.error;
        const delay = firstOut ? null : retryDelay(attemptNo, c, policy);
        if (delay === null) throw this.recordError(call, started, c, attemptNo + 1);
        log.info(`provider attempt failed; retrying`, { provider: call.provider.id, code: c.error.code, attempt: attemptNo + 1, delayMs: delay });
        attempt.end();
        await sleepOrCancel(delay, caller);
      } finally {
        flushTtft();
        attempt.end();
      }
    }
  }

  /** A non-streaming request; resolves with the body text (forwarded as is) and its JSON. */
  async json(call: UpstreamCall, caller: AbortSignal, method: "post" | "get" = "post"): Promise<{ text: string; json: Record<string, unknown> }> {
    assertKey(call.provider);
    const started = performance.now();
    const policy = this.policy(call);
    const timeoutMs = call.timeoutMs ?? call.provider.timeoutMs;
    for (let attemptNo = 0; ; attemptNo++) {
      const attempt = new Attempt(caller, timeoutMs);
      try {
        const res = await this.send(call, method, method === "post" ? { ...call.body, stream: false } : undefined, attempt.controller.signal);
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new BadResponse("response is not JSON");
        }
        if (typeof json !== "object" || json === null || Array.isArray(json)) throw new BadResponse("response is not a JSON object");
        attempt.complete = true;
        const obj = json as Record<string, unknown>;
        if (typeof obj.error === "object" && obj.error !== null) throw midStreamError(obj.error);
        const l = label(call.provider);
        this.deps.metrics.providerDuration.observe({ ...l, outcome: "ok" }, (performance.now() - started) / 1000);
        return { text, json: obj };
      } catch (err) {
        const c = this.fail(call, started, attempt, err, caller);
        if (c.error.code === "CANCELLED") throw c.error;
        const delay = retryDelay(attemptNo, c, policy);
        if (delay === null) throw this.recordError(call, started, c, attemptNo + 1);
        log.info(`provider attempt failed; retrying`, { provider: call.provider.id, code: c.error.code, attempt: attemptNo + 1, delayMs: delay });
        attempt.end();
        await sleepOrCancel(delay, caller);
      } finally {
        attempt.end();
      }
    }
  }
}

async function sleepOrCancel(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch {
    throw new AppError("CANCELLED", "The request was cancelled.");
  }
}

/** OpenAI reports failures inside a 200 stream as `data: {"error":{…}}`. */
function midStreamError(e: object): AppError {
  const msg = typeof (e as { message?: unknown }).message === "string" ? (e as { message: string }).message : "unknown error";
  return new AppError("PROVIDER_ERROR", `The AI service reported an error mid-response: ${redact(msg).slice(0, 300)}`);
}
