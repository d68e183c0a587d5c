/**
 * The extension's side of the webview protocol, vscode-free so it is unit-tested: checks
 * every incoming envelope, dispatches requests to typed handlers, runs streams with an
 * AbortSignal that `cancel` fires, and turns thrown errors into `{code, message}` values.
 */
import {
  isToExtension,
  type NotificationName,
  type Notifications,
  type ProtocolError,
  type RequestName,
  type Requests,
  type StreamName,
  type Streams,
  type ToWebview,
} from "../../webview-ui/protocol";

export type RequestHandlers = {
  [K in RequestName]: (params: Requests[K][0]) => Promise<Requests[K][1]> | Requests[K][1];
};
export type StreamHandlers = {
  [K in StreamName]: (params: Streams[K][0], emit: (e: Streams[K][1]) => void, signal: AbortSignal) => Promise<void>;
};

export function toProtocolError(err: unknown): ProtocolError {
  if (typeof err === "object" && err !== null) {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.message === "string")
      return { code: typeof e.code === "string" ? e.code : "ERROR", message: e.message };
  }
  return { code: "ERROR", message: String(err) };
}

export class RpcHost {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly post: (m: ToWebview) => void,
    private readonly requests: RequestHandlers,
    private readonly streams: StreamHandlers,
    private readonly onReady: () => void = () => undefined,
  ) {}

  /** Feed every message the webview posts here. Malformed messages are dropped. */
  async receive(raw: unknown): Promise<void> {
    if (!isToExtension(raw)) return;
    const m = raw;
    switch (m.kind) {
      case "ready":
        this.onReady();
        return;
      case "cancel":
        this.running.get(m.id)?.abort();
        return;
      case "request": {
        const handler = this.requests[m.method] as (p: unknown) => Promise<unknown> | unknown;
        try {
          const result = await handler(m.params);
          this.post({ kind: "response", id: m.id, ok: true, result });
        } catch (err) {
          this.post({ kind: "response", id: m.id, ok: false, error: toProtocolError(err) });
        }
        return;
      }
      case "stream": {
        const ac = new AbortController();
        this.running.set(m.id, ac);
        const handler = this.streams[m.method] as (
          p: unknown,
          emit: (e: unknown) => void,
          s: AbortSignal,
        ) => Promise<void>;
        try {
          await handler(m.params, (event) => this.post({ kind: "event", id: m.id, event }), ac.signal);
          this.post({ kind: "end", id: m.id });
        } catch (err) {
          this.post({ kind: "end", id: m.id, error: toProtocolError(err) });
        } finally {
          this.running.delete(m.id);
        }
        return;
      }
    }
  }

  notify<K extends NotificationName>(method: K, params: Notifications[K]): void {
    this.post({ kind: "notify", method, params } as ToWebview);
  }

  /** Aborts every running stream (the view went away). */
  dispose(): void {
    for (const ac of this.running.values()) ac.abort();
    this.running.clear();
  }
}
