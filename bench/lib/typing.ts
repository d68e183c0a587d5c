/**
 * A person typing in VS Code, for the typing-session benchmarks (bench/completion.ts,
 * bench/completion-multiline.ts): human-speed keystroke gaps from a fixed seed, VS Code's
 * 50 ms debounce before it calls the inline completion provider, and the cancellation token
 * it hands that call (cancelled by the next keystroke).
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Deterministic PRNG so every run types the same session. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Gaps before each character of `text`: bursts of 45–155 ms, pauses of 0.45–1.55 s (often at a line end). */
export function keystrokeGaps(text: string, seed: number): number[] {
  const rand = rng(seed);
  const gaps: number[] = [];
  let burst = 0;
  for (const ch of text) {
    if (burst <= 0 || (ch === "\n" && rand() < 0.7)) {
      // A pause: thinking, reading the suggestion, end of a line.
      gaps.push(450 + rand() * 1100);
      burst = 6 + Math.floor(rand() * 20);
    } else {
      gaps.push(45 + rand() * 110);
      burst--;
    }
  }
  return gaps;
}

/** VS Code's own debounce before it calls an inline completion provider (1.100: fixed 50 ms). */
export const VSCODE_DEBOUNCE_MS = 50;

/** The part of a CancellationToken the provider uses. */
export class Token {
  cancelled = false;
  private readonly listeners: (() => void)[] = [];
  onCancel(f: () => void): void {
    this.listeners.push(f);
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const f of this.listeners.splice(0)) f();
  }
}

export function tokenSleep(ms: number, token: Token): Promise<void> {
  if (ms <= 0 || token.cancelled) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    token.onCancel(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

export interface TypingOptions {
  /** The text typed, one character per keystroke, from an empty document. */
  text: string;
  seed: number;
  /** Each keystroke as the extension sees it (its `typed()` listener), with the document so far. */
  onKeystroke: (prefix: string, at: number) => void;
  /** provideInlineCompletionItems for the document so far, 50 ms after the last change. */
  provide: (prefix: string, token: Token) => Promise<void>;
}

/**
 * Types `text` at human speed: every keystroke changes the text, cancels the running provider
 * call, and a new call comes VSCODE_DEBOUNCE_MS after the last change. Resolves once the
 * last calls have settled. Returns the session's wall time in ms.
 */
export async function typeLikeVsCode(opts: TypingOptions): Promise<number> {
  const gaps = keystrokeGaps(opts.text, opts.seed);
  const pending: Promise<void>[] = [];
  let token: Token | undefined;
  let timer: NodeJS.Timeout | undefined;
  const t0 = Date.now();
  let at = 0;
  for (let i = 0; i < opts.text.length; i++) {
    at += gaps[i]!;
    const wait = t0 + at - Date.now();
    if (wait > 0) await sleep(wait);
    const prefix = opts.text.slice(0, i + 1);
    opts.onKeystroke(prefix, Date.now());
    token?.cancel();
    clearTimeout(timer);
    timer = setTimeout(() => {
      token = new Token();
      pending.push(opts.provide(prefix, token));
    }, VSCODE_DEBOUNCE_MS);
  }
  const took = Date.now() - t0;
  await sleep(1_500);
  await Promise.all(pending);
  return took;
}
