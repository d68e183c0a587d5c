/** The chat messages for one edit round (and its follow-ups). */
import type { EditRequest } from "../api/edit";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

// Enough surrounding code for names and style; more only costs latency.
const CONTEXT_LINES = 60;

const SYSTEM = [
  "You are a precise code editor.",
  "Rewrite the code you are given so that it follows the instruction.",
  "Reply with the complete rewritten code in a single fenced code block and nothing else: no explanation before or after.",
  "Change only what the instruction asks for. Keep every other line exactly as it is, including comments, blank lines and formatting.",
  "Do not repeat the surrounding context; it is there for reference only.",
].join(" ");

function fence(lang: string, code: string): string {
  // A longer fence when the code itself contains ``` (e.g. markdown files).
  const ticks = code.includes("```") ? "````" : "```";
  return `${ticks}${lang}\n${code}\n${ticks}`;
}

function tail(text: string, lines: number): string {
  return text.split(/\r?\n/).slice(-lines).join("\n");
}

function head(text: string, lines: number): string {
  return text.split(/\r?\n/).slice(0, lines).join("\n");
}

export function buildEditMessages(req: EditRequest, strippedCode: string): ChatMessage[] {
  const lang = req.languageId;
  const parts = [`File: ${req.filepath} (${lang})`];
  if (req.before && req.before.trim() !== "")
    parts.push(`Context above the code (reference only):\n${fence(lang, tail(req.before, CONTEXT_LINES))}`);
  parts.push(`Code to rewrite:\n${fence(lang, strippedCode)}`);
  if (req.after && req.after.trim() !== "")
    parts.push(`Context below the code (reference only):\n${fence(lang, head(req.after, CONTEXT_LINES))}`);

  const rounds = req.previous ?? [];
  const firstInstruction = rounds[0]?.instruction ?? req.instruction;
  parts.push(`Instruction: ${firstInstruction}`);

  const messages: ChatMessage[] = [
    { role: "system", content: SYSTEM },
    { role: "user", content: parts.join("\n\n") },
  ];
  // A follow-up refines the pending result: replay each round, then ask for the next.
  rounds.forEach((round, i) => {
    messages.push({ role: "assistant", content: fence(lang, round.result) });
    const next = rounds[i + 1]?.instruction ?? req.instruction;
    messages.push({
      role: "user",
      content: `Refine your last version of the code. Instruction: ${next}\nReply with the complete code again.`,
    });
  });
  return messages;
}
