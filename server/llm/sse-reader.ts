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

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<UpstreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => pending.push(m) });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (pending.length === 0) continue;
      const batch = pending;
      pending = [];
      for (const m of batch) {
        const ev = parseEventData(m);
        yield ev;
        if (ev.done) return;
      }
    }
    parser.feed(decoder.decode());
    for (const m of pending) {
      const ev = parseEventData(m);
      yield ev;
      if (ev.done) return;
    }
  } finally {
    // Releasing without cancel would keep the upstream socket busy after an early exit.
    await reader.cancel().catch(() => undefined);
  }
}
