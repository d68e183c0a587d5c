/**
 * One pooled SSH connection (with its jump hops): a channel budget (at most N open exec
 * channels; the next caller waits in FIFO order), an idle timer that closes it when no
 * channel has been open for a while, and a "lost" signal for channels that were open when it
 * dropped. Control channels (killing a command) may exceed the budget by CONTROL_EXTRA, so a
 * full connection can still stop its own commands (OpenSSH's MaxSessions is 10).
 */
import type { ClientChannel } from "ssh2";
import { AppError } from "../errors";
import type { Chain } from "./jump";

export const CONTROL_EXTRA = 2;

export class PooledConnection {
  private active = 0;
  private readonly waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  closed = false;
  /** Why it closed (for channels that were open). */
  private readonly lostHandlers = new Set<() => void>();

  constructor(
    readonly hostId: string,
    readonly chain: Chain,
    private readonly maxChannels: number,
    private readonly idleCloseMs: number,
    private readonly onClosed: (c: PooledConnection) => void,
  ) {
    const down = () => this.markClosed();
    for (const c of chain.clients) {
      c.on("close", down);
      c.on("error", down);
    }
    this.armIdle();
  }

  get openChannels(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const c of this.chain.clients) c.end();
    for (const w of this.waiters.splice(0)) w.reject(lost(this.hostId));
    for (const h of this.lostHandlers) h();
    this.onClosed(this);
  }

  close(): void {
    this.markClosed();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.active > 0 || this.waiters.length > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => this.markClosed(), this.idleCloseMs);
    this.idleTimer.unref();
  }

  /** Waits for a channel slot (FIFO); `signal` abandons the wait. */
  acquire(signal?: AbortSignal, control = false): Promise<void> {
    if (this.closed) return Promise.reject(lost(this.hostId));
    clearTimeout(this.idleTimer);
    if (this.active < this.maxChannels + (control ? CONTROL_EXTRA : 0)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new AppError("CANCELLED", "Cancelled while waiting for a free SSH channel."));
        this.armIdle();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next)
      next.resolve(); // the slot passes on
    else {
      this.active--;
      this.armIdle();
    }
  }

  /** Opens an exec channel in an acquired slot; the slot is released when the channel closes. */
  openExec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      let released = false;
      const free = () => {
        if (!released) {
          released = true;
          this.release();
        }
      };
      try {
        this.chain.client.exec(command, (err, ch) => {
          if (err) {
            free();
            reject(
              this.closed
                ? lost(this.hostId)
                : new AppError(
                    "HOST_UNREACHABLE",
                    `The SSH server of ${this.hostId} refused a new channel (${err.message}).`,
                    "The server may limit sessions per connection (MaxSessions).",
                  ),
            );
            return;
          }
          ch.once("close", free);
          resolve(ch);
        });
      } catch (err) {
        free();
        reject(this.closed ? lost(this.hostId) : err);
      }
    });
  }

  onLost(h: () => void): () => void {
    this.lostHandlers.add(h);
    return () => this.lostHandlers.delete(h);
  }
}

export function lost(hostId: string): AppError {
  return new AppError(
    "HOST_CONNECTION_LOST",
    `The SSH connection to ${hostId} was lost.`,
    "The host or the network went away; retry (a new connection is opened).",
  );
}
