/**
 * The text after the cursor on its line, which the completion may close, restate or rewrite:
 *
 * - brackets, quotes and closing tags the rest of the line already closes are not inserted
 *   again (`console.log(│);` + `"hi");` → `"hi"`);
 * - a completion that rewrites the rest of the line replaces it (`greet(│)` + `name): string {`),
 *   also when it goes on for more lines: a whole function started inside `fn(│)` is kept
 *   whole, not cut to its first argument;
 * - a completion that ends with what the line goes on with (`;` before `;`, `>` or `/>` before
 *   the same in JSX/HTML, `baz` before `baz)`) does not write it twice.
 */

function isSubsequence(needle: string, hay: string): boolean {
  let j = 0;
  for (let i = 0; i < hay.length && j < needle.length; i++) if (hay[i] === needle[j]) j++;
  return j === needle.length;
}

const CLOSER_OF: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

/**
 * Index of the first character in `text` that closes something opened before the cursor
 * (a bracket with no opener in `text`, a quote with no partner in `text`, a closing tag
 * whose opening tag is not in `text`) and that the rest of the line also closes.
 */
function firstExcessCloser(text: string, rest: string): number {
  // Looked up once: `rest` can be a very long line, and `text` may hold thousands of closers.
  const inRest: Record<string, boolean> = {};
  for (const c of "\"'`)]}") inRest[c] = rest.includes(c);
  const stack: string[] = [];
  let quote: string | null = null;
  let found = -1;
  for (let i = 0; i < text.length && found === -1; i++) {
    const ch = text.charAt(i);
    if (quote !== null) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") {
      const partner = text.indexOf(ch, i + 1);
      if (partner === -1 && inRest[ch]) found = i;
      else if (partner !== -1) quote = ch;
    } else if (ch === "(" || ch === "[" || ch === "{") {
      stack.push(ch);
    } else if (ch in CLOSER_OF) {
      if (stack.length > 0 && stack[stack.length - 1] === CLOSER_OF[ch]) stack.pop();
      else if (stack.length === 0 && inRest[ch]) found = i;
    }
  }
  const tag = /^\s*<\/([A-Za-z][\w.:-]*)\s*>/.exec(rest);
  if (tag) {
    const close = text.indexOf(`</${tag[1]}`);
    if (close !== -1 && !new RegExp(`<${tag[1]}[\\s>/]`).test(text.slice(0, close)) && (found === -1 || close < found))
      found = close;
  }
  return found;
}

const strip = (s: string) => s.replace(/\s+/g, "");

/**
 * The end of `text` that the rest of the line starts with: punctuation (`;`, `,`, `>`, `/>`,
 * `:`) of any length, other text from three characters on (a shorter word overlap is as
 * likely a coincidence). Returns the number of characters to drop from `text`.
 */
export function overlapWithRest(text: string, rest: string): number {
  const lead = /^[ \t]*/.exec(rest)![0];
  for (const r of lead === "" ? [rest] : [rest, rest.slice(lead.length)]) {
    for (let k = Math.min(text.length, r.length); k > 0; k--) {
      const piece = r.slice(0, k);
      if (piece.trim() === "" || !text.endsWith(piece)) continue;
      if (/^[\s;,:>/]+$/.test(piece) || piece.trim().length >= 3) return k;
    }
  }
  return 0;
}

export interface Fitted {
  text: string;
  replaceSuffixChars: number;
}

export function fitRestOfLine(text: string, rest: string): Fitted {
  if (rest.trim() === "") return { text, replaceSuffixChars: 0 };
  const e = firstExcessCloser(text, rest);
  if (e !== -1) {
    const tail = text.slice(e);
    if (tail.trimEnd() === rest.trimEnd()) return { text: text.slice(0, e), replaceSuffixChars: 0 };
    const nl = tail.indexOf("\n");
    const tailLine = nl === -1 ? tail : tail.slice(0, nl);
    // The model rewrote the rest of the line (and maybe went on to further lines): replace it.
    if (isSubsequence(strip(rest), strip(tailLine))) return { text, replaceSuffixChars: rest.length };
    return { text: text.slice(0, e), replaceSuffixChars: 0 };
  }
  return dropOverlap(text, rest);
}

function dropOverlap(text: string, rest: string): Fitted {
  const k = overlapWithRest(text, rest);
  return { text: text.slice(0, text.length - k), replaceSuffixChars: 0 };
}
