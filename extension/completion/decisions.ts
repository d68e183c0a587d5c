/**
 * Every per-keystroke decision of inline completion, in one vscode-free class: the provider
 * (provider.ts) calls it for each VS Code call, and bench/completion.ts drives the very same
 * object, so the benchmark measures the extension's policy rather than a copy of it.
 *
 * - `typed()` — each keystroke (a document change), for the typing-speed estimate.
 * - `call()` — VS Code asks for a completion: answered locally when the user is typing
 *   through the suggestion on screen (no request at all), else a request ticket and how long
 *   to wait before sending it.
 * - `answered()` — what the backend returned is now on screen (for type-through).
 *
 * Why the wait counts from the last keystroke, not from the call: VS Code itself calls the
 * provider only 50 ms after the last change (and not at all between keys typed faster than
 * that), so the provider rarely sees a burst. Measured from the call, the estimate saw one
 * call per burst, took the burst for a pause and waited 240–350 ms on top of VS Code's 50;
 * fed by the keystrokes themselves, a fast burst followed by a pause is requested ~63 ms
 * after the last key.
 */
import { CancelPolicy, type Ticket, type Timers } from "./cancel-policy";
import { AdaptiveDebounce, DEFAULT_DEBOUNCE, type DebounceOptions } from "./debounce";
import { ShownSuggestion } from "./shown-suggestion";

export type CallDecision =
  /** Typing through the suggestion on screen: show the rest, send nothing. */
  | { kind: "typethrough"; id: string; completion: string; replaceSuffixChars: number }
  /** Ask the backend after `waitMs` (unless cancelled meanwhile); settle `ticket` when done. */
  | { kind: "request"; waitMs: number; ticket: Ticket };

export interface Answer {
  id: string;
  completion: string;
  replaceSuffixChars: number;
}

export interface DecisionOptions {
  debounce: Partial<DebounceOptions>;
  /** Timers for the cancel policy (tests and the benchmark may pass their own). */
  timers?: Timers;
}

export class CompletionDecisions {
  private readonly debounce: AdaptiveDebounce;
  /** Grace = the longest debounce: a newer call for the document arrives within it while typing. */
  readonly cancel: CancelPolicy;
  private readonly shown = new Map<string, { id: string; suggestion: ShownSuggestion }>();

  constructor(options: Partial<DecisionOptions> = {}) {
    this.debounce = new AdaptiveDebounce(options.debounce ?? {});
    this.cancel = new CancelPolicy(options.debounce?.maxMs ?? DEFAULT_DEBOUNCE.maxMs, options.timers);
  }

  /** A keystroke in the document the user is editing, at `now` (ms). */
  typed(now: number): void {
    this.debounce.keystroke(now);
  }

  /**
   * VS Code asks for a completion in `docId` with `prefix` before the cursor. `automatic`:
   * triggered by typing (explicit requests are sent at once).
   */
  call(docId: string, prefix: string, automatic: boolean, now: number): CallDecision {
    const entry = this.shown.get(docId);
    const rest = entry?.suggestion.remaining(prefix);
    if (entry && rest)
      return {
        kind: "typethrough",
        id: entry.id,
        completion: rest.completion,
        replaceSuffixChars: rest.replaceSuffixChars,
      };
    entry?.suggestion.clear();
    return { kind: "request", waitMs: automatic ? this.debounce.remaining(now) : 0, ticket: this.cancel.begin(docId) };
  }

  /** The backend's answer for `prefix` is shown in `docId`. */
  answered(docId: string, prefix: string, a: Answer): void {
    const suggestion = new ShownSuggestion();
    suggestion.show({ prefix, completion: a.completion, replaceSuffixChars: a.replaceSuffixChars });
    this.shown.set(docId, { id: a.id, suggestion });
  }

  /** The document is gone. */
  forget(docId: string): void {
    this.shown.delete(docId);
  }
}
