/**
 * Keeps the most recent turns of a conversation within a token budget. The newest user
 * message is always kept (it is the question); older turns go first, in user/assistant
 * pairs, so the model never sees an answer without its question.
 */
import type { ChatTurn } from "../api/chat";
import { estimateTokens } from "../../common/tokens";

export const DEFAULT_HISTORY_BUDGET_TOKENS = 8_000;

export interface TrimmedHistory {
  turns: ChatTurn[];
  droppedTurns: number;
  droppedTokens: number;
}

export function trimHistory(messages: readonly ChatTurn[], budgetTokens: number): TrimmedHistory {
  const last = messages.at(-1);
  if (last === undefined) return { turns: [], droppedTurns: 0, droppedTokens: 0 };
  const earlier = messages.slice(0, -1);
  let used = 0;
  let start = earlier.length;
  for (let turn = earlier[start - 1]; turn !== undefined; turn = earlier[start - 1]) {
    const cost = estimateTokens(turn.content);
    if (used + cost > budgetTokens) break;
    used += cost;
    start--;
  }
  // Never open with an assistant turn whose question was dropped.
  while (earlier[start]?.role === "assistant") start++;
  const dropped = earlier.slice(0, start);
  return {
    turns: [...earlier.slice(start), last],
    droppedTurns: dropped.length,
    droppedTokens: dropped.reduce((n, t) => n + estimateTokens(t.content), 0),
  };
}
