/**
 * Indentation off by one: a model that writes one space too many or too few on the first line
 * (the cursor already sits at the right column) or shifts every following line by the same
 * odd amount. Only spaces, only against the file's own indentation unit, and never lines that
 * are aligned on purpose (doc-comment `*` lines, arguments lined up under a bracket keep
 * their place relative to the line they continue).
 */
import { BLOCK_OPENER, indentOf, width } from "./lines";

export interface IndentInput {
  /** Text of the cursor's line before the cursor. */
  linePrefix: string;
  /** The last non-blank line above the cursor's line ("" when none). */
  lineAbove: string;
  /** The file's indentation unit in spaces (2, 4, …), null for tabs or unknown. */
  unit: number | null;
}

/** Where the first line should start when the cursor sits on a blank line: from the line above. */
function expectedIndent(lineAbove: string, unit: number): number {
  const w = width(indentOf(lineAbove));
  return BLOCK_OPENER.test(lineAbove.trimEnd()) ? w + unit : w;
}

/** The first line, when the cursor is on a blank line: one space off the expected column → the expected column. */
function fixFirstLine(text: string, input: IndentInput, unit: number): string {
  if (input.linePrefix.trim() !== "" || /^\t/.test(text)) return text;
  const lead = /^ */.exec(text)![0];
  if (text.trim() === "" || /^\s*\*/.test(text)) return text;
  const at = width(input.linePrefix);
  const col = at + lead.length;
  const expected = expectedIndent(input.lineAbove, unit);
  let target = col;
  if (Math.abs(col - expected) === 1) target = expected;
  else if (lead.length > 0 && lead.length < unit && at % unit === 0) target = at; // the cursor's column is already right
  if (target === col || target < at) return text;
  return " ".repeat(target - at) + text.slice(lead.length);
}

/** Lines whose indentation says where a block level is (not continuations of an open bracket, not doc-comment stars). */
function structuralLines(lines: readonly string[]): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const code = line.trim();
    if (i > 0 && code !== "" && depth <= 0 && !code.startsWith("*") && !/^\t/.test(line)) out.push(i);
    for (const ch of code) {
      if (ch === "(" || ch === "[") depth++;
      else if (ch === ")" || ch === "]") depth--;
    }
    if (depth < 0) depth = 0;
  }
  return out;
}

/** Every following line shifted by the same amount off the unit: shift them all back (the nearest way). */
function fixFollowingLines(text: string, unit: number): string {
  const lines = text.split("\n");
  const structural = structuralLines(lines);
  if (structural.length === 0) return text;
  const residues = new Set(structural.map((i) => indentOf(lines[i]!).length % unit));
  if (residues.size !== 1) return text;
  const r = [...residues][0]!;
  if (r === 0 || (r !== 1 && r !== unit - 1)) return text;
  const delta = r === 1 ? -1 : 1;
  return lines
    .map((l, i) => {
      if (i === 0 || l.trim() === "" || /^\t/.test(l)) return l;
      const lead = indentOf(l).length;
      return " ".repeat(Math.max(0, lead + delta)) + l.slice(lead);
    })
    .join("\n");
}

export function normalizeIndentation(text: string, input: IndentInput): string {
  const unit = input.unit;
  if (unit === null || unit < 2) return text;
  return fixFollowingLines(fixFirstLine(text, input, unit), unit);
}
