/**
 * Reads an upstream `text/event-stream` body into events. Each event keeps its raw
 * `data` text so the gateway can forward it without re-serialising, plus the parsed
 * JSON that callers and the malformed-chunk check need.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { BadResponse } from "./errors";

export interface UpstreamEvent {
  /** The raw `data:` payload, exactly as the service sent it. */
  data: string;
  /** SSE `event:` name when present (OpenAI sends none). */
  event?: string;
  /** Parsed JSON of `data`; undefined for the terminal `[DONE]`. */
  json: Record<string, unknown> | undefined;
  done: boolean;
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
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new BadResponse("stream chunk is not a JSON object");
  return { data, done: false, json: json as Record<string, unknown>, ...(msg.event ? { event: msg.event } : {}) };
}

/**
 * Reads a body (a Node stream or a web ReadableStream: both are async iterables of bytes).
 * After `[DONE]` it keeps reading to the end without yielding, so a consumer that carries
 * on iterating lets the connection return to the keep-alive pool; one that stops early
 * (return/throw) destroys the body, which closes the upstream request.
 */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<UpstreamEvent> {
  const decoder = new TextDecoder();
  let pending: EventSourceMessage[] = [];
  let done = false;
  const parser = createParser({ onEvent: (m) => pending.push(m) });
  for await (const chunk of body) {
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
