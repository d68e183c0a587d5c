/**
 * Mentions typed in a chat message: `@selection`, `@problems`, `@terminal`, `@codebase` (the
 * backend retrieves from the open folder's index for the question), `@workspace`
 * (the running Docker workspace) or `@workspace:name`, `@path/to/file.ts`, and
 * `@"path with spaces.txt"` (quotes for paths with spaces; `\"` and `\\` escape inside). IDE-agnostic and DOM-free: the webview parses what the user
 * typed with it, the extension resolves the result.
 */

export const KEYWORD_MENTIONS = ["selection", "problems", "terminal", "codebase", "workspace"] as const;
export type KeywordMention = (typeof KEYWORD_MENTIONS)[number];

export type Mention =
  | { kind: Exclude<KeywordMention, "workspace"> }
  | { kind: "workspace"; name?: string }
  | { kind: "file"; path: string };

export interface ParsedMention {
  mention: Mention;
  /** Offsets of the whole `@…` token in the text. */
  start: number;
  end: number;
}

const isKeyword = (s: string): s is KeywordMention => (KEYWORD_MENTIONS as readonly string[]).includes(s);

/** Characters that end an unquoted mention (punctuation a sentence might put after a path). */
const TRAILING_PUNCT = /[.,;:!?)\]}'"]+$/;

export function parseMentions(text: string): ParsedMention[] {
  const out: ParsedMention[] = [];
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf("@", i);
    if (at === -1) break;
    // An @ inside a word (an e-mail address, a decorator call like foo@bar) is not a mention.
    if (at > 0 && /[\w.@]/.test(text.charAt(at - 1))) {
      i = at + 1;
      continue;
    }
    if (text[at + 1] === '"') {
      let j = at + 2;
      let path = "";
      let closed = false;
      while (j < text.length) {
        const ch = text.charAt(j);
        if (ch === "\\" && j + 1 < text.length) {
          path += text[j + 1];
          j += 2;
          continue;
        }
        if (ch === '"') {
          closed = true;
          j++;
          break;
        }
        if (ch === "\n") break;
        path += ch;
        j++;
      }
      if (closed && path.trim() !== "")
        out.push({ mention: { kind: "file", path: normalizePath(path) }, start: at, end: j });
      i = closed ? j : at + 1;
      continue;
    }
    const m = /^[^\s@]+/.exec(text.slice(at + 1));
    if (!m) {
      i = at + 1;
      continue;
    }
    const raw = m[0].replace(TRAILING_PUNCT, "");
    const end = at + 1 + raw.length;
    const wsName = /^workspace:([\w.-]+)$/.exec(raw)?.[1];
    if (wsName !== undefined) out.push({ mention: { kind: "workspace", name: wsName }, start: at, end });
    else if (raw !== "") {
      if (isKeyword(raw))
        out.push({ mention: raw === "workspace" ? { kind: "workspace" } : { kind: raw }, start: at, end });
      else if (/[./\\]/.test(raw) || /\w/.test(raw))
        out.push({ mention: { kind: "file", path: normalizePath(raw) }, start: at, end });
    }
    i = Math.max(end, at + 1);
  }
  return out;
}

/** `/` separators, no leading `./`. */
export function normalizePath(path: string): string {
  return path
    .trim()
    .replace(/\\/g, "/")
    .replace(/^(\.\/)+/, "");
}

/** The text a mention is written as; quotes when the path needs them. */
export function formatMention(m: Mention): string {
  if (m.kind === "workspace") return m.name ? `@workspace:${m.name}` : "@workspace";
  if (m.kind !== "file") return `@${m.kind}`;
  return /[\s"@]/.test(m.path) || m.path === "" ? `@"${m.path.replace(/["\\]/g, (c) => `\\${c}`)}"` : `@${m.path}`;
}

export function mentionKey(m: Mention): string {
  if (m.kind === "file") return `file:${m.path}`;
  if (m.kind === "workspace") return m.name ? `workspace:${m.name}` : "workspace";
  return m.kind;
}

/** Unique mentions, first occurrence order. */
export function uniqueMentions(list: readonly Mention[]): Mention[] {
  const seen = new Set<string>();
  return list.filter((m) => {
    const k = mentionKey(m);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
