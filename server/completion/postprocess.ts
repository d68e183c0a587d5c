/**
 * Turns raw model output into exactly the text to insert at the cursor (or nothing).
 *
 * Two stages. `findCut` runs on every streamed chunk as well as on the final text: it
 * applies the rules that truncate (stop sequences, leaked special tokens, reasoning
 * blocks, markdown fences, single-line limit, repetition loops, restating the suffix).
 * When one of them fires, later tokens cannot change the result, so the caller stops the
 * upstream generation right there. `postprocess` then shapes the kept text (indentation,
 * echoes, brackets already after the cursor, mid-line replacement) and decides whether
 * anything is worth showing.
 */
import { FAMILY_STOPS, type TemplateName } from "./templates";
import type { CursorSituation } from "./prefilter";

export interface PostprocessContext {
  prefix: string;
  suffix: string;
  languageId: string;
  situation: CursorSituation;
  template: TemplateName;
  /** Extra stop sequences (from the request or the service); family stops are always applied. */
  stop?: readonly string[];
  maxLines?: number;
}

export interface CutResult {
  text: string;
  /** Name of the rule that truncated the text; null while nothing forced an end. */
  rule: string | null;
}

export interface Postprocessed {
  completion: string | null;
  /** Characters after the cursor, on the cursor's line, that `completion` replaces (0: plain insertion). */
  replaceSuffixChars: number;
  /** Why the completion is null, for logs and the response. */
  reason?: string;
}

const LEAKED_TOKENS: readonly string[] = [
  ...new Set([
    ...Object.values(FAMILY_STOPS).flat(),
    "<|endoftext|>",
    "<|im_end|>",
    "<|im_start|>",
    "<|file_separator|>",
    "<|eot_id|>",
    "<|end|>",
    "</s>",
    "<EOT>",
    "<|EOT|>",
    "<end_of_turn>",
  ]),
].filter((t) => t.trim() !== "");

// Any `<|name|>` (or DeepSeek's full-width `<｜name｜>`) is a control token, never code.
const SPECIAL_TOKEN_RE = /<\|[A-Za-z0-9_]+\|>|<｜[^｜\n]{1,40}｜>/;
const BLOCK_OPENER = /(?:[{([:]|=>|->|\bdo|\bthen|\bbegin)\s*$/;
const DEFAULT_MAX_LINES = 40;

function indexOfFirst(text: string, needles: readonly string[]): number {
  let best = -1;
  for (const n of needles) {
    if (n === "") continue;
    const i = text.indexOf(n);
    if (i !== -1 && (best === -1 || i < best)) best = i;
  }
  const m = SPECIAL_TOKEN_RE.exec(text);
  if (m && (best === -1 || m.index < best)) best = m.index;
  return best;
}

/** A line worth comparing: enough letters or digits that a match is not a coincidence. */
function nonTrivial(line: string): boolean {
  const t = line.trim();
  return t.length >= 4 && /[\p{L}\p{N}]/u.test(t);
}

// The helpers below read the document around the cursor, which can be megabytes, and run on
// every streamed chunk: they scan only as far as they need instead of splitting it all.

function firstNonBlankSuffixLine(suffix: string): string | null {
  let at = suffix.indexOf("\n");
  while (at !== -1) {
    const end = suffix.indexOf("\n", at + 1);
    const l = suffix.slice(at + 1, end === -1 ? undefined : end);
    if (l.trim() !== "") return l.replace(/\r$/, "");
    at = end;
  }
  return null;
}

/** The line above the cursor's line ("" when there is none). */
function lineAboveCursor(prefix: string): string {
  const lineStart = prefix.lastIndexOf("\n");
  if (lineStart === -1) return "";
  return prefix.slice(prefix.lastIndexOf("\n", lineStart - 1) + 1, lineStart);
}

/** How much text on each side of the cursor the indentation style is read from: ~2,000 lines is plenty. */
const INDENT_SAMPLE_CHARS = 64 * 1024;

/**
 * The document's indentation style, from the text near the cursor, computed once per
 * generation (the context object): splitting a multi-megabyte document into lines took
 * seconds of CPU on a loaded machine.
 */
const indentStyles = new WeakMap<PostprocessContext, IndentStyle | null>();
function documentIndentStyle(ctx: PostprocessContext): IndentStyle | null {
  let style = indentStyles.get(ctx);
  if (style === undefined) {
    style = fileIndentStyle(ctx.prefix.slice(-INDENT_SAMPLE_CHARS) + ctx.suffix.slice(0, INDENT_SAMPLE_CHARS));
    indentStyles.set(ctx, style);
  }
  return style;
}

/**
 * Drops `<think>…</think>` blocks (and the whitespace after them) and cuts at an unfinished
 * one. A scan, not /<think>[\s\S]*?<\/think>/g: that regex retries from every `<think>`
 * to the end of the text when none is closed, quadratic on every streamed chunk.
 */
function stripThinking(text: string): string {
  let out = "";
  let pos = 0;
  for (;;) {
    const open = text.indexOf("<think>", pos);
    if (open === -1) return out + text.slice(pos);
    out += text.slice(pos, open);
    const close = text.indexOf("</think>", open + "<think>".length);
    if (close === -1) return out;
    pos = close + "</think>".length;
    while (pos < text.length && /\s/.test(text.charAt(pos))) pos++;
  }
}

export function findCut(raw: string, ctx: PostprocessContext, final: boolean): CutResult {
  let text = raw;
  let rule: string | null = null;
  const cut = (at: number, name: string): void => {
    if (at >= text.length) return;
    text = text.slice(0, at);
    rule ??= name;
  };

  // Reasoning models think first; an unfinished think block means nothing usable yet.
  text = stripThinking(text);

  const chatOpen = text.indexOf("<COMPLETION>");
  if (chatOpen !== -1) text = text.slice(chatOpen + "<COMPLETION>".length);

  const stopAt = indexOfFirst(text, [...LEAKED_TOKENS, ...(ctx.stop ?? [])]);
  if (stopAt !== -1) cut(stopAt, "stop");

  if (ctx.languageId !== "markdown") {
    // Chat models sometimes introduce the block ("Here is the code:") before fencing it.
    if (ctx.template === "chat") text = text.replace(/^[^\n`]*:[ \t]*\n(?=[ \t]*```)/, "");
    const lead = /^\s*```[^\n]*/.exec(text);
    if (lead) {
      const nl = text.indexOf("\n", lead[0].length);
      if (nl === -1) text = "";
      else text = text.slice(nl + 1);
    }
    const close = /(^|\n)[ \t]*```/.exec(text);
    if (close) cut(close.index, "fence");
  }

  const completeLines = (): string[] => {
    const lines = text.split("\n");
    // While streaming, the last line may still grow: judge complete lines only.
    return final ? lines : lines.slice(0, -1);
  };

  if (!ctx.situation.multiline) {
    const nl = text.indexOf("\n");
    if (nl !== -1) cut(nl, "single-line");
  } else {
    const maxLines = ctx.maxLines ?? DEFAULT_MAX_LINES;
    const lines = completeLines();
    if (lines.length > maxLines) cut(lines.slice(0, maxLines).join("\n").length, "max-lines");
  }

  // A model stuck in a loop repeats the same line; keep the first occurrence.
  {
    const lines = completeLines();
    let offset = 0;
    let prev: string | undefined;
    for (const line of lines) {
      if (prev !== undefined && nonTrivial(line) && line.trim() === prev.trim()) {
        cut(offset - 1, "repetition");
        break;
      }
      offset += line.length + 1;
      prev = line;
    }
  }

  // Stop where the model starts writing what already follows the cursor.
  const next = firstNonBlankSuffixLine(ctx.suffix);
  if (next !== null && ctx.situation.restOfLine.trim() === "" && nonTrivial(next)) {
    const lines = completeLines();
    let offset = 0;
    for (const [i, written] of lines.entries()) {
      const line = i === 0 ? ctx.situation.linePrefix + written : written;
      const onNewLine = i > 0 || ctx.situation.linePrefix.trim() === "";
      if (onNewLine && line.trim() === next.trim()) {
        cut(Math.max(0, offset - 1), "suffix");
        break;
      }
      offset += written.length + 1;
    }
  }

  return { text, rule };
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function width(ws: string): number {
  let w = 0;
  for (const ch of ws) w += ch === "\t" ? 4 : 1;
  return w;
}

interface IndentStyle {
  tabs: boolean;
  unit: number;
}

function fileIndentStyle(text: string): IndentStyle | null {
  let tabs = 0;
  let spaces = 0;
  let unit = Infinity;
  for (const line of text.split("\n")) {
    if (line.startsWith("\t")) tabs++;
    else if (line.startsWith(" ") && line.trim() !== "") {
      spaces++;
      unit = Math.min(unit, indentOf(line).length);
    }
  }
  if (tabs === 0 && spaces === 0) return null;
  return tabs > spaces ? { tabs: true, unit: 4 } : { tabs: false, unit: unit >= 2 && unit <= 8 ? unit : 4 };
}

function convertIndentation(text: string, style: IndentStyle): string {
  const lines = text.split("\n");
  if (style.tabs) {
    const runs = lines
      .slice(1)
      .map((l) => /^ */.exec(l)![0].length)
      .filter((n) => n > 0);
    if (runs.length === 0) return text;
    const unit = runs.every((n) => n % 4 === 0) ? 4 : 2;
    return lines
      .map((l, i) => (i === 0 ? l : l.replace(/^ +/, (m) => "\t".repeat(Math.round(m.length / unit)))))
      .join("\n");
  }
  return lines.map((l, i) => (i === 0 ? l : l.replace(/^\t+/, (m) => " ".repeat(m.length * style.unit)))).join("\n");
}

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

/** Brackets, quotes and tags already after the cursor are not inserted again; a completion that rewrites the rest of the line replaces it. */
export function fitRestOfLine(text: string, rest: string): { text: string; replaceSuffixChars: number } {
  if (rest.trim() === "") return { text, replaceSuffixChars: 0 };
  const e = firstExcessCloser(text, rest);
  if (e === -1) return { text, replaceSuffixChars: 0 };
  const tail = text.slice(e);
  if (tail.trimEnd() === rest.trimEnd()) return { text: text.slice(0, e), replaceSuffixChars: 0 };
  const strip = (s: string) => s.replace(/\s+/g, "");
  if (!tail.includes("\n") && isSubsequence(strip(rest), strip(tail))) return { text, replaceSuffixChars: rest.length };
  return { text: text.slice(0, e), replaceSuffixChars: 0 };
}

export function postprocess(raw: string, ctx: PostprocessContext, opts: { partial?: boolean } = {}): Postprocessed {
  const none = (reason: string): Postprocessed => ({ completion: null, replaceSuffixChars: 0, reason });
  const sit = ctx.situation;
  let { text } = findCut(raw, ctx, true);

  // A generation cut by the time limit ends mid-line; keep only whole lines when there are some.
  if (opts.partial && sit.multiline && text.includes("\n")) text = text.slice(0, text.lastIndexOf("\n"));

  const blankLinePrefix = sit.linePrefix.trim() === "";

  // Chat models tend to repeat the start of the line they were asked to finish.
  if (ctx.template === "chat" && !blankLinePrefix) {
    const head = sit.linePrefix.trimStart();
    const body = text.trimStart();
    if (head.length >= 4 && body.startsWith(head)) text = body.slice(head.length);
  }

  let indentStripped = false;
  if (blankLinePrefix && sit.linePrefix.length > 0 && text.startsWith(sit.linePrefix)) {
    // The cursor already sits after the indentation; the model wrote it again.
    text = text.slice(sit.linePrefix.length);
    indentStripped = true;
  } else if (!blankLinePrefix && /[ \t]$/.test(sit.linePrefix)) {
    text = text.replace(/^[ \t]+/, "");
  }

  if (sit.multiline && blankLinePrefix && sit.linePrefix.length > 0 && !indentStripped) {
    // A block written from column 0: its body is not deeper than the cursor's indent, so
    // the model used its own frame; shift every following line by the cursor's indent.
    const lines = text.split("\n");
    const [firstLine = "", ...after] = lines; // split() gives at least one line
    const nextLine = after.find((l) => l.trim() !== "");
    if (nextLine !== undefined && BLOCK_OPENER.test(firstLine) && width(indentOf(nextLine)) <= width(sit.indent)) {
      text = lines.map((l, i) => (i === 0 || l.trim() === "" ? l : sit.indent + l)).join("\n");
    }
  }

  const style = documentIndentStyle(ctx);
  if (style) text = convertIndentation(text, style);

  if (blankLinePrefix) {
    // A first line that repeats the line above the cursor is an echo, not new code.
    const prev = lineAboveCursor(ctx.prefix);
    const nl = text.indexOf("\n");
    const first = nl === -1 ? text : text.slice(0, nl);
    if (nonTrivial(first) && first.trim() === prev.trim())
      text = nl === -1 ? "" : text.slice(nl + 1).replace(/^[ \t]*/, "");
  }

  // Closing lines (`}`, `end`, `</div>`) that the suffix already has, compared with indentation.
  const next = firstNonBlankSuffixLine(ctx.suffix);
  if (next !== null && sit.restOfLine.trim() === "" && sit.multiline) {
    const lines = text.split("\n");
    const idx = lines.findIndex((l, i) => i > 0 && l.trimEnd() === next.trimEnd());
    if (idx > 0) text = lines.slice(0, idx).join("\n");
  }

  text = text.replace(/[ \t]+$/gm, "").replace(/\n+$/, "");
  if (text.trim() === "") return none(raw.trim() === "" ? "empty" : "nothing-left");

  const fitted = fitRestOfLine(text, sit.restOfLine);
  if (fitted.text.trim() === "" && fitted.replaceSuffixChars === 0) return none("only-closers");
  return { completion: fitted.text, replaceSuffixChars: fitted.replaceSuffixChars };
}
