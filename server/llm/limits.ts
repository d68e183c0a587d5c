/**
 * How much we read from an AI service, and how long we wait between streamed tokens.
 *
 * Every byte from an AI service is untrusted: a broken or hostile service (or a proxy in
 * front of it) can answer with 200 MB, stream forever, or stop mid-answer. These bounds
 * keep the backend's heap and its streams bounded whatever the service does; each is far
 * above what a real model produces, so only misbehaviour reaches them.
 */

/** Non-streamed answers. The largest real ones (long chat answers, big /models lists) are a few hundred KiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Error bodies are only quoted (300 characters) in a message: a few KiB is all we ever need. */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** One SSE event: a token delta is tens of bytes; even a chunk with logprobs and usage stays far under 1 MiB. */
export const MAX_SSE_EVENT_BYTES = 1024 * 1024;

/** A whole streamed answer, wire bytes (JSON framing included, ~10× the text): 16 MiB is ~1.6 MB of text. */
export const DEFAULT_MAX_STREAM_BYTES = 16 * 1024 * 1024;

/** Between two streamed events once the first one arrived (before it, the provider's timeoutMs applies). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export interface LlmLimits {
  maxResponseBytes: number;
  maxStreamBytes: number;
  idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: LlmLimits = {
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  maxStreamBytes: DEFAULT_MAX_STREAM_BYTES,
  idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
};

/** "16 MiB", "1 KiB", "900 bytes": how limits read in error messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
