/**
 * A line diff that can be shown while the answer is still arriving. Each new line is
 * matched greedily against the original lines not yet consumed: if it appears ahead,
 * the original lines skipped over are removals; otherwise it is an addition. Greedy
 * matching can misplace a change (e.g. a repeated `}`), which is why the final diff is
 * recomputed exactly (hunks.ts) once the stream ends.
 */
import type { DiffLine } from "../api/edit";

// How far ahead a line may match. Bounded so one common line ("}" or "") far below
// does not turn a whole block into removals mid-stream.
const LOOKAHEAD = 12;

export class StreamingLineDiff {
  private next = 0;

  constructor(private readonly oldLines: readonly string[]) {}

  push(line: string): DiffLine[] {
    const limit = Math.min(this.oldLines.length, this.next + LOOKAHEAD);
    for (let i = this.next; i < limit; i++) {
      if (this.oldLines[i] === line && (line.trim() !== "" || i === this.next)) {
        const out: DiffLine[] = this.oldLines.slice(this.next, i).map((text) => ({ kind: "removed", text }));
        out.push({ kind: "same", text: line });
        this.next = i + 1;
        return out;
      }
    }
    return [{ kind: "added", text: line }];
  }

  /** The original lines never reached are removals. */
  end(): DiffLine[] {
    const out: DiffLine[] = this.oldLines.slice(this.next).map((text) => ({ kind: "removed", text }));
    this.next = this.oldLines.length;
    return out;
  }

  /** Index of the first original line not yet consumed (where the "working on" marker goes). */
  get position(): number {
    return this.next;
  }
}
