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

export class Generation {
  readonly id = nextId++;
  raw = "";
  private readonly controller = new AbortController();
  private stopReason: StopReason | null = null;
  private subscribers = 0;
  private finished = false;
  readonly result: Promise<GenerationResult>;

  constructor(
    readonly spec: GenerationSpec,
    private readonly observer?: GenerationObserver,
  ) {
    this.result = this.run();
  }

  get running(): boolean {
    return !this.finished;
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
    if (this.finished || this.stopReason !== null) return;
    this.stopReason = reason;
    this.controller.abort(new Error(`completion ${reason}`));
  }

  private async run(): Promise<GenerationResult> {
    const started = Date.now();
    this.observer?.started();
    const signal = this.controller.signal;
    const timer = setTimeout(() => this.abort("timeout"), this.spec.timeLimitMs);
    const aborted = new Promise<"aborted">((resolve) => signal.addEventListener("abort", () => resolve("aborted"), { once: true }));
    let outcome: GenerationOutcome = "complete";
    let error: unknown;
    let iterator: AsyncIterator<string> | undefined;
    try {
      iterator = this.spec.stream(signal)[Symbol.asyncIterator]();
      for (;;) {
        // Race every chunk against the abort so a stalled upstream cannot hold us past the limit.
        const step = await Promise.race([iterator.next(), aborted]);
        if (step === "aborted") break;
        if (step.done) break;
        this.raw += step.value;
        if (this.spec.shouldStop(this.raw)) {
          this.stopReason ??= "early-stop";
          break;
        }
      }
      if (this.stopReason !== null) outcome = this.stopReason;
    } catch (err) {
      if (this.stopReason !== null) outcome = this.stopReason;
      else {
        outcome = "error";
        error = err;
      }
    } finally {
      clearTimeout(timer);
      this.finished = true;
      // Closes the upstream request whichever way we left the loop (early stop included).
      if (!signal.aborted) this.controller.abort(new Error("completion finished"));
      if (iterator?.return) iterator.return().catch(() => undefined);
      this.observer?.ended(outcome);
    }
    return { raw: this.raw, outcome, ...(error !== undefined ? { error } : {}), upstreamMs: Date.now() - started };
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
    if (!g || !g.running || g.spec.contextKey !== contextKey || !prefix.startsWith(g.spec.prefix)) return null;
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
