/**
 * Upstream generations in flight, at most one per document.
 *
 * - Reuse: a request whose prefix is the running generation's prefix plus characters that
 *   the generation has already produced waits for that generation instead of starting one.
 * - Supersede: any other new request for the same document aborts the running one, so no
 *   superseded request keeps a model busy.
 * - Client gone: each waiting HTTP request is a subscriber; when the last one leaves, the
 *   generation is aborted.
 * - Time limit: the generation is stopped and resolves with the text it has ("show what
 *   we have"); the caller decides what of it is worth showing.
 * A generation's `result` never rejects: errors come back as values so no caller has to
 * remember to catch a promise it merely observes.
 */
import { loopYielder } from "../event-loop";

export type StopReason = "client" | "superseded" | "timeout" | "early-stop";
export type GenerationOutcome = StopReason | "complete" | "error";

export interface GenerationResult {
  raw: string;
  outcome: GenerationOutcome;
  error?: unknown;
  upstreamMs: number;
}

export interface GenerationSpec {
  docKey: string;
  contextKey: string;
  prefix: string;
  timeLimitMs: number;
  stream: (signal: AbortSignal) => AsyncIterable<string>;
  /** Stream filter: true once nothing later in the stream can change the result. */
  shouldStop: (raw: string) => boolean;
  /** What the user would see of `raw` so far (for deciding whether typed characters agree). */
  visible: (raw: string) => string;
}

export interface GenerationObserver {
  started(): void;
  ended(outcome: GenerationOutcome): void;
}

let nextId = 1;

/**
 * After an early stop the answer is settled, but the upstream stream usually ends a few
 * milliseconds later on its own (the service knows the same stop sequences). Letting it
 * finish keeps the keep-alive connection for the next request; aborting would cost a new
 * TCP (and TLS) handshake. Longer than this, it is burning tokens, so it is aborted.
 */
export const DRAIN_MS = 50;

/** A completion is at most a few hundred tokens (maxTokensMultiLine); 64 KiB is far past any usable one. */
export const MAX_RAW_CHARS = 64 * 1024;

export class Generation {
  readonly id = nextId++;
  raw = "";
  private readonly controller = new AbortController();
  private stopReason: StopReason | null = null;
  private subscribers = 0;
  private upstreamOpen = true;
  private isSettled = false;
  private resolveResult!: (r: GenerationResult) => void;
  readonly result: Promise<GenerationResult>;

  constructor(
    readonly spec: GenerationSpec,
    private readonly observer?: GenerationObserver,
  ) {
    this.result = new Promise((resolve) => {
      this.resolveResult = resolve;
    });
    void this.run();
  }

  /** The upstream stream is still open (possibly draining after the answer settled). */
  get running(): boolean {
    return this.upstreamOpen;
  }

  /** The answer is known; later text from upstream is ignored. */
  get settled(): boolean {
    return this.isSettled;
  }

  /** Registers a waiting request; returns the function to call when it goes away. */
  attach(): () => void {
    this.subscribers++;
    let detached = false;
    return () => {
      if (detached) return;
      detached = true;
      this.subscribers--;
      if (this.subscribers === 0) this.abort("client");
    };
  }

  abort(reason: StopReason): void {
    if (this.isSettled || this.stopReason !== null) return;
    this.stopReason = reason;
    this.controller.abort(new Error(`completion ${reason}`));
  }

  private async run(): Promise<void> {
    const started = performance.now();
    this.observer?.started();
    const signal = this.controller.signal;
    const timer = setTimeout(() => this.abort("timeout"), this.spec.timeLimitMs);
    let drainTimer: NodeJS.Timeout | undefined;
    const aborted = new Promise<"aborted">((resolve) =>
      signal.addEventListener("abort", () => resolve("aborted"), { once: true }),
    );
    let outcome: GenerationOutcome = "complete";
    let endedCleanly = false;
    let iterator: AsyncIterator<string> | undefined;
    const settle = (o: GenerationOutcome, e?: unknown): void => {
      if (this.isSettled) return;
      this.isSettled = true;
      outcome = o;
      this.resolveResult({
        raw: this.raw,
        outcome: o,
        ...(e !== undefined ? { error: e } : {}),
        upstreamMs: Math.round((performance.now() - started) * 100) / 100,
      });
    };
    try {
      iterator = this.spec.stream(signal)[Symbol.asyncIterator]();
      const yieldLoop = loopYielder();
      for (;;) {
        // Race every chunk against the abort so a stalled upstream cannot hold us past the limit.
        const step = await Promise.race([iterator.next(), aborted]);
        if (step === "aborted") break;
        if (step.done) {
          endedCleanly = true;
          break;
        }
        await yieldLoop();
        if (this.isSettled) continue; // draining
        this.raw += step.value;
        // shouldStop re-reads the whole answer on every chunk: a model that ignores max_tokens
        // would make that quadratic. Nothing past the cap could be shown as ghost text anyway.
        const overCap = this.raw.length > MAX_RAW_CHARS;
        if (overCap) this.raw = this.raw.slice(0, MAX_RAW_CHARS);
        if (overCap || this.spec.shouldStop(this.raw)) {
          this.stopReason = "early-stop";
          settle("early-stop");
          drainTimer = setTimeout(() => this.controller.abort(new Error("completion drained")), DRAIN_MS);
        }
      }
      settle(this.stopReason ?? "complete");
    } catch (err) {
      if (this.stopReason !== null) settle(this.stopReason);
      else settle("error", err);
    } finally {
      clearTimeout(timer);
      clearTimeout(drainTimer);
      // Closes the upstream request unless it ended by itself.
      if (!endedCleanly && !signal.aborted) this.controller.abort(new Error("completion finished"));
      if (!endedCleanly && iterator?.return) iterator.return().catch(() => undefined);
      this.upstreamOpen = false;
      this.observer?.ended(outcome);
    }
  }
}

export class InflightRegistry {
  private readonly byDoc = new Map<string, Generation>();

  constructor(private readonly observer?: GenerationObserver) {}

  /** Generations whose upstream stream is still open. */
  get running(): number {
    let n = 0;
    for (const g of this.byDoc.values()) if (g.running) n++;
    return n;
  }

  /** A running generation for this document that the request can wait for, and the characters typed since it started. */
  reusable(docKey: string, contextKey: string, prefix: string): { generation: Generation; typed: string } | null {
    const g = this.byDoc.get(docKey);
    if (!g || g.settled || g.spec.contextKey !== contextKey || !prefix.startsWith(g.spec.prefix)) return null;
    const typed = prefix.slice(g.spec.prefix.length);
    // Only when the model has already produced what the user typed: waiting on a
    // generation that has not got that far is a gamble that costs a whole round trip
    // when it loses, while a fresh request costs one time-to-first-token.
    return g.spec.visible(g.raw).startsWith(typed) ? { generation: g, typed } : null;
  }

  supersede(docKey: string): void {
    const g = this.byDoc.get(docKey);
    if (g?.running) g.abort("superseded");
    this.byDoc.delete(docKey);
  }

  start(spec: GenerationSpec): Generation {
    this.supersede(spec.docKey);
    const g = new Generation(spec, this.observer);
    this.byDoc.set(spec.docKey, g);
    void g.result.then(() => {
      if (this.byDoc.get(spec.docKey) === g) this.byDoc.delete(spec.docKey);
    });
    return g;
  }
}
