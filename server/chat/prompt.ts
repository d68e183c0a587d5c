/** The chat messages sent to the model: system rules, kept history, and the question with its context. */
import type { ChatContextItem, ChatTurn } from "../api/chat";
import type { ChatMessage } from "../llm/service";
import type { FittedItem } from "./budget";

export const CHAT_SYSTEM_PROMPT = [
  "You are AiCockpit, a senior software engineer helping inside the user's code editor.",
  "Answer in GitHub-flavoured markdown. Put code in fenced code blocks tagged with the language.",
  "When a block is meant to replace the whole content of a file or a selection, write its workspace-relative path after the language on the fence line, e.g. ```ts src/app.ts.",
  "Shell commands go in ```sh blocks, one command per line, without a prompt sign.",
  "Use the attached context when it is relevant; say so when something you need is missing instead of guessing.",
].join(" ");

/** A fence longer than any backtick run inside `text`, so attached markdown cannot close it early. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`{3,}/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}

function heading(item: ChatContextItem): string {
  switch (item.kind) {
    case "file":
      return `File \`${item.path ?? item.label}\``;
    case "selection":
      return `Selected code (${item.label})`;
    case "problems":
      return "Problems reported by the editor (diagnostics)";
    case "terminal":
      return `Recent terminal output (${item.label})`;
    case "workspace":
      return `Workspace ${item.label}`;
  }
}

/** `extra`: further sections already formatted (the @codebase retrieval, server/chat/codebase.ts). */
export function contextBlock(fitted: readonly FittedItem[], extra: readonly string[] = []): string {
  const sections = extra.filter((s) => s !== "");
  if (fitted.length === 0 && sections.length === 0) return "";
  const parts = fitted.map(({ item, content, cut }) => {
    const fence = fenceFor(content);
    const lang = item.kind === "terminal" ? "text" : (item.languageId ?? "");
    const note = cut ? "\n(Truncated: only the beginning is shown.)" : "";
    return `### ${heading(item)}\n${fence}${lang}\n${content}\n${fence}${note}`;
  });
  return `The user attached this context:\n\n${[...parts, ...sections].join("\n\n")}`;
}

export function buildChatMessages(
  turns: readonly ChatTurn[],
  fitted: readonly FittedItem[],
  extra: readonly string[] = [],
): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: "system", content: CHAT_SYSTEM_PROMPT }];
  turns.forEach((t, i) => {
    const isQuestion = i === turns.length - 1 && t.role === "user";
    const ctx = isQuestion ? contextBlock(fitted, extra) : "";
    messages.push({ role: t.role, content: ctx === "" ? t.content : `${ctx}\n\n---\n\n${t.content}` });
  });
  return messages;
}
