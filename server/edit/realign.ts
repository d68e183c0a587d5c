/**
 * When a model's answer covers more than the target. Asked to rewrite the loop inside
 * `total`, a model often answers with the whole method; applied to the loop's lines that
 * puts a second `def total(self):` inside the first. The answer's first code line tells:
 * if it is the header (or first line) of a block around the target, the edit is re-aligned
 * to that block's lines; if it is some other line above the target, the answer cannot be
 * placed and the user is told — never a duplicated header.
 *
 * Lines here are relative to the target's first line (negative = above it), as in
 * EditRequest.enclosing.
 */
import type { EnclosingBlock } from "../api/edit";

export type Realignment =
  | { kind: "keep" }
  | { kind: "retarget"; startLine: number; endLine: number; label: string }
  | { kind: "overreach"; line: number; text: string };

export interface RegionText {
  /** Lines above the target (the request's `before`), nearest last. */
  above: readonly string[];
  /** The target's lines. */
  code: readonly string[];
  /** Lines below the target (the request's `after`). */
  below: readonly string[];
}

/** A line shorter than this (`}`, `end`, `else:`) proves nothing about where an answer starts. */
const MIN_DISTINCT = 6;

export function realign(
  firstAnswerLine: string,
  region: RegionText,
  enclosing: readonly EnclosingBlock[],
): Realignment {
  const first = firstAnswerLine.trim();
  if (first === "" || enclosing.length === 0) return { kind: "keep" };
  const at = (rel: number): string | undefined =>
    rel < 0
      ? region.above[region.above.length + rel]
      : rel < region.code.length
        ? region.code[rel]
        : region.below[rel - region.code.length];
  const same = (rel: number) => at(rel)?.trim() === first;
  if (region.code.some((l) => l.trim() !== "") && same(firstCodeLine(region.code))) return { kind: "keep" };

  for (const block of enclosing) {
    if (block.startLine >= 0) continue;
    // The header without its decorators keeps them; from the decorators on replaces them too.
    const start = same(block.headerLine) ? block.headerLine : same(block.startLine) ? block.startLine : undefined;
    if (start === undefined) continue;
    const fits = start >= -region.above.length && block.endLine < region.code.length + region.below.length;
    if (!fits) return { kind: "overreach", line: start, text: first };
    return { kind: "retarget", startLine: start, endLine: block.endLine, label: block.label };
  }
  // Any other distinctive line of the enclosing block above the target: the answer starts
  // above it, at a line that opens no block we could re-align to.
  if (first.length >= MIN_DISTINCT) {
    const innermost = enclosing.find((b) => b.startLine < 0);
    const from = Math.max(innermost ? innermost.startLine : 0, -region.above.length);
    for (let rel = -1; rel >= from; rel--) if (same(rel)) return { kind: "overreach", line: rel, text: first };
  }
  return { kind: "keep" };
}

function firstCodeLine(code: readonly string[]): number {
  return code.findIndex((l) => l.trim() !== "");
}
