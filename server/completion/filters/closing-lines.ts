/**
 * Closing lines the file already has. The model closes the block it is in, but the line after
 * the cursor closes it already — not always with an equal line: `}` before `} else {`, `};`
 * before `}`, `})` before `});`. Compared by indentation and by the closers a line starts with.
 */
import { closerHead, closerOnly, indentOf, width } from "./lines";

/** Index of the first completion line that repeats the closer of `next` (the suffix's next non-blank line), or -1. */
export function duplicateCloserLine(lines: readonly string[], linePrefix: string, next: string | null): number {
  if (next === null) return -1;
  const head = closerHead(next);
  const nextWidth = width(indentOf(next));
  for (let i = 0; i < lines.length; i++) {
    // The first line continues the cursor's line; it is its own line only when nothing precedes it.
    if (i === 0 && linePrefix.trim() !== "") continue;
    const line = i === 0 ? linePrefix + lines[0]! : lines[i]!;
    if (line.trim() === "") continue;
    if (i > 0 && line.trimEnd() === next.trimEnd()) return i;
    if (head === "" || !closerOnly(line) || width(indentOf(line)) !== nextWidth) continue;
    const mine = closerHead(line);
    if (mine.startsWith(head) || head.startsWith(mine)) return i;
  }
  return -1;
}
