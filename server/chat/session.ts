/**
 * One chat answer: fit context and history into their budgets, build the prompt, stream the
 * model's deltas. The context/truncation events are held back until the first delta, so a
 * provider failure before any output is still an ordinary HTTP error with its status.
 */
import type { ChatEvent, ChatRequest, TruncationNotice } from "../api/chat";
import type { LlmService } from "../llm/service";
import { DEFAULT_CONTEXT_BUDGET_TOKENS, fitContext } from "./budget";
import { DEFAULT_HISTORY_BUDGET_TOKENS, trimHistory } from "./history";
import { buildChatMessages } from "./prompt";

export interface ChatOptions {
  historyBudgetTokens?: number;
}

export async function* runChat(
  llm: LlmService,
  req: ChatRequest,
  signal: AbortSignal,
  opts: ChatOptions = {},
): AsyncGenerator<ChatEvent> {
  const budget = req.contextBudgetTokens ?? DEFAULT_CONTEXT_BUDGET_TOKENS;
  const fit = fitContext(req.context ?? [], budget);
  const history = trimHistory(req.messages, opts.historyBudgetTokens ?? DEFAULT_HISTORY_BUDGET_TOKENS);
  const notices: TruncationNotice[] = [...fit.notices];
  if (history.droppedTurns > 0) {
    notices.push({
      label: `history (${history.droppedTurns} earlier message${history.droppedTurns === 1 ? "" : "s"})`,
      kind: "omitted",
      keptTokens: 0,
      totalTokens: history.droppedTokens,
    });
  }
  const preamble: ChatEvent[] = [
    { type: "context", items: fit.kept.map((k) => ({ label: k.item.label, tokens: k.tokens })), budgetTokens: budget },
    ...notices.map((notice): ChatEvent => ({ type: "truncated", notice })),
  ];

  const messages = buildChatMessages(history.turns, fit.kept);
  const model = req.model ?? llm.active()?.model ?? null;
  let started = false;
  for await (const text of llm.streamChat({ messages, ...(req.model ? { model: req.model } : {}) }, signal)) {
    if (!started) {
      started = true;
      yield* preamble;
    }
    yield { type: "delta", text };
  }
  if (!started) yield* preamble;
  yield { type: "done", model };
}
