/**
 * The webview's side of the protocol: typed request(), stream() with cancel, and
 * notification handlers. Transport-agnostic (`post` and `onMessage` are injected), so the
 * unit tests drive it without a browser.
 */
import {
  isToWebview,
  type NotificationName,
  type Notifications,
  type ProtocolError,
  type RequestName,
  type Requests,
  type StreamName,
  type Streams,
  type ToExtension,
  type ToWebview,
} from "./protocol";

export class RpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: RpcError) => void;
}

interface StreamSink {
  onEvent: (e: unknown) => void;
  onEnd: (error?: ProtocolError) => void;
}

export interface StreamHandle {
  cancel(): void;
  /** Resolves when the extension ends the stream (rejects with its error, if any). */
  done: Promise<void>;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, StreamSink>();
  private readonly handlers = new Map<string, (params: unknown) => void>();

  constructor(private readonly post: (m: ToExtension) => void) {}

  /** Feed every message the extension posts here. */
  receive(raw: unknown): void {
    if (!isToWebview(raw)) return;
    const m: ToWebview = raw;
    switch (m.kind) {
      case "response": {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new RpcError(m.error.code, m.error.message));
        return;
      }
      case "event":
        this.streams.get(m.id)?.onEvent(m.event);
        return;
      case "end": {
        const s = this.streams.get(m.id);
        this.streams.delete(m.id);
        s?.onEnd(m.error);
        return;
      }
      case "notify":
        this.handlers.get(m.method)?.(m.params);
        return;
    }
  }

  request<K extends RequestName>(method: K, params: Requests[K][0]): Promise<Requests[K][1]> {
    const id = this.nextId++;
    return new Promise<Requests[K][1]>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as Requests[K][1]), reject });
      this.post({ kind: "request", id, method, params } as ToExtension);
    });
  }

  stream<K extends StreamName>(method: K, params: Streams[K][0], onEvent: (e: Streams[K][1]) => void): StreamHandle {
    const id = this.nextId++;
    let ended = false;
    const done = new Promise<void>((resolve, reject) => {
      this.streams.set(id, {
        onEvent: (e) => onEvent(e as Streams[K][1]),
        onEnd: (error) => {
          ended = true;
          if (error) reject(new RpcError(error.code, error.message));
          else resolve();
        },
      });
    });
    this.post({ kind: "stream", id, method, params } as ToExtension);
    return {
      done,
      cancel: () => {
        // The extension still sends `end` (with what was kept), so the stream stays registered.
        if (!ended) this.post({ kind: "cancel", id });
      },
    };
  }

  on<K extends NotificationName>(method: K, handler: (params: Notifications[K]) => void): void {
    this.handlers.set(method, (p) => handler(p as Notifications[K]));
  }
}
