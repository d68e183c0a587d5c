/**
 * Decides whether a state change deserves a notification, so a crash loop or a flapping
 * AI service shows one toast, not one per retry. A state is announced when it differs from
 * the last announced one, or when the same state comes back after `quietMs`. Reaching a
 * healthy state re-arms everything.
 */
import type { StatusView } from "../backend/status-model";

export class NotifyGate {
  private lastKey: string | undefined;
  private lastAt = 0;

  constructor(
    private readonly quietMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Call with every new state; returns true when this one should be announced. */
  shouldNotify(view: Pick<StatusView, "key" | "severity" | "notification">): boolean {
    if (view.severity === "ok") {
      this.lastKey = undefined;
      return false;
    }
    if (view.notification === undefined) return false;
    const t = this.now();
    if (view.key === this.lastKey && t - this.lastAt < this.quietMs) return false;
    this.lastKey = view.key;
    this.lastAt = t;
    return true;
  }
}
