/**
 * Server-sent events out, shaped exactly like OpenAI's: `data: <json>\n\n`, ending with
 * `data: [DONE]\n\n`. Headers go out with the first event, not before, so a failure before
 * the first token can still be an ordinary JSON error with its HTTP status.
 */
import type { Response } from "express";
import type { ApiError } from "../api/errors";
import { toAppError, type AppError } from "../errors";
import { loopYielder } from "../event-loop";

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  // Reverse proxies (nginx) buffer responses unless told not to.
  "X-Accel-Buffering": "no",
} as const;

export class SseWriter {
  private started = false;
  constructor(private readonly res: Response) {}

  get headersSent(): boolean {
    return this.started;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, SSE_HEADERS);
  }

  /** `data` is written verbatim: callers forwarding upstream JSON skip a parse/stringify round. */
  data(data: string, event?: string): void {
    if (this.res.writableEnded) return;
    this.start();
    this.batch();
    this.res.write(event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
  }

  /**
   * Events that arrive together (one upstream read often carries several) leave in one
   * write syscall: cork now, uncork once the current burst of microtasks is done.
   */
  private corked = false;
  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.res.cork();
    setImmediate(() => {
      this.corked = false;
      this.res.uncork();
    });
  }

  json(value: unknown, event?: string): void {
    this.data(JSON.stringify(value), event);
  }

  /** Idempotent, so a caller may both forward the service's [DONE] and close defensively. */
  done(): void {
    if (this.res.writableEnded) return;
    this.start();
    this.res.end("data: [DONE]\n\n");
  }

  /** Mid-stream failure the way OpenAI reports one: an event whose payload has `error`. */
  error(e: AppError): void {
    if (this.res.writableEnded) return;
    this.start();
    this.res.end(`data: ${JSON.stringify(e.toBody())}\n\n`);
  }
}

/** Aborts when the client goes away before the response is complete. */
export function abortOnClose(res: Response): AbortController {
  const ac = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac;
}

/**
 * The shape every event-stream route of ours shares: events as `data:` lines, then `[DONE]`.
 * A failure before the first event goes to express as an ordinary JSON error with its status;
 * after it, as an `{type:"error"}` event. A client that went away ends it silently.
 */
export async function streamEvents<E>(
  res: Response,
  next: (err: unknown) => void,
  events: (signal: AbortSignal) => AsyncIterable<E>,
  errorEvent: (error: ApiError) => E,
): Promise<void> {
  const ac = abortOnClose(res);
  const sse = new SseWriter(res);
  try {
    const yieldLoop = loopYielder();
    for await (const ev of events(ac.signal)) {
      sse.json(ev);
      await yieldLoop();
    }
    sse.done();
  } catch (err) {
    if (ac.signal.aborted) return;
    const e = toAppError(err);
    if (!sse.headersSent) {
      next(e);
      return;
    }
    sse.json(errorEvent(e.toApiError()));
    sse.done();
  }
}
