/**
 * Acceptance and rejection of shown suggestions, for `/api/complete/feedback`.
 *
 * VS Code's stable API says when an item is accepted (the item's command runs) but not
 * when ghost text is dismissed. The heuristic, per document: a shown suggestion is
 * - accepted when its command runs (Tab), or when the user typed all of it by hand;
 * - rejected when the next completion request for that document is neither a type-through
 *   of it nor its acceptance (the user typed something else, moved the cursor, pressed Esc
 *   and went on typing), or when the document is closed.
 * One outcome per id at most. A suggestion followed by nothing at all stays unreported
 * (the backend forgets old ids). vscode-free.
 */
import type { CompletionOutcome } from "../../server/api/completion";

interface Tracked {
  id: string;
  /** Document text before the cursor when shown. */
  prefix: string;
  completion: string;
}

export type Report = (id: string, outcome: CompletionOutcome) => void;

export class FeedbackTracker {
  private readonly shown = new Map<string, Tracked>();
  private readonly reported = new Set<string>();

  constructor(private readonly report: Report) {}

  shownIn(docId: string, s: Tracked): void {
    const prev = this.shown.get(docId);
    if (prev && prev.id !== s.id) this.settle(prev, "rejected");
    this.shown.set(docId, s);
  }

  /** The item's command ran: VS Code inserted it. */
  accepted(id: string): void {
    for (const [doc, s] of this.shown) if (s.id === id) this.shown.delete(doc);
    this.settle({ id, prefix: "", completion: "" }, "accepted");
  }

  /**
   * A new request for `docId` at `prefix`. Returns true while the user is typing through
   * the shown suggestion (it stays shown), false when it was settled or nothing is shown.
   */
  next(docId: string, prefix: string): boolean {
    const s = this.shown.get(docId);
    if (!s) return false;
    if (prefix.startsWith(s.prefix)) {
      const typed = prefix.slice(s.prefix.length);
      if (typed === s.completion) {
        this.shown.delete(docId);
        this.settle(s, "accepted");
        return false;
      }
      if (s.completion.startsWith(typed)) return true;
    }
    this.shown.delete(docId);
    this.settle(s, "rejected");
    return false;
  }

  /** The document was closed (or completion turned off): whatever is shown was not taken. */
  closed(docId: string): void {
    const s = this.shown.get(docId);
    if (!s) return;
    this.shown.delete(docId);
    this.settle(s, "rejected");
  }

  private settle(s: Tracked, outcome: CompletionOutcome): void {
    if (this.reported.has(s.id)) return;
    this.reported.add(s.id);
    // Bounded memory: ids are only compared for duplicates among recent ones.
    if (this.reported.size > 1_000) this.reported.delete(this.reported.values().next().value!);
    this.report(s.id, outcome);
  }
}
