/**
 * The InlineCompletionItemProvider: gathers context through the VS Code API and asks the
 * backend (`POST /api/complete`). Client policy lives in vscode-free modules: the per-keystroke
 * decisions (decisions.ts: type-through answered locally, the adaptive debounce, when a
 * cancelled token aborts the HTTP request), which the benchmark drives too; acceptance and
 * rejection (feedback.ts); on/off/snooze and the slow-model warning (gate.ts).
 */
import * as vscode from "vscode";
import type {
  CompletionRequest,
  CompletionResponse,
  CompletionTemplateName,
  CompletionMultiline,
} from "../../server/api/completion";
import { timeBoxed } from "../../common/time-boxed";
import { IgnoreMatcher } from "../../common/ignore";
import { isSecretPath } from "../../common/secrets";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { CompletionContext, docPath, SOURCE_TIME_BOX_MS, workspaceRootOf } from "./context";
import { CompletionDecisions } from "./decisions";
import { FeedbackTracker } from "./feedback";
import { gateState, SlowModelDetector, type GateInput } from "./gate";

export const ACCEPTED_COMMAND = "aicockpit.completion.accepted";

export interface CompletionSettings {
  enabled: boolean;
  disabledLanguages: string[];
  template: CompletionTemplateName | undefined;
  multiline: CompletionMultiline;
  timeoutMs: number;
}

/** Schemes whose documents are code the user writes (not output panes, SCM input, settings UI…). */
const SCHEMES = new Set(["file", "untitled", "vscode-remote", "aicockpit-ws", "vscode-notebook-cell"]);

export interface ProviderDeps {
  backend: Pick<BackendClient, "call">;
  context: CompletionContext;
  settings: () => CompletionSettings;
  gate: () => GateInput;
  /** +1 when a request to the backend starts, -1 when it ends (the status spinner). */
  waiting: (delta: 1 | -1) => void;
  /** The model keeps hitting the time limit: tell the user (once per model). */
  tooSlow: (model: string, timeoutMs: number) => void;
  log: (msg: string) => void;
}

/** A request on its way, with where it was asked for, so a cursor move can cancel it. */
interface Pending {
  docId: string;
  version: number;
  offset: number;
  cancel: () => void;
}

export class CompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  private readonly decisions = new CompletionDecisions();
  readonly cancel = this.decisions.cancel;
  private readonly slow = new SlowModelDetector();
  private readonly loggedErrors = new Map<string, number>();
  private readonly pending = new Set<Pending>();
  readonly feedback: FeedbackTracker;

  constructor(
    private readonly deps: ProviderDeps,
    report: (id: string, outcome: "accepted" | "rejected") => void,
  ) {
    this.feedback = new FeedbackTracker(report);
  }

  dispose(): void {
    this.cancel.abortAll();
  }

  /** The document is gone: drop its state and count what was shown there as not taken. */
  forget(docId: string): void {
    this.decisions.forget(docId);
    this.feedback.closed(docId);
  }

  /**
   * The cursor of `docId` is now at `offset` (document `version`), or the document is no
   * longer the active one (`offset` undefined). VS Code does not cancel a running provider
   * call when the cursor merely moves, so requests asked for elsewhere in an unchanged
   * document are cancelled here, the same way as by the token. A move caused by typing
   * (new version) is left to the next provider call, which supersedes or reuses.
   */
  cursorMoved(docId: string, version: number, offset: number | undefined): void {
    for (const p of this.pending) {
      if (p.docId !== docId) continue;
      if (offset === undefined || (p.version === version && p.offset !== offset)) p.cancel();
    }
  }

  /** A keystroke in the active editor (any document change there): the debounce counts from it. */
  typed(): void {
    this.decisions.typed(Date.now());
  }

  /** Documents other than `activeDocId` lost the cursor. */
  activeChanged(activeDocId: string | undefined): void {
    for (const p of this.pending) if (p.docId !== activeDocId) p.cancel();
  }

  async provideInlineCompletionItems(
    doc: vscode.TextDocument,
    pos: vscode.Position,
    ctx: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!SCHEMES.has(doc.uri.scheme) || gateState(this.deps.gate(), doc.languageId, Date.now()).kind !== "on")
      return undefined;
    // Never even read a secret-looking file into a request.
    if (isSecretPath(doc.uri.path)) return undefined;
    const docId = doc.uri.toString();
    const text = doc.getText();
    const offset = doc.offsetAt(pos);
    const prefix = text.slice(0, offset);
    const suffix = text.slice(offset);

    this.feedback.next(docId, prefix);
    const automatic = ctx.triggerKind === vscode.InlineCompletionTriggerKind.Automatic;
    const decision = this.decisions.call(docId, prefix, automatic, Date.now());
    if (decision.kind === "typethrough") {
      // Typing through the shown suggestion: answered here, no request at all.
      e2eReport("completion-typethrough", { id: decision.id, left: decision.completion.length });
      return [this.item(pos, decision.completion, decision.replaceSuffixChars, decision.id)];
    }

    const ticket = decision.ticket;
    const sub = token.onCancellationRequested(() => ticket.cancel());
    const pending: Pending = { docId, version: doc.version, offset, cancel: () => ticket.cancel() };
    this.pending.add(pending);
    ticket.signal.addEventListener("abort", () => e2eReport("completion-aborted", {}), { once: true });
    let counted = false;
    try {
      const settings = this.deps.settings();
      const folder = workspaceRootOf(doc);
      // Context is gathered while the debounce runs, not after it: the request leaves the moment the wait ends.
      const gathered = timeBoxed(this.deps.context.ignoreFor(folder), SOURCE_TIME_BOX_MS, new IgnoreMatcher("")).then(
        async (ignore) =>
          this.deps.context.excluded(doc.uri, ignore) ? undefined : this.deps.context.snippets(doc, pos, ignore),
      );
      const [snippets] = await Promise.all([gathered, sleep(decision.waitMs, token)]);
      if (token.isCancellationRequested || snippets === undefined) return undefined;

      const body: CompletionRequest = {
        filepath: docPath(doc),
        languageId: doc.languageId,
        prefix,
        suffix,
        snippets,
        multiline: settings.multiline,
        documentId: docId,
        timeoutMs: settings.timeoutMs,
        ...(settings.template ? { template: settings.template } : {}),
        ...(folder?.uri.scheme === "file" ? { workspaceRoot: folder.uri.fsPath } : {}),
      };
      counted = true;
      this.deps.waiting(1);
      // Not aborted per keystroke (the backend supersedes or reuses); the cancel policy aborts when the user left.
      const r = await this.deps.backend.call("POST /api/complete", {
        body,
        signal: ticket.signal,
        timeoutMs: settings.timeoutMs + 5_000,
      });
      this.observe(r, settings.timeoutMs);
      if (r.completion === null) e2eReport("completion-none", { source: r.source, reason: r.reason ?? "" });
      if (r.completion === null || token.isCancellationRequested) return undefined;

      this.decisions.answered(docId, prefix, {
        id: r.id,
        completion: r.completion,
        replaceSuffixChars: r.replaceSuffixChars,
      });
      this.feedback.shownIn(docId, { id: r.id, prefix, completion: r.completion });
      e2eReport("completion-shown", {
        id: r.id,
        source: r.source,
        chars: r.completion.length,
        replaceSuffixChars: r.replaceSuffixChars,
        partial: r.partial === true,
      });
      return [this.item(pos, r.completion, r.replaceSuffixChars, r.id)];
    } catch (err) {
      this.failed(err);
      return undefined;
    } finally {
      ticket.done();
      this.pending.delete(pending);
      sub.dispose();
      if (counted) this.deps.waiting(-1);
    }
  }

  private item(
    pos: vscode.Position,
    completion: string,
    replaceSuffixChars: number,
    id: string,
  ): vscode.InlineCompletionItem {
    // Contract: replace [cursor, cursor + replaceSuffixChars) on the cursor's line.
    const range = new vscode.Range(pos, pos.translate(0, replaceSuffixChars));
    return new vscode.InlineCompletionItem(completion, range, {
      command: ACCEPTED_COMMAND,
      title: "Accept completion",
      arguments: [id],
    });
  }

  private observe(r: CompletionResponse, timeoutMs: number): void {
    if (r.source !== "model" || r.reason === "superseded" || !r.model) return;
    if (this.slow.record(r.model, r.partial === true)) this.deps.tooSlow(r.model, timeoutMs);
  }

  private failed(err: unknown): void {
    const code = err instanceof BackendError ? err.code : "UNEXPECTED";
    // Cancellation is the normal end of most requests; "no provider" is shown by the main status item.
    if (code === "CANCELLED" || code === "NO_PROVIDER" || (err instanceof Error && err.name === "AbortError")) return;
    const now = Date.now();
    // A failing backend fails every keystroke: log each kind of failure once a minute.
    if (now - (this.loggedErrors.get(code) ?? 0) < 60_000) return;
    this.loggedErrors.set(code, now);
    this.deps.log(`inline completion failed: ${code}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function sleep(ms: number, token: vscode.CancellationToken): Promise<void> {
  if (ms <= 0 || token.isCancellationRequested) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const sub = token.onCancellationRequested(done);
    function done(): void {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
}
