/**
 * Token estimate without a tokenizer. BPE tokenizers used by code models average roughly
 * 3.5–4.5 UTF-8 bytes per token on ASCII source; we divide bytes by 3, which
 * over-estimates the count, so a window sized by this estimate stays inside the model's
 * real budget. Counting bytes rather than UTF-16 units makes non-ASCII text (which BPE
 * splits into more tokens) cost proportionally more. It is an estimate: budgets are
 * soft limits, never hard guarantees.
 */
export const BYTES_PER_TOKEN = 3;

export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / BYTES_PER_TOKEN);
}

/** Inverse of estimateTokens, in UTF-16 units for slicing; assumes mostly 1-byte chars. */
export function charsForTokens(tokens: number): number {
  return Math.max(0, Math.floor(tokens * BYTES_PER_TOKEN));
}
