/**
 * "@codebase" in a chat: what to ask the index, how much of the context budget its answer may
 * take, and how it reads in the prompt. The retrieval itself is CodebaseService.forChat.
 */
import type { ChatCodebase, ChatSourcesEvent } from "../api/codebase";
import type { ChatContextItem } from "../api/chat";
import type { Retrieved } from "../codebase/service";
import { estimateTokens } from "../../common/tokens";
import { headWithin } from "./budget";
import { fenceFor } from "./prompt";

/** Retrieval for one chat turn (CodebaseService.forChat, bound in the route). */
export type CodebaseRetriever = (
  codebase: ChatCodebase,
  question: string,
  budgetTokens: number,
  mentionedPaths: readonly string[],
  signal: AbortSignal,
) => Promise<Retrieved>;

/** The user's message without the `@codebase` mention itself (it names no code to look for). */
export function retrievalQuestion(message: string): string {
  const q = message.replace(/(^|[^\w.@])@codebase\b/gi, "$1").trim();
  return q === "" ? message : q;
}

/**
 * Tokens reserved for @codebase before the mentioned items are fitted: the client's figure, or
 * half the budget when other items are mentioned (all of it otherwise). Whatever the mentioned
 * items leave unused goes to @codebase too (see runChat).
 */
export function codebaseReserve(cb: ChatCodebase, budgetTokens: number, mentioned: number): number {
  if (cb.budget_tokens !== undefined) return Math.min(cb.budget_tokens, budgetTokens);
  return mentioned > 0 ? Math.floor(budgetTokens / 2) : budgetTokens;
}

/** Paths of the mentioned files and selections: the index ranks them up. */
export function mentionedPaths(items: readonly ChatContextItem[]): string[] {
  return items.flatMap((i) => (i.path !== undefined && (i.kind === "file" || i.kind === "selection") ? [i.path] : []));
}

export interface CodebaseBlock {
  text: string;
  tokens: number;
  sources: ChatSourcesEvent;
}

/** The prompt section for the retrieved context, held within `budgetTokens` even if the engine overshoots. */
export function codebaseBlock(r: Retrieved, budgetTokens: number): CodebaseBlock {
  let context = r.response.context;
  if (estimateTokens(context) > budgetTokens) context = headWithin(context, budgetTokens);
  const sources: ChatSourcesEvent = {
    type: "sources",
    index_id: r.view.index_id,
    root: r.view.root,
    workspace_id: r.view.workspace_id,
    files: r.response.files,
    partial: r.response.partial,
  };
  if (context.trim() === "") return { text: "", tokens: 0, sources };
  const fence = fenceFor(context);
  const note = r.response.partial ? "\n(The index was still being built: files may be missing.)" : "";
  const text = `### Codebase: retrieved for this question from ${r.view.root}\n${fence}text\n${context}\n${fence}${note}`;
  return { text, tokens: estimateTokens(context), sources };
}
