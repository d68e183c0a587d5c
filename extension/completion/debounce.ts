/**
 * Debounce policy for inline completion requests, adapted to typing speed, fed with every
 * keystroke (decisions.ts). vscode-free so the benchmark drives exactly the policy the
 * extension uses.
 *
 * Fast typing means the user knows what they are writing: a request per keystroke would
 * be superseded by the next one anyway, so we wait a bit longer than their current
 * inter-key interval. A pause is when a suggestion is wanted, so the delay never exceeds
 * `maxMs`. The interval estimate is an exponential moving average; a long pause restarts
 * it, because speed before a pause says little about speed after it.
 */

export interface DebounceOptions {
  minMs: number;
  maxMs: number;
  /** Delay = factor × average interval between keystrokes (clamped). */
  factor: number;
  /** Assumed interval before any keystroke was seen. */
  initialIntervalMs: number;
  /** Weight of the newest interval in the moving average. */
  alpha: number;
  /** Intervals longer than this are pauses, not typing speed. */
  pauseMs: number;
}

/**
 * Tuned with bench/completion.ts (requests ≤ 25 % of keystrokes even when every answer is
 * wrong) and bench/vscode-ghost-latency.ts (ghost text ≤ the model's first token + 150 ms
 * after a burst). The budget buys speed: a request that fires inside a burst is cheap (the
 * backend supersedes it with the next one, or reuses it when it is still right), a late one
 * after the burst is what the user waits for. Factor 1.2 with a 50 ms floor sends the request
 * ~55–60 ms after the last key of a fast burst (45 ms per key) and ~120 ms after keys at ~100 ms.
 * Measured 2026-11-30 on a quiet machine (load ~1): requests 4.5 % of keystrokes (22.5 % when every
 * answer is wrong), ghost text 228 ms after the last key with a 100 ms model; factor 1.1 gave
 * 31 % when every answer is wrong (over budget), factor 1.4 143 ms from last key to request.
 */
export const DEFAULT_DEBOUNCE: DebounceOptions = {
  minMs: 50,
  maxMs: 350,
  factor: 1.2,
  initialIntervalMs: 150,
  alpha: 0.3,
  pauseMs: 1_000,
};

export class AdaptiveDebounce {
  private readonly o: DebounceOptions;
  private avg: number;
  private last: number | null = null;

  constructor(options: Partial<DebounceOptions> = {}) {
    this.o = { ...DEFAULT_DEBOUNCE, ...options };
    this.avg = this.o.initialIntervalMs;
  }

  /** Records a keystroke at `now` (ms) and returns how long to wait before requesting. */
  keystroke(now: number): number {
    if (this.last !== null) {
      const interval = now - this.last;
      if (interval > this.o.pauseMs) this.avg = this.o.initialIntervalMs;
      else this.avg = this.o.alpha * interval + (1 - this.o.alpha) * this.avg;
    }
    this.last = now;
    return this.delay();
  }

  delay(): number {
    return Math.round(Math.min(this.o.maxMs, Math.max(this.o.minMs, this.o.factor * this.avg)));
  }

  /** How much of the delay after the last keystroke is still ahead at `now` (0 when none was seen). */
  remaining(now: number): number {
    return this.last === null ? 0 : Math.max(0, this.last + this.delay() - now);
  }
}
