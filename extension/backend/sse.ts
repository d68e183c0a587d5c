/**
 * Reads a `text/event-stream` body as messages. eventsource-parser does the framing
 * (chunks split anywhere, CRLF, multi-line data, comments); this adapts it to an
 * async iterator that stops when the stream ends or the signal aborts.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type SseMessage = EventSourceMessage;

export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const queue: SseMessage[] = [];
  const parser = createParser({ onEvent: (m) => queue.push(m) });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) {
        parser.feed(decoder.decode());
        parser.reset({ consume: true });
      } else {
        parser.feed(decoder.decode(value, { stream: true }));
      }
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) yield m;
      if (done) return;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Ends the HTTP response when the consumer stops iterating early.
    await reader.cancel().catch(() => undefined);
  }
}
