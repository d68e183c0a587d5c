/**
 * Follows one of the backend's event streams (`text/event-stream`, each message's `id:` its
 * `seq`) the way the VS Code views do, resuming after `lastId` when given. Heartbeats are
 * dropped; every other event lands in `events` (and goes to `onEvent` as it arrives).
 */
import assert from "node:assert/strict";
import type { Backend } from "./backend";

export interface Follow<E> {
  events: E[];
  /** Set when the stream broke (e.g. the backend went away); `ended` itself never rejects. */
  error?: unknown;
  ended: Promise<void>;
  abort(): void;
}

export function followSse<E extends { type: string; seq: number }>(
  b: Backend,
  path: string,
  opts: { lastId?: number; onEvent?: (e: E) => void } = {},
): Follow<E> {
  const events: E[] = [];
  const ac = new AbortController();
  const f: Follow<E> = { events, ended: Promise.resolve(), abort: () => ac.abort() };
  f.ended = (async () => {
    const res = await fetch(`${b.url}${path}`, {
      headers: {
        authorization: `Bearer ${b.token}`,
        accept: "text/event-stream",
        ...(opts.lastId !== undefined ? { "last-event-id": String(opts.lastId) } : {}),
      },
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    const dec = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        let at;
        while ((at = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const data = block
            .split("\n")
            .find((l) => l.startsWith("data: "))
            ?.slice(6);
          if (!data || data === "[DONE]") continue;
          const ev = JSON.parse(data) as E;
          if (ev.type === "heartbeat") continue;
          assert.equal(
            block.split("\n").find((l) => l.startsWith("id: ")),
            `id: ${ev.seq}`,
          );
          events.push(ev);
          opts.onEvent?.(ev);
        }
      }
    } catch (e) {
      if (!ac.signal.aborted) f.error = e;
    }
  })();
  return f;
}
