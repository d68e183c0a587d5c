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
import {
  codebaseBlock,
  codebaseReserve,
  mentionedPaths,
  retrievalQuestion,
  type CodebaseBlock,
  type CodebaseRetriever,
} from "./codebase";
import { AppError } from "../errors";

export interface ChatOptions {
  historyBudgetTokens?: number;
  /** Serves `req.codebase` ("@codebase"); without it such a request is refused. */
  codebase?: CodebaseRetriever;
}

export async function* runChat(
  llm: LlmService,
  req: ChatRequest,
  signal: AbortSignal,
  opts: ChatOptions = {},
): AsyncGenerator<ChatEvent> {
  const budget = req.contextBudgetTokens ?? DEFAULT_CONTEXT_BUDGET_TOKENS;
  const items = req.context ?? [];
  // @codebase shares the context budget: the mentioned items get what its reserve leaves, and
  // it gets what they did not use. Retrieval runs before any event, so a failure (unknown
  // index, failed build) is still an ordinary HTTP error with its status.
  const reserve = req.codebase ? codebaseReserve(req.codebase, budget, items.length) : 0;
  const fit = fitContext(items, budget - reserve);
  let codebase: CodebaseBlock | undefined;
  if (req.codebase) {
    if (!opts.codebase) throw new AppError("BAD_REQUEST", "@codebase is not available on this backend.");
    const question = retrievalQuestion(req.messages.at(-1)?.content ?? "");
    const share =
      req.codebase.budget_tokens !== undefined ? Math.min(reserve, budget - fit.usedTokens) : budget - fit.usedTokens;
    const retrieved = await opts.codebase(req.codebase, question, share, mentionedPaths(items), signal);
    codebase = codebaseBlock(retrieved, share);
  }
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
    {
      type: "context",
      items: [
        ...fit.kept.map((k) => ({ label: k.item.label, tokens: k.tokens })),
        ...(codebase && codebase.tokens > 0 ? [{ label: "@codebase", tokens: codebase.tokens }] : []),
      ],
      budgetTokens: budget,
    },
    ...(codebase ? [codebase.sources] : []),
    ...notices.map((notice): ChatEvent => ({ type: "truncated", notice })),
  ];

  const messages = buildChatMessages(history.turns, fit.kept, codebase ? [codebase.text] : []);
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
