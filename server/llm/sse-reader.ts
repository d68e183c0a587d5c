/**
 * Reads an upstream `text/event-stream` body into events. Each event keeps its raw
 * `data` text, plus the parsed JSON that callers and the malformed-chunk check need.
 *
 * Every byte goes through a StreamGuard first: a hostile service cannot grow one event
 * (or the whole answer) past the limits in limits.ts, and each chunk counts as "the model
 * is still sending" for the idle timeout.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { BadResponse, ResponseTooLarge } from "./errors";
import { DEFAULT_MAX_STREAM_BYTES, MAX_SSE_EVENT_BYTES, formatBytes } from "./limits";

export interface UpstreamEvent {
  /** The raw `data:` payload, exactly as the service sent it. */
  data: string;
  /** SSE `event:` name when present (OpenAI sends none). */
  event?: string;
  /** Parsed JSON of `data`; undefined for the terminal `[DONE]`. */
  json: Record<string, unknown> | undefined;
  done: boolean;
}

export interface StreamBounds {
  maxEventBytes: number;
  maxStreamBytes: number;
  /** Called for every chunk read (the idle timer's "still alive"). */
  onChunk?: () => void;
}

export const DEFAULT_BOUNDS: StreamBounds = {
  maxEventBytes: MAX_SSE_EVENT_BYTES,
  maxStreamBytes: DEFAULT_MAX_STREAM_BYTES,
};

const LF = 0x0a;
const CR = 0x0d;
const BLANK_LINES = [Buffer.from("\n\n"), Buffer.from("\n\r\n"), Buffer.from("\r\r")];

/**
 * Byte accounting without parsing: total bytes, and bytes since the last blank line (an
 * event boundary). Native `lastIndexOf` scans, so the cost per token chunk is negligible.
 */
export class StreamGuard {
  private total = 0;
  private sinceBoundary = 0;
  private last = 0;

  constructor(private readonly bounds: StreamBounds) {}

  check(chunk: Uint8Array): void {
    this.bounds.onChunk?.();
    const n = chunk.length;
    this.total += n;
    if (this.total > this.bounds.maxStreamBytes)
      throw new ResponseTooLarge("a streamed answer", formatBytes(this.bounds.maxStreamBytes));
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, n);
    let end = lastBoundaryEnd(b);
    // A blank line split across two reads ("…\n" | "\n…").
    if (end < 0 && this.last === LF && (b[0] === LF || (b[0] === CR && b[1] === LF))) end = b[0] === LF ? 1 : 2;
    this.sinceBoundary = end >= 0 ? n - end : this.sinceBoundary + n;
    const lastByte = b[n - 1];
    if (lastByte !== undefined) this.last = lastByte;
    if (this.sinceBoundary > this.bounds.maxEventBytes)
      throw new ResponseTooLarge("a single stream event", formatBytes(this.bounds.maxEventBytes));
  }
}

/** Longest stretch of stream work (parsing plus whatever the consumer does per event) between two event-loop turns. */
const SLICE_MS = 10;

/**
 * A fast service fills the socket faster than we consume it, and reading buffered chunks
 * chains microtasks without ever giving the event loop a turn: /health and every other
 * request would wait for the whole stream. `due()` says when the current slice has run
 * long enough; `pause()` then yields one turn (never reached at token pace).
 */
export class Slicer {
  private start = performance.now();

  due(): boolean {
    return performance.now() - this.start > SLICE_MS;
  }

  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }
}

export function parseEventData(msg: EventSourceMessage): UpstreamEvent {
  const data = msg.data;
  if (data === "[DONE]") return { data, done: true, json: undefined };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new BadResponse("stream chunk is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new BadResponse("stream chunk is not a JSON object");
  return { data, done: false, json: json as Record<string, unknown>, ...(msg.event ? { event: msg.event } : {}) };
}

/**
 * Reads a body (a Node stream or a web ReadableStream: both are async iterables of bytes).
 * After `[DONE]` it keeps reading to the end without yielding, so a consumer that carries
 * on iterating lets the connection return to the keep-alive pool; one that stops early
 * (return/throw) destroys the body, which closes the upstream request.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array>,
  bounds: StreamBounds = DEFAULT_BOUNDS,
): AsyncGenerator<UpstreamEvent> {
  const guard = new StreamGuard(bounds);
  const slicer = new Slicer();
  const decoder = new TextDecoder();
  let pending: EventSourceMessage[] = [];
  let done = false;
  const parser = createParser({ onEvent: (m) => pending.push(m) });
  for await (const chunk of body) {
    guard.check(chunk);
    if (slicer.due()) await slicer.pause();
    if (done) continue;
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (pending.length === 0) continue;
    const batch = pending;
    pending = [];
    for (const m of batch) {
      const ev = parseEventData(m);
      yield ev;
      if (ev.done) {
        done = true;
        break;
      }
    }
  }
  if (done) return;
  // Lenient at EOF: a last event without its blank line is still the service's answer
  // (an empty event dispatches nothing, so this is safe when everything was terminated).
  parser.feed(`${decoder.decode()}\n\n`);
  for (const m of pending) {
    const ev = parseEventData(m);
    yield ev;
    if (ev.done) return;
  }
}

/** Where the last blank line (event boundary) in `b` ends, or -1 when it has none. */
export function lastBoundaryEnd(b: Buffer): number {
  let end = -1;
  for (const p of BLANK_LINES) {
    const i = b.lastIndexOf(p);
    if (i >= 0 && i + p.length > end) end = i + p.length;
  }
  return end;
}

/**
 * The events with data in `text`, which holds complete events only (it ends at a blank line).
 * A plain scan for the gateway, which forwards the bytes themselves and only needs to check
 * them; comments (keep-alives) carry no event.
 */
export function completeEvents(text: string): { data: string; event: string | undefined }[] {
  const out: { data: string; event: string | undefined }[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    if (block === "") continue;
    const data: string[] = [];
    let event: string | undefined;
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith("data:")) data.push(line.slice(line[5] === " " ? 6 : 5));
      else if (line.startsWith("event:")) event = line.slice(line[6] === " " ? 7 : 6);
    }
    if (data.length > 0) out.push({ data: data.join("\n"), event });
  }
  return out;
}
