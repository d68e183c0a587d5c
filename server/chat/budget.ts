/**
 * Fits mentioned context into a token budget. Every item gets a fair share (water-filling:
 * small items are kept whole, the rest split what remains), so one huge file cannot push
 * a small selection out. Whatever is cut is reported, so the user is told.
 */
import type { ChatContextItem, TruncationNotice } from "../api/chat";
import { charsForTokens, estimateTokens } from "../../common/tokens";

export const DEFAULT_CONTEXT_BUDGET_TOKENS = 16_000;
/** Below this, a kept fragment is more confusing than useful: the item is left out. */
export const MIN_USEFUL_TOKENS = 40;

export interface FittedItem {
  item: ChatContextItem;
  /** The text that goes into the prompt (the item's, or its cut head). */
  content: string;
  tokens: number;
  cut: boolean;
}

export interface FitResult {
  kept: FittedItem[];
  notices: TruncationNotice[];
  usedTokens: number;
}

/** Head of `text` within `tokens`, ending at a line break when one is near. */
export function headWithin(text: string, tokens: number): string {
  let end = Math.min(text.length, charsForTokens(tokens));
  while (end > 0 && estimateTokens(text.slice(0, end)) > tokens) end = Math.floor(end * 0.9);
  const nl = text.lastIndexOf("\n", end);
  if (nl > end * 0.8) end = nl;
  return text.slice(0, end);
}

export function fitContext(items: readonly ChatContextItem[], budgetTokens: number): FitResult {
  const sized = items.map((item) => ({ item, total: estimateTokens(item.content), share: 0 }));
  // Water-filling over the items sorted by size: each takes min(its size, a fair split of the rest).
  const order = [...sized].sort((a, b) => a.total - b.total);
  let left = Math.max(0, budgetTokens);
  order.forEach((s, pos) => {
    const fair = Math.floor(left / (order.length - pos));
    s.share = Math.min(s.total, fair);
    left -= s.share;
  });

  const kept: FittedItem[] = [];
  const notices: TruncationNotice[] = [];
  let used = 0;
  for (const { item, total, share } of sized) {
    // What the client cut counts as well: the user should hear about it either way.
    const originalTokens =
      item.clientTruncated && item.originalChars !== undefined
        ? Math.max(total, Math.ceil(item.originalChars / 3))
        : total;
    if (share >= total) {
      kept.push({ item, content: item.content, tokens: total, cut: item.clientTruncated === true });
      used += total;
      if (item.clientTruncated)
        notices.push({ label: item.label, kind: "cut", keptTokens: total, totalTokens: originalTokens });
      continue;
    }
    if (share < MIN_USEFUL_TOKENS) {
      notices.push({ label: item.label, kind: "omitted", keptTokens: 0, totalTokens: originalTokens });
      continue;
    }
    const content = headWithin(item.content, share);
    const tokens = estimateTokens(content);
    kept.push({ item, content, tokens, cut: true });
    used += tokens;
    notices.push({ label: item.label, kind: "cut", keptTokens: tokens, totalTokens: originalTokens });
  }
  return { kept, notices, usedTokens: used };
}
