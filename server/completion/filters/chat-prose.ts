/**
 * Chat models talk around the code: "Sure! Here is the completed function:" before it, "This
 * completes the function." or "Let me know if…" after it. None of that may reach the ghost
 * text. Only for the chat template (FIM models do not chat), and only lines that read as
 * sentences addressed to the user, not code or comments.
 */

const PREAMBLE =
  /^(?:sure|certainly|of course|absolutely|okay|ok|alright|great|here(?:'s| is| are)|below is|the (?:completed?|missing|following|code|completion|rest)|to (?:complete|finish|fill)|i(?:'ve| have| will|'ll) (?:completed|filled|added|written))\b/i;

const SIGN_OFF =
  /^(?:this (?:completes|code|implementation|function now|should|will|fills|adds|finishes|way)|that(?:'s| is| should| completes)|these (?:lines|changes)|the (?:above|code above|completed|function now|rest of)|with (?:this|these) (?:change|addition)|let me know|i hope|hope (?:this|that)|note:|explanation:|in this (?:code|completion|implementation)|feel free)\b/i;

/** Ends like a sentence or an announcement (`.`, `!`, `:`), not like code (`;`, `{`, `)`, `,`). */
function readsAsSentence(line: string): boolean {
  const t = line.trim();
  return /[\p{L}`'")][.!:]?$/u.test(t) && !/[;{}]$/.test(t) && /\s/.test(t);
}

/** Drops the chat model's introduction before the code; `lines` ends are only judged when complete. */
export function stripPreamble(text: string, final: boolean): string {
  let out = text;
  for (;;) {
    const nl = out.indexOf("\n");
    const first = nl === -1 ? out : out.slice(0, nl);
    if (nl === -1 && !final) return out;
    const t = first.trim();
    if (t === "" && nl !== -1 && out.slice(nl + 1).trim() !== "" && out !== text) {
      out = out.slice(nl + 1);
      continue;
    }
    if (!PREAMBLE.test(t) || !(readsAsSentence(t) || /[:!]$/.test(t))) return out;
    out = nl === -1 ? "" : out.slice(nl + 1);
  }
}

/** Offset where a sign-off sentence after the code starts (before the newline preceding it), or -1. */
export function signOffCut(lines: readonly string[]): number {
  let at = 0;
  for (const [i, line] of lines.entries()) {
    if (i > 0 && SIGN_OFF.test(line.trim()) && readsAsSentence(line)) return Math.max(0, at - 1);
    at += line.length + 1;
  }
  return -1;
}
