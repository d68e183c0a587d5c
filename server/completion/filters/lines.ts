/** Line helpers the postprocessing filters share: indentation, closers, what counts as code. */

export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Visual width of leading whitespace (a tab counts 4). */
export function width(ws: string): number {
  let w = 0;
  for (const ch of ws) w += ch === "\t" ? 4 : 1;
  return w;
}

/** A line worth comparing: enough letters or digits that a match is not a coincidence. */
export function nonTrivial(line: string): boolean {
  const t = line.trim();
  return t.length >= 4 && /[\p{L}\p{N}]/u.test(t);
}

/** Ends with something that opens a block: `{`, `(`, `[`, `:`, an arrow, `do`, `then`, `begin`. */
export const BLOCK_OPENER = /(?:[{([:]|=>|->|\bdo|\bthen|\bbegin)\s*$/;

/**
 * A line that starts by closing something: `}`, `)`, `]`, `end`, `</tag>` (possibly followed
 * by more, as in `} else {` or `});`).
 */
const CLOSER_HEAD = /^(?:[)\]}]+|end\b|<\/[\w.:-]+\s*>)/;

/** The closing part a line starts with (`}` for `} else {`, `})` for `});`), or "" when it starts with none. */
export function closerHead(line: string): string {
  return CLOSER_HEAD.exec(line.trim())?.[0].replace(/\s+/g, "") ?? "";
}

/** A line that only closes things: `}`, `};`, `});`, `end`, `</div>`. */
export function closerOnly(line: string): boolean {
  return /^(?:[)\]}]+[;,)\]}]*|end[;,]?|<\/[\w.:-]+\s*>)$/.test(line.trim());
}

/** Keywords that continue the statement of the line above at the same indentation. */
export const CONTINUATION =
  /^(?:else|elif|except|finally|catch|rescue|ensure|when|case|default)\b|^\}\s*(?:else|catch|finally)\b/;

/** Start offset of each line of `text`. */
export function lineOffsets(lines: readonly string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const l of lines) {
    out.push(at);
    at += l.length + 1;
  }
  return out;
}
