/**
 * Retry policy for upstream requests. Retries happen only before the first token reaches
 * the caller: after that a retry would duplicate text the user already sees.
 */
import type { Classified } from "./errors";

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited for: the error goes to the user instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, "maxRetries"> = {
  baseDelayMs: 200,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
};

/**
 * Delay before attempt `attempt + 1` (attempt counts from 0), or null to give up.
 * Exponential with "equal jitter" (half fixed, half random) so simultaneous clients
 * spread out without ever retrying immediately.
 */
export function retryDelay(
  attempt: number,
  failure: Classified,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (!failure.retryable || attempt >= policy.maxRetries) return null;
  if (failure.retryAfterMs !== undefined) {
    if (failure.retryAfterMs > policy.maxRetryAfterMs) return null;
    return failure.retryAfterMs;
  }
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
