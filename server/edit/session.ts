/**
 * One edit: prompt → streamed answer → filtered code lines → re-indented → streaming diff,
 * then the exact final diff. Yields events; throws AppError when nothing usable came back.
 */
import type { EditEvent, EditRequest, DiffLine } from "../api/edit";
import { AppError } from "../errors";
import { AnswerFilter } from "./filter";
import { commonIndent, restoreIndentLine, splitLines, stripIndent } from "./indent";
import { buildEditMessages, type ChatMessage } from "./prompt";
import { StreamingLineDiff } from "./stream-diff";
import { computeHunks } from "./hunks";
import { realign } from "./realign";

/** The slice of the LLM service an edit needs (kept narrow so tests can drive it directly). */
export interface EditModel {
  streamChat(
    params: { messages: ChatMessage[]; model?: string; temperature?: number },
    signal: AbortSignal,
  ): AsyncIterable<string>;
}

function leadingWs(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

export async function* runEdit(model: EditModel, req: EditRequest, signal: AbortSignal): AsyncGenerator<EditEvent> {
  const prefix = req.linePrefix ?? "";
  const suffix = req.lineSuffix ?? "";
  const whole = prefix + req.code + suffix;
  const eol = whole.includes("\r\n") ? "\r\n" : "\n";
  let trailingEol = /\r?\n$/.test(whole);
  let oldLines = splitLines(trailingEol ? whole.replace(/\r?\n$/, "") : whole);
  const codeLines = splitLines(req.code.replace(/\r?\n$/, ""));
  // A selection starting mid-line has its indentation in the prefix: nothing to strip.
  let indent = prefix === "" ? commonIndent(codeLines) : "";
  const stripped = stripIndent(codeLines, indent);
  let firstCode = stripped.find((l) => l.trim() !== "") ?? "";

  const filter = new AnswerFilter();
  let diff = new StreamingLineDiff(oldLines);
  // Set when the answer turns out to cover a block around the target (see realign.ts).
  let retarget: EditEvent | undefined;
  const newLines: string[] = [];
  // Decided at the first non-blank answer line: did the model keep the original indentation itself?
  let answerIndented: boolean | undefined;
  let pendingBlank = 0;
  // The newest code line is held back until the next one arrives (or the stream ends):
  // only then is it known whether the selection's line suffix belongs after it.
  let held: string | undefined;
  let sawCode = false;

  const emit = (line: string, out: DiffLine[]) => {
    const full = newLines.length === 0 ? prefix + line : line;
    newLines.push(full);
    out.push(...diff.push(full));
  };

  const accept = (lines: string[]): DiffLine[] => {
    const out: DiffLine[] = [];
    for (const raw of lines) {
      if (raw.trim() === "") {
        // Hold blank lines back: trailing ones at the very end are dropped.
        pendingBlank++;
        continue;
      }
      sawCode = true;
      if (answerIndented === undefined && req.enclosing && prefix === "" && suffix === "") {
        const above = contextLines(req.before, "above");
        const below = contextLines(req.after, "below");
        const r = realign(raw, { above, code: codeLines, below }, req.enclosing);
        if (r.kind === "overreach") {
          throw new AppError(
            "PROVIDER_BAD_RESPONSE",
            `The model rewrote more than the target: its answer starts with "${clip(r.text)}", ${-r.line} line(s) above it. Nothing was changed.`,
            "Select all the lines you want rewritten (or put the cursor in the block) and try again.",
          );
        }
        if (r.kind === "retarget") {
          const all = [...above, ...codeLines, ...below];
          oldLines = all.slice(above.length + r.startLine, above.length + r.endLine + 1);
          indent = commonIndent(oldLines);
          firstCode = stripIndent(oldLines, indent).find((l) => l.trim() !== "") ?? "";
          diff = new StreamingLineDiff(oldLines);
          // The block is whole lines without the final line break, as the client then holds it.
          trailingEol = false;
          retarget = { type: "retarget", startLine: r.startLine, endLine: r.endLine, label: r.label };
        }
      }
      if (answerIndented === undefined) {
        answerIndented = indent !== "" && leadingWs(raw) === indent + leadingWs(firstCode);
      }
      if (held !== undefined) emit(held, out);
      held = undefined;
      for (; pendingBlank > 0; pendingBlank--) emit("", out);
      held = restoreIndentLine(raw, indent, answerIndented);
    }
    return out;
  };

  const messages = buildEditMessages(req, stripped.join("\n"));
  for await (const chunk of model.streamChat(
    { messages, temperature: 0, ...(req.model ? { model: req.model } : {}) },
    signal,
  )) {
    const lines = accept(filter.push(chunk));
    if (retarget) yield retarget;
    retarget = undefined;
    if (lines.length > 0) yield { type: "lines", lines };
  }
  const last = accept(filter.end());
  if (retarget) yield retarget;
  if (!sawCode && !filter.sawFence) {
    throw new AppError(
      "PROVIDER_BAD_RESPONSE",
      "The model returned no code for this edit; the document was left unchanged.",
      "Rephrase the instruction or try another model.",
    );
  }
  // Keep as many trailing blank lines as the original had, no more.
  const oldTrailingBlank = oldLines.length - 1 - findLastIndex(oldLines, (l) => l.trim() !== "");
  const keepBlank = Math.min(pendingBlank, oldTrailingBlank);
  if (held !== undefined) emit(keepBlank === 0 ? held + suffix : held, last);
  for (let i = 0; i < keepBlank; i++) emit(i === keepBlank - 1 ? suffix : "", last);
  // An explicitly empty answer deletes the selection; the rest of its line stays.
  if (!sawCode && (prefix !== "" || suffix !== "")) emit(suffix, last);
  last.push(...diff.end());
  if (last.length > 0) yield { type: "lines", lines: last };

  const text = newLines.length === 0 ? "" : newLines.join(eol) + (trailingEol ? eol : "");
  yield { type: "done", text, hunks: computeHunks(oldLines, newLines) };
}

/** `before` ends where the target's first line starts, `after` starts at the line below it. */
function contextLines(text: string | undefined, side: "above" | "below"): string[] {
  if (!text) return [];
  const lines = splitLines(text);
  if (side === "above" && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

function findLastIndex(lines: readonly string[], pred: (line: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (line !== undefined && pred(line)) return i;
  }
  return -1;
}
