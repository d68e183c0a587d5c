/**
 * One pending Ctrl+K edit in one document. The region (the target lines) is re-rendered
 * as a whole on every update — original and proposed lines interleaved and decorated —
 * so cancel and reject can always restore the original text byte for byte.
 *
 * Undo: every intermediate render is applied without undo stops, so it merges into one
 * undo element; at the end the region is put back to the original and the final text is
 * applied as a separate, stopped edit. One Ctrl+Z after accepting returns to the original.
 */
import * as vscode from "vscode";
import type { DiffLine, EditEvent, EditRequest, Hunk } from "../../server/api/edit";
import { joinRegion, resolvedLines, reviewView, streamingView, type HunkState, type RegionView } from "./merged-view";
import type { EditTarget } from "./target";

export interface EditStreamer {
  stream(req: EditRequest, signal: AbortSignal): AsyncIterable<EditEvent>;
}

export interface EditDecorations {
  added: vscode.TextEditorDecorationType;
  removed: vscode.TextEditorDecorationType;
  pending: vscode.TextEditorDecorationType;
  working: vscode.TextEditorDecorationType;
}

export type Phase = "streaming" | "review" | "finished";

export interface SessionHooks {
  changed(session: EditSession): void;
  /** The edit now covers a block around the original target (see retarget()). */
  retargeted?(session: EditSession, label: string): void;
  finished(
    session: EditSession,
    outcome: "accepted" | "rejected" | "cancelled" | "failed" | "unchanged",
    detail?: string,
  ): void;
}

export class EditSession {
  phase: Phase = "streaming";
  readonly uri: vscode.Uri;
  private lineCount: number;
  private originalText: string;
  private oldLines: string[];
  private readonly eol: string;
  private streamed: DiffLine[] = [];
  private position = 0;
  private hunks: Hunk[] = [];
  private states: HunkState[] = [];
  private view: RegionView = { lines: [], hunkStarts: new Map() };
  private abort = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  private rounds: { instruction: string; result: string }[] = [];
  private instruction = "";
  /** Own edits in flight; document changes seen meanwhile are ours, not the user's. */
  applying = 0;

  constructor(
    private readonly doc: vscode.TextDocument,
    public target: EditTarget,
    private readonly streamer: EditStreamer,
    private readonly decorations: EditDecorations,
    private readonly hooks: SessionHooks,
  ) {
    this.uri = doc.uri;
    this.startLine = target.startLine;
    this.lineCount = target.endLine - target.startLine + 1;
    this.originalText = doc.getText(this.regionRange());
    this.eol = doc.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n";
    const body = target.trailingEol ? this.originalText.replace(/\r?\n$/, "") : this.originalText;
    this.oldLines = body.split(/\r?\n/);
  }

  startLine: number;

  get lines(): { start: number; count: number } {
    return { start: this.startLine, count: this.lineCount };
  }

  /** Document line where each pending hunk starts (review phase). */
  hunkLines(): { hunk: number; line: number }[] {
    return [...this.view.hunkStarts].map(([hunk, rel]) => ({ hunk, line: this.startLine + rel }));
  }

  get pendingHunks(): number {
    return this.states.filter((s) => s === "pending").length;
  }

  get totalHunks(): number {
    return this.hunks.length;
  }

  async run(instruction: string): Promise<void> {
    this.instruction = instruction;
    this.phase = "streaming";
    this.streamed = [];
    this.position = 0;
    this.hooks.changed(this);
    const req: EditRequest = {
      filepath: vscode.workspace.asRelativePath(this.uri, false),
      languageId: this.doc.languageId,
      instruction,
      code: this.target.code,
      linePrefix: this.target.linePrefix,
      lineSuffix: this.target.lineSuffix,
      before: this.doc.getText(new vscode.Range(Math.max(0, this.startLine - 60), 0, this.startLine, 0)),
      after: this.doc.getText(
        new vscode.Range(this.startLine + this.lineCount, 0, this.startLine + this.lineCount + 60, 0),
      ),
      ...(this.rounds.length > 0 ? { previous: this.rounds } : {}),
      ...(this.target.enclosing && this.target.enclosing.length > 0 ? { enclosing: this.target.enclosing } : {}),
    };
    const signal = this.abort.signal;
    try {
      for await (const ev of this.streamer.stream(req, signal)) {
        if (this.phase !== "streaming") return;
        if (ev.type === "lines") {
          this.streamed.push(...ev.lines);
          this.position += ev.lines.filter((l) => l.kind !== "added").length;
          await this.render(streamingView(this.streamed, this.oldLines, this.position));
        } else if (ev.type === "retarget") {
          this.retarget(ev.startLine, ev.endLine, ev.label);
        } else if (ev.type === "done") {
          await this.review(ev.hunks);
        } else {
          throw Object.assign(new Error(ev.error.message), { code: ev.error.code });
        }
      }
      if (this.phase === "streaming") throw new Error("The edit stream ended before the model finished.");
    } catch (err) {
      if (signal.aborted || this.phase !== "streaming") return;
      await this.restoreOriginal();
      this.finish("failed", (err as Error).message);
    }
  }

  /** A follow-up instruction refines the pending proposal instead of starting over. */
  async refine(instruction: string): Promise<void> {
    const proposal = joinRegion(
      resolvedLines(
        this.oldLines,
        this.hunks,
        this.hunks.map(() => "accepted"),
      ),
      this.eol,
      false,
    );
    this.rounds.push({ instruction: this.instruction, result: proposal });
    this.abort.abort();
    this.abort = new AbortController();
    await this.restoreOriginal();
    await this.run(instruction);
  }

  async decide(hunk: number, state: "accepted" | "rejected"): Promise<void> {
    if (this.phase !== "review" || this.states[hunk] !== "pending") return;
    this.states[hunk] = state;
    if (this.pendingHunks === 0) await this.finalize();
    else await this.render(reviewView(this.oldLines, this.hunks, this.states));
  }

  async decideAll(state: "accepted" | "rejected"): Promise<void> {
    if (this.phase === "streaming") {
      if (state === "rejected") await this.cancel();
      return;
    }
    if (this.phase !== "review") return;
    this.states = this.states.map((s) => (s === "pending" ? state : s));
    await this.finalize();
  }

  /** Esc: stop the model and put the original text back exactly. */
  async cancel(): Promise<void> {
    if (this.phase === "finished") return;
    this.phase = "finished";
    this.abort.abort();
    await this.restoreOriginal();
    this.finish("cancelled");
  }

  dispose(): void {
    this.abort.abort();
    this.clearDecorations();
  }

  /** Keeps the region anchored when the user edits lines above it. */
  shift(lines: number): void {
    this.startLine += lines;
  }

  /**
   * The answer covers a block around the target (it started with that block's header): the
   * region becomes that block before anything was rendered, so the proposal replaces the
   * block instead of nesting a second header inside it.
   */
  private retarget(relStart: number, relEnd: number, label: string): void {
    const start = this.startLine + relStart;
    const end = this.startLine + relEnd;
    if (this.streamed.length > 0 || start < 0 || end >= this.doc.lineCount || end < start) {
      throw new Error("The backend re-aligned the edit to lines outside the document.");
    }
    const enclosing = (this.target.enclosing ?? [])
      .filter((b) => b.startLine <= relStart && b.endLine >= relEnd)
      .map((b) => ({
        ...b,
        startLine: b.startLine - relStart,
        endLine: b.endLine - relStart,
        headerLine: b.headerLine - relStart,
      }));
    // Whole lines without the final line break (as the backend now diffs them): set the
    // target first, the region's range depends on its trailingEol.
    const range = new vscode.Range(start, 0, end, this.doc.lineAt(end).text.length);
    const code = this.doc.getText(range);
    this.target = {
      startLine: start,
      endLine: end,
      code,
      linePrefix: "",
      lineSuffix: "",
      trailingEol: false,
      label,
      enclosing,
    };
    this.startLine = start;
    this.lineCount = end - start + 1;
    this.originalText = code;
    this.oldLines = code.split(/\r?\n/);
    this.hooks.retargeted?.(this, label);
  }

  private async review(hunks: Hunk[]): Promise<void> {
    this.hunks = hunks;
    this.states = hunks.map(() => "pending");
    if (hunks.length === 0) {
      this.phase = "finished";
      await this.restoreOriginal();
      this.finish("unchanged", "The model proposed no changes.");
      return;
    }
    this.phase = "review";
    await this.render(reviewView(this.oldLines, this.hunks, this.states));
  }

  private async finalize(): Promise<void> {
    this.phase = "finished";
    const lines = resolvedLines(this.oldLines, this.hunks, this.states);
    const changed = lines.join("\n") !== this.oldLines.join("\n");
    await this.restoreOriginal();
    if (changed) {
      await this.replaceRegion(joinRegion(lines, this.eol, this.target.trailingEol), lines.length, true);
    }
    this.finish(changed ? "accepted" : "rejected");
  }

  private finish(outcome: Parameters<SessionHooks["finished"]>[1], detail?: string): void {
    this.phase = "finished";
    this.clearDecorations();
    this.hooks.finished(this, outcome, detail);
  }

  private async restoreOriginal(): Promise<void> {
    this.view = { lines: [], hunkStarts: new Map() };
    const count = this.target.endLine - this.target.startLine + 1;
    await this.replaceRegion(this.originalText, count, false);
    this.clearDecorations();
  }

  private async render(view: RegionView): Promise<void> {
    this.view = view;
    const text = joinRegion(
      view.lines.map((l) => l.text),
      this.eol,
      this.target.trailingEol,
    );
    await this.replaceRegion(text, view.lines.length, false);
    this.decorate();
    this.hooks.changed(this);
  }

  decorate(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== this.uri.toString()) continue;
      const by = (kind: string) =>
        this.view.lines.flatMap((l, i) =>
          l.kind === kind ? [new vscode.Range(this.startLine + i, 0, this.startLine + i, 0)] : [],
        );
      editor.setDecorations(this.decorations.added, by("added"));
      editor.setDecorations(this.decorations.removed, by("removed"));
      editor.setDecorations(this.decorations.pending, by("pending"));
      const firstPending = this.view.lines.findIndex((l) => l.kind === "pending");
      const workingLine = firstPending >= 0 ? firstPending : this.view.lines.length - 1;
      editor.setDecorations(
        this.decorations.working,
        this.phase === "streaming" && workingLine >= 0
          ? [new vscode.Range(this.startLine + workingLine, 0, this.startLine + workingLine, 0)]
          : [],
      );
    }
  }

  private clearDecorations(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== this.uri.toString()) continue;
      for (const d of Object.values(this.decorations)) editor.setDecorations(d, []);
    }
  }

  private regionRange(count = this.lineCount): vscode.Range {
    if (this.target.trailingEol) return new vscode.Range(this.startLine, 0, this.startLine + count, 0);
    if (count === 0) return new vscode.Range(this.startLine, 0, this.startLine, 0);
    const last = this.startLine + count - 1;
    return new vscode.Range(this.startLine, 0, last, this.doc.lineAt(last).text.length);
  }

  /** Serialised so renders never interleave; `stop` makes this edit its own undo step. */
  private replaceRegion(text: string, newCount: number, stop: boolean): Promise<void> {
    const job = this.queue.then(async () => {
      const range = this.regionRange();
      this.applying++;
      try {
        const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
        let ok: boolean;
        if (editor) {
          ok = await editor.edit((b) => b.replace(range, text), { undoStopBefore: stop, undoStopAfter: stop });
        } else {
          const we = new vscode.WorkspaceEdit();
          we.replace(this.uri, range, text);
          ok = await vscode.workspace.applyEdit(we);
        }
        if (!ok) throw new Error("VS Code refused the edit (is the document read-only?)");
        // An empty trailing-EOL region removes its lines entirely.
        this.lineCount = text === "" && this.target.trailingEol ? 0 : newCount;
      } finally {
        this.applying--;
      }
    });
    this.queue = job.catch(() => undefined);
    return job;
  }
}
