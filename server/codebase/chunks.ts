/**
 * Where a file is cut for retrieval: at each function, method or class start, and at
 * least every WINDOW lines, so a hit points at a definition-sized span of code rather than
 * a whole file.
 */
import type { Definition } from "./tags";

export const WINDOW = 40;
const MIN_LINES = 4;

/** [startLine, endLine] pairs, 1-based inclusive, covering lines 1..lineCount. */
export function chunkRanges(lineCount: number, defs: readonly Definition[]): Array<[number, number]> {
  const cuts = new Set<number>();
  for (const d of defs) if (d.kind !== "const") cuts.add(d.line);
  const ranges: Array<[number, number]> = [];
  let start = 1;
  for (let line = 2; line <= lineCount; line++) {
    const size = line - start;
    if ((cuts.has(line) && size >= MIN_LINES) || size >= WINDOW) {
      ranges.push([start, line - 1]);
      start = line;
    }
  }
  if (lineCount >= start) ranges.push([start, lineCount]);
  return ranges;
}
