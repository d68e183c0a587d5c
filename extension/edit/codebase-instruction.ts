/**
 * `@codebase` in a Ctrl+K instruction (first or follow-up): the mention is taken out of the
 * text, the rest is the question the backend retrieves with, and the retrieved code rides along
 * with the instruction as reference, cut to fit the edit route's instruction limit. Pure.
 */
import { parseMentions } from "../../common/mentions";

/** EditRequest.instruction's maximum (server/api/schemas/edit.ts). */
export const MAX_INSTRUCTION_CHARS = 20_000;
/** Tokens asked for: about 10 k characters, leaving room for the user's own words. */
export const EDIT_CODEBASE_TOKENS = 2_500;

const HEADER = "Relevant code from the codebase (reference only; change only the code to rewrite):";

/** The instruction without its `@codebase` mentions, or undefined when it has none. */
export function codebaseQuestion(instruction: string): string | undefined {
  const found = parseMentions(instruction).filter((p) => p.mention.kind === "codebase");
  if (found.length === 0) return undefined;
  let text = instruction;
  for (const p of [...found].reverse()) text = text.slice(0, p.start) + text.slice(p.end);
  return text.replace(/[ \t]{2,}/g, " ").trim();
}

/** The instruction sent to the backend: the user's words, then the retrieved code, within the limit. */
export function withCodebaseContext(question: string, context: string): string {
  const q = question.slice(0, MAX_INSTRUCTION_CHARS);
  const room = MAX_INSTRUCTION_CHARS - q.length - HEADER.length - 4;
  const ctx = context.trim();
  if (ctx === "" || room < 200) return q;
  let cut = ctx;
  if (ctx.length > room) {
    const nl = ctx.lastIndexOf("\n", room - 4);
    cut = `${ctx.slice(0, nl > 0 ? nl : room - 4)}\n…`;
  }
  return `${q}\n\n${HEADER}\n${cut}`;
}

/**
 * What the status bar says after retrieval: the files that came along by name (the first few; the
 * retrieval lists one entry per snippet, so a file appears once), or that none did.
 */
export function codebaseSourcesLine(files: readonly string[]): string {
  const names = [...new Set(files)].map((f) => f.slice(f.lastIndexOf("/") + 1));
  if (names.length === 0) return "@codebase: nothing related found, editing without it";
  const shown = names.slice(0, 3).join(", ");
  return `@codebase: ${shown}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`;
}
