/**
 * The stuck detector: a run that repeats itself is stopped instead of burning its budget.
 * Stuck when, over the latest steps:
 * - the same action with the same observation 4 times in a row;
 * - the same action failing 3 times in a row;
 * - two actions alternating A/B/A/B/A/B (6 steps), each seeing the same as before.
 */
import { createHash } from "node:crypto";

interface Seen {
  action: string;
  observation: string;
  failed: boolean;
}

const digest = (s: string) => createHash("sha1").update(s).digest("hex");

export class StuckDetector {
  private readonly recent: Seen[] = [];

  /** Records a step; returns a human reason when the run is stuck. */
  record(action: string, observation: string, failed: boolean): string | undefined {
    this.recent.push({ action: digest(action), observation: digest(observation), failed });
    if (this.recent.length > 6) this.recent.shift();
    const r = this.recent;
    const last = (n: number) => r.slice(-n);
    const same = (a: Seen, b: Seen) => a.action === b.action && a.observation === b.observation;
    if (r.length >= 4 && last(4).every((s) => same(s, r.at(-1)!)))
      return "the same action gave the same result 4 times in a row";
    if (r.length >= 3 && last(3).every((s) => s.failed && s.action === r.at(-1)!.action))
      return "the same action failed 3 times in a row";
    if (r.length === 6) {
      const [a, b] = [r[0]!, r[1]!];
      if (a.action !== b.action && r.every((s, i) => same(s, i % 2 === 0 ? a : b)))
        return "two actions alternated 3 times without progress";
    }
    return undefined;
  }
}
