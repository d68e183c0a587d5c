/** The exact final diff (Myers, via the `diff` package): unchanged lines are never hunks. */
import { diffArrays } from "diff";
import type { Hunk } from "../api/edit";

export function computeHunks(oldLines: readonly string[], newLines: readonly string[]): Hunk[] {
  const hunks: Hunk[] = [];
  let oldPos = 0;
  let newPos = 0;
  let open: Hunk | undefined;
  for (const part of diffArrays([...oldLines], [...newLines])) {
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
    if (part.removed) {
      open.oldLines.push(...part.value);
      oldPos += n;
    } else {
      open.newLines.push(...part.value);
      newPos += n;
    }
  }
  return hunks;
}

/** Applies a subset of hunks (by index) to the original lines; the rest stay as they were. */
export function applyHunks(oldLines: readonly string[], hunks: readonly Hunk[], accepted: ReadonlySet<number>): string[] {
  const out: string[] = [];
  let pos = 0;
  hunks.forEach((h, i) => {
    out.push(...oldLines.slice(pos, h.oldStart));
    out.push(...(accepted.has(i) ? h.newLines : h.oldLines));
    pos = h.oldStart + h.oldLines.length;
  });
  out.push(...oldLines.slice(pos));
  return out;
}
