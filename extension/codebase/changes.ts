/**
 * File changes for the backend's index, debounced and batched: a branch switch or a build
 * touching thousands of files becomes a few requests, and a file saved ten times in a second
 * is sent once. The last event per path wins (created then deleted = deleted). Pure: the
 * timer functions are injected, so the rules are unit-tested without waiting.
 */
export type ChangeKind = "changed" | "deleted";

export interface ChangeBatch {
  changed: string[];
  deleted: string[];
}

export interface BatcherOptions {
  /** Quiet time after the last event before a flush. */
  debounceMs: number;
  /** Flush at the latest this long after the first pending event, even if events keep coming. */
  maxWaitMs: number;
  /** Paths per batch at most; more pending paths are sent in several batches. */
  maxBatch: number;
  /** More pending paths than this: the batcher gives up on paths and asks for a full re-index. */
  maxPending: number;
  send(batch: ChangeBatch): void;
  /** Too many changes at once (e.g. a branch switch): cheaper to rebuild than to patch. */
  overflow(): void;
  setTimer?: (f: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  now?: () => number;
}

export class ChangeBatcher {
  private readonly pending = new Map<string, ChangeKind>();
  private timer: unknown;
  private firstAt: number | undefined;
  private overflowed = false;
  private readonly setTimer: (f: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;
  private readonly now: () => number;

  constructor(private readonly o: BatcherOptions) {
    this.setTimer = o.setTimer ?? ((f, ms) => setTimeout(f, ms));
    this.clearTimer = o.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.pending.size;
  }

  add(path: string, kind: ChangeKind): void {
    if (this.overflowed) return;
    this.pending.delete(path); // re-insert: the order is the order of last change
    this.pending.set(path, kind);
    if (this.pending.size > this.o.maxPending) {
      this.overflowed = true;
      this.pending.clear();
    }
    this.firstAt ??= this.now();
    this.clearTimer(this.timer);
    const waited = this.now() - this.firstAt;
    this.timer = this.setTimer(() => this.flush(), Math.max(0, Math.min(this.o.debounceMs, this.o.maxWaitMs - waited)));
  }

  /** Sends what is pending now (also on dispose, so a change just before closing is not lost). */
  flush(): void {
    this.clearTimer(this.timer);
    this.timer = undefined;
    this.firstAt = undefined;
    if (this.overflowed) {
      this.overflowed = false;
      this.o.overflow();
      return;
    }
    const all = [...this.pending];
    this.pending.clear();
    for (let i = 0; i < all.length; i += this.o.maxBatch) {
      const batch: ChangeBatch = { changed: [], deleted: [] };
      for (const [path, kind] of all.slice(i, i + this.o.maxBatch)) batch[kind].push(path);
      this.o.send(batch);
    }
  }

  dispose(): void {
    this.clearTimer(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
