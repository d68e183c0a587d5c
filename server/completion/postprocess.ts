/**
 * Turns raw model output into exactly the text to insert at the cursor (or nothing).
 *
 * Two stages. `findCut` runs on every streamed chunk as well as on the final text: it
 * applies the rules that truncate (stop sequences, leaked special tokens, reasoning
 * blocks, markdown fences, a chat model's sign-off, single-line limit, repetition loops,
 * restating the suffix, leaving the cursor's scope). When one of them fires, later tokens
 * cannot change the result, so the caller stops the upstream generation right there.
 * `postprocess` then shapes the kept text (indentation, echoes, closing lines and brackets
 * the file already has, mid-line replacement) and decides whether anything is worth showing.
 * Each rule with some judgement in it is a small filter in filters/, tested on its own and
 * through the golden cases (test/unit/completion/golden/postprocess).
 */
import { FAMILY_STOPS, type TemplateName } from "./templates";
import type { CursorSituation } from "./prefilter";
import { stripPreamble, signOffCut } from "./filters/chat-prose";
import { duplicateCloserLine } from "./filters/closing-lines";
import { normalizeIndentation } from "./filters/indentation";
import { BLOCK_OPENER, indentOf, nonTrivial, width } from "./filters/lines";
import { tooShort } from "./filters/min-length";
import { inLineRepetitionCut, patternLinesCut, repeatedBlockCut } from "./filters/repetition";
import { fitRestOfLine } from "./filters/rest-of-line";
import { scopeEndCut } from "./filters/scope";
import type { SyntaxHints } from "./syntax-hints";

export { fitRestOfLine } from "./filters/rest-of-line";

export interface PostprocessContext {
  prefix: string;
  suffix: string;
  languageId: string;
  situation: CursorSituation;
  template: TemplateName;
  /** Extra stop sequences (from the request or the service); family stops are always applied. */
  stop?: readonly string[];
  maxLines?: number;
  /** What the parse tree says about the cursor's place, where a grammar is bundled (syntax-hints.ts). */
  hints?: SyntaxHints;
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

/** The last non-blank line above the cursor's line, looking back at most 50 lines ("" when none). */
function lastCodeLineAbove(prefix: string): string {
  let end = prefix.lastIndexOf("\n");
  for (let n = 0; end > 0 && n < 50; n++) {
    const start = prefix.lastIndexOf("\n", end - 1) + 1;
    const line = prefix.slice(start, end);
    if (line.trim() !== "") return line;
    end = start - 1;
  }
  return "";
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

  if (ctx.template === "chat") text = stripPreamble(text, final);

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

  if (ctx.template === "chat") {
    const at = signOffCut(completeLines());
    if (at !== -1) cut(at, "chat-prose");
  }

  if (!ctx.situation.multiline) {
    const nl = text.indexOf("\n");
    if (nl !== -1) cut(nl, "single-line");
  } else {
    const maxLines = ctx.maxLines ?? DEFAULT_MAX_LINES;
    const lines = completeLines();
    if (lines.length > maxLines) cut(lines.slice(0, maxLines).join("\n").length, "max-lines");
  }

  // A model stuck in a loop: the same block again, number-only variations, a line repeating itself.
  for (const rule of [repeatedBlockCut, patternLinesCut]) {
    const at = rule(completeLines());
    if (at !== -1) cut(at, "repetition");
  }
  {
    const at = inLineRepetitionCut(text.split("\n"));
    if (at !== -1) cut(at, "repetition");
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

  // A chat model may write in its own indentation frame: its scope is judged after re-indenting (postprocess).
  if (ctx.situation.multiline && ctx.template !== "chat") {
    const at = scopeEndCut(text, completeLines(), {
      linePrefix: ctx.situation.linePrefix,
      languageId: ctx.languageId,
      ...(ctx.hints?.statementIndent !== undefined ? { statementIndent: ctx.hints.statementIndent } : {}),
    });
    if (at !== -1) cut(at, "scope");
  }

  return { text, rule };
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
    const cursorWidth = width(sit.indent);
    // A chat model answers from column 0: any following line left of the cursor gives its frame away.
    const chatFrame = ctx.template === "chat" && after.some((l) => l.trim() !== "" && width(indentOf(l)) < cursorWidth);
    if (
      nextLine !== undefined &&
      (chatFrame || (BLOCK_OPENER.test(firstLine) && width(indentOf(nextLine)) <= cursorWidth))
    ) {
      text = lines.map((l, i) => (i === 0 || l.trim() === "" ? l : sit.indent + l)).join("\n");
    }
  }

  const style = documentIndentStyle(ctx);
  if (style) text = convertIndentation(text, style);
  text = normalizeIndentation(text, {
    linePrefix: sit.linePrefix,
    lineAbove: lastCodeLineAbove(ctx.prefix),
    // A file with no indented line yet: the most common unit.
    unit: style ? (style.tabs ? null : style.unit) : 4,
  });

  if (blankLinePrefix) {
    // A first line that repeats the line above the cursor is an echo, not new code.
    const prev = lineAboveCursor(ctx.prefix);
    const nl = text.indexOf("\n");
    const first = nl === -1 ? text : text.slice(0, nl);
    if (nonTrivial(first) && first.trim() === prev.trim())
      text = nl === -1 ? "" : text.slice(nl + 1).replace(/^[ \t]*/, "");
  }

  if (sit.multiline && ctx.template === "chat") {
    // A chat model's scope, now that its lines stand where they will be inserted.
    const at = scopeEndCut(text, text.split("\n"), {
      linePrefix: sit.linePrefix,
      languageId: ctx.languageId,
      ...(ctx.hints?.statementIndent !== undefined ? { statementIndent: ctx.hints.statementIndent } : {}),
    });
    if (at !== -1) text = text.slice(0, at);
  }

  if (sit.multiline) {
    // Closing lines (`}`, `end`, `</div>`) that the suffix already has, equal or not (`}` before `} else {`).
    const lines = text.split("\n");
    const idx = duplicateCloserLine(lines, sit.linePrefix, firstNonBlankSuffixLine(ctx.suffix));
    if (idx !== -1) text = lines.slice(0, idx).join("\n");
  }

  // Trailing blanks go, except before text that follows on the line (`sum(│baz)` + `a, ` keeps its space).
  const keepLastSpace = /^[^\s)\]};,]/.test(sit.restOfLine) && !text.includes("\n");
  const trimmed = text.replace(/[ \t]+$/gm, "").replace(/\n+$/, "");
  text = keepLastSpace && /[,+\-*/=|&] $/.test(text) ? `${trimmed} ` : trimmed;
  if (text.trim() === "") return none(raw.trim() === "" ? "empty" : "nothing-left");

  const fitted = fitRestOfLine(text, sit.restOfLine);
  if (fitted.text.trim() === "" && fitted.replaceSuffixChars === 0) return none("only-closers");
  if (fitted.replaceSuffixChars === 0 && tooShort(fitted.text)) return none("too-short");
  return { completion: fitted.text, replaceSuffixChars: fitted.replaceSuffixChars };
}
