/**
 * When a VS Code cancellation token fires, should the HTTP request behind it be aborted?
 *
 * VS Code cancels the previous provider call on every keystroke, but the backend contract
 * asks clients to keep the request alive: the next request with the same `documentId`
 * either reuses the running generation or supersedes it, and aborting first throws away
 * a reusable generation. Yet "cancellation aborts the upstream request" must hold when
 * the user really walked away (Esc, another file, focus lost). So a cancelled request is
 * aborted only if, `graceMs` after its cancellation, no newer provider call for the same
 * document is still live; a newer live call means the backend will supersede or reuse it.
 * When that newer call is answered and nothing newer is live, the check runs again: the
 * backend answers some requests (cache hits, skipped positions) without superseding.
 * vscode-free so it is unit-tested with a fake clock.
 */

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

type State = "live" | "cancelled" | "aborted" | "done";

export interface Ticket {
  /** Aborts the HTTP request; pass it to the backend client. */
  readonly signal: AbortSignal;
  /** The provider's token was cancelled (the request keeps running for now). */
  cancel(): void;
  /** The request finished (answered or failed); nothing to abort any more. */
  done(): void;
  readonly state: State;
}

class TicketImpl implements Ticket {
  readonly controller = new AbortController();
  state: State = "live";
  constructor(
    readonly docId: string,
    private readonly owner: CancelPolicy,
  ) {}
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  cancel(): void {
    if (this.state !== "live") return;
    this.state = "cancelled";
    this.owner.onCancelled(this);
  }
  done(): void {
    if (this.state === "done" || this.state === "aborted") return;
    this.state = "done";
    this.owner.onDone(this);
  }
}

export class CancelPolicy {
  private readonly docs = new Map<string, Set<TicketImpl>>();
  private readonly checks = new Map<string, unknown>();

  constructor(
    private readonly graceMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  begin(docId: string): Ticket {
    const t = new TicketImpl(docId, this);
    let set = this.docs.get(docId);
    if (!set) this.docs.set(docId, (set = new Set()));
    set.add(t);
    return t;
  }

  /** Requests of `docId` that are cancelled but still running (for tests and the log). */
  pending(docId: string): number {
    return [...(this.docs.get(docId) ?? [])].filter((t) => t.state === "cancelled").length;
  }

  /** Aborts everything (extension shutdown, completion turned off). */
  abortAll(): void {
    for (const docId of [...this.docs.keys()]) this.abortCancelled(docId, true);
  }

  /** @internal */
  onCancelled(t: TicketImpl): void {
    this.scheduleCheck(t.docId);
  }

  /** @internal */
  onDone(t: TicketImpl): void {
    const set = this.docs.get(t.docId);
    set?.delete(t);
    if (!set) return;
    if (set.size === 0) {
      this.docs.delete(t.docId);
      return;
    }
    // The newer request that kept older cancelled ones alive is answered: the backend may have
    // answered it without touching them (cache hit, skipped), so they need checking again.
    if (![...set].some((x) => x.state === "live")) this.scheduleCheck(t.docId);
  }

  private scheduleCheck(docId: string): void {
    // One check per document, restarted by each event: it runs graceMs after the last one.
    const prev = this.checks.get(docId);
    if (prev !== undefined) this.timers.clear(prev);
    this.checks.set(
      docId,
      this.timers.set(() => {
        this.checks.delete(docId);
        this.abortCancelled(docId, false);
      }, this.graceMs),
    );
  }

  private abortCancelled(docId: string, all: boolean): void {
    const set = this.docs.get(docId);
    if (!set) return;
    // A newer call still live will be sent with the same documentId: the backend supersedes or reuses.
    if (!all && [...set].some((t) => t.state === "live")) return;
    for (const t of [...set]) {
      if (!all && t.state !== "cancelled") continue;
      t.state = "aborted";
      t.controller.abort();
      set.delete(t);
    }
    if (set.size === 0) this.docs.delete(docId);
  }
}
