/**
 * A model stuck in a loop: the same block again, lines that differ only in their numbers,
 * or one line that repeats a fragment over and over. Each rule returns where to cut (the
 * completion keeps what came before the loop), or -1. They run on every streamed chunk,
 * so the upstream generation stops as soon as a loop shows.
 */
import { lineOffsets, nonTrivial } from "./lines";

/** Longest block (in lines) compared with the block right after it. */
const MAX_BLOCK_LINES = 8;
/** This many consecutive lines differing only in numbers are a loop, not a list. */
const PATTERN_RUN = 4;

/** Offset of the newline before line `i` (where a cut before that line goes). */
function before(offsets: readonly number[], i: number): number {
  return Math.max(0, offsets[i]! - 1);
}

/**
 * A block of 1–8 lines immediately followed by the same block (compared trimmed): cut before
 * the second copy. A one-line block must be non-trivial (two `}` in a row are code, not a loop).
 */
export function repeatedBlockCut(lines: readonly string[]): number {
  const t = lines.map((l) => l.trim());
  const offsets = lineOffsets(lines);
  for (let i = 0; i < t.length; i++) {
    for (let k = 1; k <= MAX_BLOCK_LINES && i + 2 * k <= t.length; k++) {
      let same = true;
      let meaningful = false;
      for (let j = 0; j < k && same; j++) {
        same = t[i + j] === t[i + k + j];
        if (nonTrivial(t[i + j]!)) meaningful = true;
      }
      if (same && meaningful && (k > 1 || t[i] !== "")) return before(offsets, i + k);
    }
  }
  return -1;
}

/** What a line says with its numbers blurred: `x1 = f(1);` and `x2 = f(2);` look the same. */
function shape(line: string): string {
  return line.trim().replace(/\d+/g, "0").replace(/\s+/g, " ");
}

/** Four or more consecutive lines that differ only in their numbers: keep the first, cut the rest. */
export function patternLinesCut(lines: readonly string[]): number {
  const offsets = lineOffsets(lines);
  let runStart = 0;
  for (let i = 1; i <= lines.length; i++) {
    const continues =
      i < lines.length && nonTrivial(lines[i]!) && shape(lines[i]!) === shape(lines[runStart]!) && lines[i] !== "";
    if (continues) {
      if (i - runStart + 1 >= PATTERN_RUN) return before(offsets, runStart + 1);
      continue;
    }
    runStart = i;
  }
  return -1;
}

/** Fragment lengths searched for in-line loops, and how often a fragment must occur in a row. */
const MIN_FRAGMENT = 2;
const MAX_FRAGMENT = 40;
const IN_LINE_TIMES = 4;
/** Longer lines are only searched this far; a loop shows well before that. */
const MAX_SEARCHED_LINE = 400;

/** True when `line` holds a fragment (with a letter, not one character doubled) four or more times in a row. */
export function repeatsWithinLine(line: string): boolean {
  const s = line.slice(0, MAX_SEARCHED_LINE);
  // Per period: the length of the current run where s[i] === s[i - period]; a run of
  // (times - 1) * period such characters is a fragment repeated `times` times. O(n · 40).
  for (let period = MIN_FRAGMENT; period <= MAX_FRAGMENT; period++) {
    let run = 0;
    for (let i = period; i < s.length; i++) {
      run = s[i] === s[i - period] ? run + 1 : 0;
      if (run >= (IN_LINE_TIMES - 1) * period) {
        const fragment = s.slice(i - period + 1, i + 1);
        if (/[\p{L}_]/u.test(fragment) && new Set(fragment.trim()).size >= 2) return true;
      }
    }
  }
  return false;
}

/**
 * A line that repeats a fragment (`.bar.bar.bar.bar`, `a, a, a, a`): the line is garbage, so
 * it goes with everything after it. Runs on the unfinished last line too: once the fragment
 * repeats, no later token can make that line right.
 */
export function inLineRepetitionCut(lines: readonly string[]): number {
  const offsets = lineOffsets(lines);
  for (let i = 0; i < lines.length; i++) if (repeatsWithinLine(lines[i]!)) return before(offsets, i);
  return -1;
}
