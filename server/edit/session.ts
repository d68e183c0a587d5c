/**
 * One edit: prompt → streamed answer → filtered code lines → re-indented → streaming diff,
 * then the exact final diff. Yields events; throws AppError when nothing usable came back.
 */
import type { EditEvent, EditRequest, DiffLine } from "../api/edit";
import { AppError } from "../http/errors";
import { AnswerFilter } from "./filter";
import { commonIndent, restoreIndentLine, splitLines, stripIndent } from "./indent";
import { buildEditMessages, type ChatMessage } from "./prompt";
import { StreamingLineDiff } from "./stream-diff";
import { computeHunks } from "./hunks";

/** The slice of the LLM service an edit needs (kept narrow so tests can drive it directly). */
export interface EditModel {
  streamChat(params: { messages: ChatMessage[]; model?: string; temperature?: number }, signal: AbortSignal): AsyncIterable<string>;
}

function leadingWs(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

export async function* runEdit(model: EditModel, req: EditRequest, signal: AbortSignal): AsyncGenerator<EditEvent> {
  const eol = req.code.includes("\r\n") ? "\r\n" : "\n";
  const trailingEol = /\r?\n$/.test(req.code);
  const oldLines = splitLines(trailingEol ? req.code.replace(/\r?\n$/, "") : req.code);
  const indent = commonIndent(oldLines);
  const stripped = stripIndent(oldLines, indent);
  const firstCode = stripped.find((l) => l.trim() !== "") ?? "";

  const filter = new AnswerFilter();
  const diff = new StreamingLineDiff(oldLines);
  const newLines: string[] = [];
  // Decided at the first non-blank answer line: did the model keep the original indentation itself?
  let answerIndented: boolean | undefined;
  let pendingBlank = 0;

  const accept = (lines: string[]): DiffLine[] => {
    const out: DiffLine[] = [];
    for (const raw of lines) {
      if (raw.trim() === "") {
        // Hold blank lines back: trailing ones at the very end are dropped.
        pendingBlank++;
        continue;
      }
      if (answerIndented === undefined) {
        answerIndented = indent !== "" && leadingWs(raw) === indent + leadingWs(firstCode);
      }
      for (; pendingBlank > 0; pendingBlank--) {
        newLines.push("");
        out.push(...diff.push(""));
      }
      const line = restoreIndentLine(raw, indent, answerIndented);
      newLines.push(line);
      out.push(...diff.push(line));
    }
    return out;
  };

  const messages = buildEditMessages(req, stripped.join("\n"));
  for await (const chunk of model.streamChat({ messages, temperature: 0, ...(req.model ? { model: req.model } : {}) }, signal)) {
    const lines = accept(filter.push(chunk));
    if (lines.length > 0) yield { type: "lines", lines };
  }
  const last = accept(filter.end());
  // Keep as many trailing blank lines as the original had, no more.
  const oldTrailingBlank = oldLines.length - 1 - findLastIndex(oldLines, (l) => l.trim() !== "");
  for (let i = 0; i < Math.min(pendingBlank, oldTrailingBlank); i++) {
    newLines.push("");
    last.push(...diff.push(""));
  }
  last.push(...diff.end());
  if (last.length > 0) yield { type: "lines", lines: last };

  const empty = newLines.every((l) => l.trim() === "");
  if (empty && !filter.sawFence) {
    throw new AppError("PROVIDER_BAD_RESPONSE", "The model returned no code for this edit; the document was left unchanged.", "Rephrase the instruction or try another model.");
  }
  if (empty) {
    // An explicitly empty answer deletes the code.
    yield { type: "done", text: "", hunks: computeHunks(oldLines, []) };
    return;
  }
  const text = newLines.join(eol) + (trailingEol ? eol : "");
  yield { type: "done", text, hunks: computeHunks(oldLines, newLines) };
}

function findLastIndex<T>(arr: readonly T[], pred: (v: T) => boolean): number {
  for (let i = arr.length - 1; i >= 0; i--) if (pred(arr[i]!)) return i;
  return -1;
}
