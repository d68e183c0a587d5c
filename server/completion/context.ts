/**
 * What goes into the prompt besides the cursor: prefix and suffix windows cut to a token
 * budget, and snippets from other files, each filtered for secrets and ignore rules.
 * Context sources may be slow (disk, other services); each runs under its own time box
 * and is simply left out when late, because a late completion is a useless completion.
 */
import { charsForTokens, estimateTokens } from "../../common/tokens";
import { containsPrivateKey, isSecretPath } from "../../common/secrets";
import type { IgnoreMatcher } from "../../common/ignore";

export interface Snippet {
  filepath: string;
  content: string;
}

export interface ContextBudget {
  /** Total prompt budget in estimated tokens (see tokens.ts). */
  maxPromptTokens: number;
  /** Share of the budget the suffix may take at most. */
  suffixShare: number;
  /** Share of the budget snippets may take at most; unused budget goes to the prefix. */
  snippetShare: number;
}

export const DEFAULT_BUDGET: ContextBudget = { maxPromptTokens: 2048, suffixShare: 0.25, snippetShare: 0.25 };

/** Keeps the last lines of `prefix` that fit `tokens`; the line holding the cursor is always kept. */
export function prefixWindow(prefix: string, tokens: number): string {
  if (estimateTokens(prefix) <= tokens) return prefix;
  // Only the tail that could fit is split (at least one byte per character): splitting a
  // multi-megabyte document on every request is what would cost, not the window.
  const cursorLine = prefix.lastIndexOf("\n") + 1;
  const cut = Math.min(cursorLine, Math.max(0, prefix.length - charsForTokens(tokens) - 1));
  const atLineStart = cut === 0 || prefix[cut - 1] === "\n";
  const lines = prefix.slice(cut).split("\n");
  if (!atLineStart) lines.shift(); // a partial line never fits whole
  let start = lines.length - 1;
  // split() gives at least one line, and a partial first line is only dropped when a newline follows it.
  let used = estimateTokens(lines[start] ?? "");
  for (let line = lines[start - 1]; line !== undefined; line = lines[start - 1]) {
    const cost = estimateTokens(line) + 1;
    if (used + cost > tokens) break;
    used += cost;
    start -= 1;
  }
  return lines.slice(start).join("\n");
}

/** Keeps the first lines of `suffix` that fit `tokens`; the rest of the cursor's line is always kept. */
export function suffixWindow(suffix: string, tokens: number): string {
  if (estimateTokens(suffix) <= tokens) return suffix;
  // As in prefixWindow: only the head that could fit is split.
  const firstEnd = suffix.indexOf("\n");
  const head =
    firstEnd === -1 ? suffix.length : Math.max(firstEnd, Math.min(suffix.length, charsForTokens(tokens) + 1));
  const atLineEnd = head === suffix.length || suffix[head] === "\n";
  const lines = suffix.slice(0, head).split("\n");
  if (!atLineEnd) lines.pop();
  // split() gives at least one line, and a partial last line is only dropped when a newline precedes it.
  let used = estimateTokens(lines[0] ?? "");
  let end = 1;
  for (let line = lines[end]; line !== undefined; line = lines[end]) {
    const cost = estimateTokens(line) + 1;
    if (used + cost > tokens) break;
    used += cost;
    end += 1;
  }
  return lines.slice(0, end).join("\n");
}

export interface SnippetFilterOptions {
  ignore?: IgnoreMatcher;
  /** Maps a snippet path to the workspace-relative path the ignore rules are written against. */
  relativize?: (filepath: string) => string | null;
}

/** Drops snippets that look like secrets or are ignored; never sends what the user excluded. */
export function safeSnippets(snippets: readonly Snippet[], opts: SnippetFilterOptions): Snippet[] {
  return snippets.filter((s) => {
    if (isSecretPath(s.filepath) || containsPrivateKey(s.content)) return false;
    if (opts.ignore && !opts.ignore.empty) {
      const rel = opts.relativize ? opts.relativize(s.filepath) : s.filepath;
      if (rel !== null && opts.ignore.ignores(rel)) return false;
    }
    return s.content.trim() !== "";
  });
}

/** Takes snippets in the given (priority) order until the token budget is spent; trims the last one by lines. */
export function fitSnippets(snippets: readonly Snippet[], tokens: number): Snippet[] {
  const out: Snippet[] = [];
  let left = tokens;
  for (const s of snippets) {
    const header = estimateTokens(s.filepath) + 4;
    if (left <= header + 8) break;
    const cost = estimateTokens(s.content) + header;
    if (cost <= left) {
      out.push(s);
      left -= cost;
    } else {
      out.push({ filepath: s.filepath, content: suffixWindow(s.content, left - header) });
      break;
    }
  }
  return out;
}

export interface PromptContext {
  prefix: string;
  suffix: string;
  snippets: Snippet[];
}

/** Splits the budget: suffix and snippets capped by their shares, the prefix gets everything left. */
export function buildWindows(
  prefix: string,
  suffix: string,
  snippets: readonly Snippet[],
  budget: ContextBudget = DEFAULT_BUDGET,
): PromptContext {
  const total = budget.maxPromptTokens;
  const suf = suffixWindow(suffix, Math.floor(total * budget.suffixShare));
  const snips = fitSnippets(snippets, Math.floor(total * budget.snippetShare));
  const spent =
    estimateTokens(suf) + snips.reduce((n, s) => n + estimateTokens(s.content) + estimateTokens(s.filepath) + 4, 0);
  const pre = prefixWindow(prefix, Math.max(64, total - spent));
  return { prefix: pre, suffix: suf, snippets: snips };
}
