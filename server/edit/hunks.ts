/**
 * The final diff as hunks. Unchanged lines are never hunks.
 *
 * Myers (via the `diff` package) costs O((N+M)·D) time, D the edit distance: two fully
 * different 4,000-line texts took 2.2 s of synchronous CPU, 50,000 lines over ten minutes,
 * with the event loop (and `/health`) frozen the whole time. So the exact diff runs on the
 * differing middle only (common leading/trailing lines are trimmed in O(N) first) and under
 * a bound on both edit length and wall time; past the bound the middle becomes one coarse
 * replace hunk. Either way applying every hunk yields exactly the new text.
 */
import { diffArrays } from "diff";
import type { Hunk } from "../api/edit";

export interface DiffBounds {
  /** Largest edit distance (lines added + removed) the exact diff explores. */
  maxEditLength: number;
  /** Wall-time budget of the exact diff in ms; this much synchronous work is what a concurrent `/health` may wait. */
  timeoutMs: number;
}

/**
 * 20 ms keeps the event loop answering well inside the 50 ms p99 target, and is enough for
 * edit distances of several hundred lines (any real edit or chat "apply").
 */
export const DIFF_BOUNDS: DiffBounds = { maxEditLength: 4_000, timeoutMs: 20 };

/** Request caps for `POST /api/edit/diff` (checked by the route, named in its 400). */
export { MAX_DIFF_CHARS, MAX_DIFF_LINES } from "../api/schemas/edit";

export function computeHunks(
  oldLines: readonly string[],
  newLines: readonly string[],
  bounds: DiffBounds = DIFF_BOUNDS,
): Hunk[] {
  let start = 0;
  const shorter = Math.min(oldLines.length, newLines.length);
  while (start < shorter && oldLines[start] === newLines[start]) start++;
  let oldEnd = oldLines.length;
  let newEnd = newLines.length;
  while (oldEnd > start && newEnd > start && oldLines[oldEnd - 1] === newLines[newEnd - 1]) {
    oldEnd--;
    newEnd--;
  }
  if (start === oldEnd && start === newEnd) return [];
  const oldMid = oldLines.slice(start, oldEnd);
  const newMid = newLines.slice(start, newEnd);
  // One side empty: a pure insertion or deletion, nothing to search.
  const parts =
    oldMid.length === 0 || newMid.length === 0
      ? undefined
      : diffArrays(oldMid, newMid, { maxEditLength: bounds.maxEditLength, timeout: bounds.timeoutMs });
  if (!parts) return [{ oldStart: start, oldLines: oldMid, newStart: start, newLines: newMid }];

  const hunks: Hunk[] = [];
  let oldPos = start;
  let newPos = start;
  let open: Hunk | undefined;
  for (const part of parts) {
    const n = part.count ?? part.value.length;
    if (!part.added && !part.removed) {
      open = undefined;
      oldPos += n;
      newPos += n;
      continue;
    }
    if (!open) {
      open = { oldStart: oldPos, oldLines: [], newStart: newPos, newLines: [] };
      hunks.push(open);
    }
    // Appended one by one: spreading a 50,000-line part as arguments overflows the stack.
    const target = part.removed ? open.oldLines : open.newLines;
    for (const line of part.value) target.push(line);
    if (part.removed) oldPos += n;
    else newPos += n;
  }
  return hunks;
}

/** Applies a subset of hunks (by index) to the original lines; the rest stay as they were. */
export function applyHunks(
  oldLines: readonly string[],
  hunks: readonly Hunk[],
  accepted: ReadonlySet<number>,
): string[] {
  const out: string[] = [];
  let pos = 0;
  const append = (lines: readonly string[]) => {
    for (const line of lines) out.push(line);
  };
  hunks.forEach((h, i) => {
    append(oldLines.slice(pos, h.oldStart));
    append(accepted.has(i) ? h.newLines : h.oldLines);
    pos = h.oldStart + h.oldLines.length;
  });
  append(oldLines.slice(pos));
  return out;
}
