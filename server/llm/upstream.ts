/**
 * One logical request to a provider: attempts, timeouts, retries, metrics.
 *
 * Each attempt sends the SDK-built request template (client.ts `prepare`) through the
 * provider's pooled undici dispatcher (direct or via the proxy); failures are raised as
 * UpstreamHttpError / UpstreamConnectionError for errors.ts to classify.
 *
 * Timeouts: a non-streaming request must finish within the provider's timeoutMs; a
 * streaming one must deliver its first event within it, and after that no gap between two
 * reads may exceed the idle timeout (limits.ts). Retries happen only before the first
 * event is handed out. Sizes: non-streamed and error bodies, single events and whole
 * streams are read up to the limits in limits.ts and no further.
 */
import type { Dispatcher } from "undici";
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { CompletionCreateParamsBase } from "openai/resources/completions";
import type { Metrics } from "../metrics";
import { AppError } from "../errors";
import { log, redact } from "../log";
import {
  BadResponse,
  ResponseTooLarge,
  UpstreamConnectionError,
  UpstreamHttpError,
  UpstreamIdle,
  UpstreamTimeout,
  classifyUpstreamError,
  type Classified,
  type ErrorContext,
} from "./errors";
import { DEFAULT_RETRY, retryDelay, sleep, type RetryPolicy } from "./retry";
import { DEFAULT_LIMITS, MAX_ERROR_BODY_BYTES, MAX_SSE_EVENT_BYTES, formatBytes, type LlmLimits } from "./limits";
import {
  Slicer,
  StreamGuard,
  completeEvents,
  lastBoundaryEnd,
  parseEventData,
  readSse,
  type StreamBounds,
  type UpstreamEvent,
} from "./sse-reader";
import type { ResolvedProvider } from "./registry";
import { KEY_REQUIRED, type ClientCache } from "./client";
import type { Transport } from "./transport";

export type UpstreamPath = "/chat/completions" | "/completions" | "/models";

/**
 * What we send: the `openai` package's request types for bodies we build, a plain object for
 * the gateway's (a client's request, forwarded as it came), `{}` for GETs.
 */
export type UpstreamBody = ChatCompletionCreateParamsBase | CompletionCreateParamsBase | Record<string, unknown>;

export interface UpstreamCall {
  provider: ResolvedProvider;
  path: UpstreamPath;
  body: UpstreamBody;
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
  limits?: LlmLimits;
}

/** One piece of a raw (unparsed) stream for the gateway; `last` marks the one carrying [DONE]. */
export interface RawChunk {
  bytes: Uint8Array;
  last: boolean;
}

const DONE_FRAME = Buffer.from("data: [DONE]\n\n");
const LF = 0x0a;
const CR = 0x0d;

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
  return {
    providerName: p.name,
    kind: p.kind,
    model,
    baseUrl: p.baseUrl,
    hasKey: p.apiKey !== undefined,
    timeoutMs: call.timeoutMs ?? p.timeoutMs,
  };
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
  /** The idle timer fired: the stream went quiet mid-answer. */
  idleFired = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Set once the response was read to the end: nothing is left to abort. */
  complete = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(
    private readonly caller: AbortSignal,
    timeoutMs: number,
  ) {
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

  /** From the first event on: a gap longer than `ms` between two reads aborts the attempt. */
  startIdle(ms: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleFired = true;
      this.controller.abort();
    }, ms);
  }

  /** Re-arms the idle timer (`refresh` reuses the timer: no allocation per chunk). */
  alive(): void {
    this.idleTimer?.refresh();
  }

  end(): void {
    this.stopTimer();
    if (this.idleTimer) clearTimeout(this.idleTimer);
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
  private readonly limits: LlmLimits;
  constructor(private readonly deps: UpstreamDeps) {
    this.limits = deps.limits ?? DEFAULT_LIMITS;
  }

  private bounds(attempt: Attempt): StreamBounds {
    return {
      maxEventBytes: MAX_SSE_EVENT_BYTES,
      maxStreamBytes: this.limits.maxStreamBytes,
      onChunk: () => attempt.alive(),
    };
  }

  private policy(call: UpstreamCall): RetryPolicy {
    return { ...DEFAULT_RETRY, ...this.deps.retry, maxRetries: call.maxRetries ?? call.provider.maxRetries };
  }

  private fail(
    call: UpstreamCall,
    started: number,
    attempt: Attempt | undefined,
    err: unknown,
    caller: AbortSignal,
  ): Classified {
    if (caller.aborted) {
      this.deps.metrics.providerDuration.observe(
        { ...label(call.provider), outcome: "cancelled" },
        (performance.now() - started) / 1000,
      );
      return { retryable: false, error: new AppError("CANCELLED", "The request was cancelled.") };
    }
    const cause = attempt?.idleFired
      ? new UpstreamIdle(this.limits.idleTimeoutMs)
      : attempt?.timedOut
        ? new UpstreamTimeout()
        : err;
    return classifyUpstreamError(cause, errorContext(call));
  }

  /**
   * After a failed attempt: throws the final error (cancelled, not retryable, retries used up,
   * or no `policy` because a retry is no longer allowed), or logs and waits out the delay
   * before the next attempt.
   */
  private async retryOrThrow(
    call: UpstreamCall,
    started: number,
    attempt: Attempt,
    err: unknown,
    caller: AbortSignal,
    attemptNo: number,
    policy: RetryPolicy | null,
  ): Promise<void> {
    const c = this.fail(call, started, attempt, err, caller);
    if (c.error.code === "CANCELLED") throw c.error;
    const delay = policy ? retryDelay(attemptNo, c, policy) : null;
    if (delay === null) throw this.recordError(call, started, c, attemptNo + 1);
    log.info(`provider attempt failed; retrying`, {
      provider: call.provider.id,
      code: c.error.code,
      attempt: attemptNo + 1,
      delayMs: delay,
    });
    attempt.end();
    await sleepOrCancel(delay, caller);
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
  /**
   * Our own network stack (undici, the SDK's request template) is loaded before an attempt's
   * timer starts: right after the backend starts it may still be loading (and slowly, on a busy
   * machine), and a timeout measures the AI service, never the backend's first-use loading.
   * Both are cached: later calls cost two resolved awaits.
   */
  private async stackReady(call: UpstreamCall, method: "get" | "post"): Promise<void> {
    const p = call.provider;
    const model = typeof call.body.model === "string" ? call.body.model : p.model;
    await this.deps.clients.prepare(p, method, call.path, model);
    await this.deps.transport.dispatcher(p.baseUrl);
  }

  private async send(
    call: UpstreamCall,
    method: "get" | "post",
    body: object | undefined,
    signal: AbortSignal,
  ): Promise<Body> {
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
      // Only ever quoted in a short message: a few KiB is plenty, whatever the service sends.
      const text = await readUpTo(res.body, MAX_ERROR_BODY_BYTES, "truncate").catch(() => "");
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Plain-text error bodies are classified as text; a JSON one cut at the limit still has its message.
        const m = text.startsWith("{") ? /"message"\s*:\s*"((?:[^"\\]|\\.){0,300})/.exec(text) : null;
        if (m) parsed = { error: { message: m[1] } };
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
    await this.stackReady(call, "post");
    for (let attemptNo = 0; ; attemptNo++) {
      const attempt = new Attempt(caller, timeoutMs);
      let sawDone = false;
      try {
        const res = await this.send(call, "post", body, attempt.controller.signal);
        let sawEvent = false;
        for await (const ev of readSse(res, this.bounds(attempt))) {
          if (ev.json && typeof ev.json.error === "object" && ev.json.error !== null)
            throw midStreamError(ev.json.error);
          if (!sawEvent) {
            sawEvent = true;
            attempt.stopTimer();
            attempt.startIdle(this.limits.idleTimeoutMs);
            if (!firstOut) pendingTtft = (performance.now() - started) / 1000;
          }
          firstOut = true;
          if (ev.done) sawDone = true;
          // No break on [DONE]: reading on to the end keeps the upstream socket reusable.
          yield ev;
          attempt.alive();
          flushTtft();
        }
        if (!sawEvent) throw new BadResponse("stream ended without any event");
        attempt.complete = true;
        this.deps.metrics.providerDuration.observe(
          { ...label(call.provider), outcome: "ok" },
          (performance.now() - started) / 1000,
        );
        return;
      } catch (err) {
        // A service that sent [DONE] and then held the socket open has answered in full.
        if (sawDone && attempt.idleFired) return;
        // Once bytes went out to the client, a retry would repeat them: no retry then.
        await this.retryOrThrow(call, started, attempt, err, caller, attemptNo, firstOut ? null : policy);
      } finally {
        flushTtft();
        attempt.end();
      }
    }
  }

  /**
   * The gateway's stream: the service's own bytes, forwarded as they arrive and never
   * re-serialised. Each read is forwarded up to its last complete event once those events are
   * checked (JSON objects, no error event: one JSON.parse each, which a malformed or error
   * chunk needs to become our error event); the rest waits for its event to complete. Bytes
   * are counted (StreamGuard) and timed (idle timeout). The last chunk always ends with
   * `data: [DONE]` (added when the service omits it).
   */
  async *streamRaw(call: UpstreamCall, caller: AbortSignal): AsyncGenerator<RawChunk> {
    assertKey(call.provider);
    const started = performance.now();
    const policy = this.policy(call);
    const timeoutMs = call.timeoutMs ?? call.provider.timeoutMs;
    // Gateway bodies already say stream: true; copying them would be per-request work for nothing.
    const body = call.body.stream === true ? call.body : { ...call.body, stream: true };
    let firstOut = false;
    await this.stackReady(call, "post");
    for (let attemptNo = 0; ; attemptNo++) {
      const attempt = new Attempt(caller, timeoutMs);
      let sawDone = false;
      try {
        const res = await this.send(call, "post", body, attempt.controller.signal);
        const guard = new StreamGuard(this.bounds(attempt));
        const slicer = new Slicer();
        let begun = false;
        // Bytes after the last event boundary, held until their event is complete and checked.
        // Kept as a list and joined once a boundary arrives: a service dribbling one huge event
        // in tiny reads must not make us copy the growing buffer on every read.
        const held: Buffer[] = [];
        let heldLast = -1;
        for await (const chunk of res as AsyncIterable<Buffer>) {
          guard.check(chunk);
          if (slicer.due()) await slicer.pause();
          if (sawDone) continue; // draining: keeps the socket reusable
          // A boundary in this read, or one split across the previous read and this one ("…\n" | "\n…").
          const split = heldLast === LF && (chunk[0] === LF || (chunk[0] === CR && chunk[1] === LF));
          const lastByte = chunk[chunk.length - 1];
          if (lastByte !== undefined) heldLast = lastByte;
          if (!split && lastBoundaryEnd(chunk) < 0) {
            held.push(chunk);
            continue;
          }
          const data = held.length > 0 ? Buffer.concat([...held, chunk]) : chunk;
          held.length = 0;
          const cut = lastBoundaryEnd(data);
          const complete = cut === data.length ? data : data.subarray(0, cut);
          if (cut < data.length) held.push(data.subarray(cut));
          const events = completeEvents(complete.toString("utf8"));
          // Keep-alive comments before the answer are dropped, not held: nothing to forward yet.
          if (!begun && events.length === 0) continue;
          const checked = checkEvents(events);
          if (checked.error) {
            // The events before the bad one are the service's answer so far: the client gets them, then the error.
            if (checked.valid === 0) throw checked.error;
            firstOut = true;
            yield { bytes: Buffer.from(events.slice(0, checked.valid).map(frame).join("")), last: false };
            throw checked.error;
          }
          sawDone = checked.done;
          if (!begun) {
            begun = true;
            attempt.stopTimer();
            attempt.startIdle(this.limits.idleTimeoutMs);
            if (!firstOut)
              this.deps.metrics.providerTtft.observe(label(call.provider), (performance.now() - started) / 1000);
            firstOut = true;
          }
          yield { bytes: complete, last: sawDone };
        }
        if (!sawDone) {
          // Lenient at EOF like readSse: a last event without its blank line is still the answer.
          const pending = held.length > 0 ? Buffer.concat(held) : undefined;
          const rest = pending ? completeEvents(`${pending.toString("utf8")}\n\n`) : [];
          const checked = checkEvents(rest);
          if (checked.error) throw checked.error;
          const done = checked.done;
          if (!begun && rest.length === 0) throw new BadResponse("stream ended without any event");
          const tail = pending && rest.length > 0 ? Buffer.concat([pending, Buffer.from("\n\n")]) : Buffer.alloc(0);
          yield { bytes: done ? tail : Buffer.concat([tail, DONE_FRAME]), last: true };
        }
        attempt.complete = true;
        this.deps.metrics.providerDuration.observe(
          { ...label(call.provider), outcome: "ok" },
          (performance.now() - started) / 1000,
        );
        return;
      } catch (err) {
        if (sawDone && attempt.idleFired) return;
        // Once bytes went out to the client, a retry would repeat them: no retry then.
        await this.retryOrThrow(call, started, attempt, err, caller, attemptNo, firstOut ? null : policy);
      } finally {
        attempt.end();
      }
    }
  }

  /** A non-streaming request; resolves with the body text (forwarded as is) and its JSON. */
  async json(
    call: UpstreamCall,
    caller: AbortSignal,
    method: "post" | "get" = "post",
  ): Promise<{ text: string; json: Record<string, unknown> }> {
    assertKey(call.provider);
    const started = performance.now();
    const policy = this.policy(call);
    const timeoutMs = call.timeoutMs ?? call.provider.timeoutMs;
    await this.stackReady(call, method);
    for (let attemptNo = 0; ; attemptNo++) {
      const attempt = new Attempt(caller, timeoutMs);
      try {
        const res = await this.send(
          call,
          method,
          method === "post" ? { ...call.body, stream: false } : undefined,
          attempt.controller.signal,
        );
        const text = await readUpTo(res, this.limits.maxResponseBytes, "throw");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new BadResponse("response is not JSON");
        }
        if (typeof json !== "object" || json === null || Array.isArray(json))
          throw new BadResponse("response is not a JSON object");
        attempt.complete = true;
        const obj = json as Record<string, unknown>;
        if (typeof obj.error === "object" && obj.error !== null) throw midStreamError(obj.error);
        const l = label(call.provider);
        this.deps.metrics.providerDuration.observe({ ...l, outcome: "ok" }, (performance.now() - started) / 1000);
        return { text, json: obj };
      } catch (err) {
        await this.retryOrThrow(call, started, attempt, err, caller, attemptNo, policy);
      } finally {
        attempt.end();
      }
    }
  }
}

/**
 * Reads a body up to `limit` bytes: "throw" raises ResponseTooLarge beyond it (answers),
 * "truncate" keeps the first `limit` bytes (error bodies, which are only quoted). Either way
 * reading stops there; leaving the loop destroys the body, which closes the upstream request.
 */
export async function readUpTo(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  over: "throw" | "truncate",
): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > limit) {
      if (over === "throw") throw new ResponseTooLarge("an answer", formatBytes(limit));
      parts.push(chunk.subarray(0, limit - size));
      size = limit;
      break;
    }
    parts.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(parts, size).toString("utf8");
}

type RawEvent = { data: string; event: string | undefined };

/**
 * Checks the gateway's events (JSON objects, no error event) without re-serialising them:
 * `valid` events pass before the first bad one (`error`); `done` once [DONE] is among them.
 */
function checkEvents(events: RawEvent[]): { valid: number; done: boolean; error?: unknown } {
  for (const [i, e] of events.entries()) {
    try {
      const ev = parseEventData({ data: e.data, event: e.event, id: undefined });
      if (ev.done) return { valid: i + 1, done: true };
      if (ev.json && typeof ev.json.error === "object" && ev.json.error !== null) throw midStreamError(ev.json.error);
    } catch (error) {
      return { valid: i, done: false, error };
    }
  }
  return { valid: events.length, done: false };
}

/** One event on the wire again (only on the error path, where its original bytes share a read with the bad one). */
function frame(e: RawEvent): string {
  return `${e.event ? `event: ${e.event}\n` : ""}data: ${e.data}\n\n`;
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
  const msg =
    typeof (e as { message?: unknown }).message === "string" ? (e as { message: string }).message : "unknown error";
  return new AppError("PROVIDER_ERROR", `The AI service reported an error mid-response: ${redact(msg).slice(0, 300)}`);
}
