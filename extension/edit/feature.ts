/**
 * Ctrl+K: wires edit sessions into VS Code — commands, keybinding contexts, CodeLens
 * Accept/Reject, decorations — and keeps one session per document so several edits in
 * different files run at once without crosstalk.
 */
import * as vscode from "vscode";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { askInstruction } from "./instruction-input";
import { EditSession, type EditDecorations, type EditStreamer } from "./session";
import { findTarget, warmParser, wholeDocument } from "./target";
import { applyStrategy, mergeInstruction } from "./apply-strategy";
import {
  codebaseQuestion,
  codebaseSourcesLine,
  EDIT_CODEBASE_TOKENS,
  withCodebaseContext,
} from "./codebase-instruction";
import type { CodebaseService } from "../codebase/feature";

export const EDIT_COMMANDS = {
  start: "aicockpit.edit.start",
  acceptHunk: "aicockpit.edit.acceptHunk",
  rejectHunk: "aicockpit.edit.rejectHunk",
  acceptAll: "aicockpit.edit.acceptAll",
  rejectAll: "aicockpit.edit.rejectAll",
  cancel: "aicockpit.edit.cancel",
  reviewProposal: "aicockpit.edit.reviewProposal",
} as const;

/** The slice of the backend client the edit feature needs. */
export type EditBackend = Pick<BackendClient, "events" | "call">;

/**
 * Arguments of `aicockpit.edit.reviewProposal`: review a proposal that came from elsewhere
 * (a chat answer's Apply) in the same diff flow as a Ctrl+K edit. It replaces the selection
 * of the active editor, or the whole document when nothing is selected.
 */
export interface ReviewProposalArgs {
  proposed: string;
}

function decorations(): EditDecorations {
  return {
    added: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor("diffEditor.insertedLineBackground"),
      overviewRulerColor: new vscode.ThemeColor("editorOverviewRuler.addedForeground"),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
    removed: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor("diffEditor.removedLineBackground"),
      overviewRulerColor: new vscode.ThemeColor("editorOverviewRuler.deletedForeground"),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
      opacity: "0.75",
    }),
    pending: vscode.window.createTextEditorDecorationType({ isWholeLine: true, opacity: "0.55" }),
    working: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      borderWidth: "1px 0 0 0",
      borderStyle: "dashed",
      borderColor: new vscode.ThemeColor("editorCodeLens.foreground"),
      after: {
        contentText: "   ⋯ AiCockpit is editing (Esc to cancel)",
        color: new vscode.ThemeColor("editorCodeLens.foreground"),
      },
    }),
  };
}

export function registerEditFeature(
  context: vscode.ExtensionContext,
  backend: EditBackend,
  log: (msg: string) => void,
  codebase?: CodebaseService,
): void {
  const sessions = new Map<string, EditSession>();
  const decos = decorations();
  const lensChanged = new vscode.EventEmitter<void>();

  const streamer: EditStreamer = { stream: (req, signal) => backend.events("POST /api/edit", { body: req, signal }) };

  // While a model streams, edits rewrite the region constantly and VS Code withholds CodeLenses
  // on changing lines until edits pause, so the always-visible cancel affordance is here.
  const streamingItem = vscode.window.createStatusBarItem(
    "aicockpit.edit.streaming",
    vscode.StatusBarAlignment.Left,
    50,
  );
  streamingItem.name = "AiCockpit Edit";
  streamingItem.text = "$(loading~spin) AiCockpit: editing… (Esc to cancel)";
  streamingItem.tooltip = "Click or press Esc in the editor to cancel the edit and restore the original text";
  streamingItem.command = EDIT_COMMANDS.cancel;

  const updateContext = () => {
    const streaming = [...sessions.values()].some((s) => s.phase === "streaming");
    if (streaming) streamingItem.show();
    else streamingItem.hide();
    const active = vscode.window.activeTextEditor;
    const s = active ? sessions.get(active.document.uri.toString()) : undefined;
    void vscode.commands.executeCommand("setContext", "aicockpit.edit.streaming", s?.phase === "streaming");
    void vscode.commands.executeCommand(
      "setContext",
      "aicockpit.edit.pending",
      s !== undefined && s.phase !== "finished",
    );
  };

  // Phase last announced per document: lenses and context keys change only with the phase (or a
  // review decision). Firing on every streamed chunk keeps VS Code's debounced CodeLens
  // renderer from ever settling, so the Cancel lens would never show.
  const announced = new Map<string, string>();
  const hooks = {
    changed: (s: EditSession) => {
      const key = s.uri.toString();
      const state = s.phase === "review" ? `review:${s.pendingHunks}` : s.phase;
      if (announced.get(key) === state) return;
      announced.set(key, state);
      lensChanged.fire();
      updateContext();
      if (s.phase === "review")
        e2eReport("edit-review", { file: s.uri.fsPath, hunks: s.totalHunks, pending: s.pendingHunks });
    },
    retargeted: (s: EditSession, label: string) => {
      e2eReport("edit-retarget", { file: s.uri.fsPath, target: label });
      log(`edit in ${vscode.workspace.asRelativePath(s.uri)}: the answer covers ${label}; the edit now covers it`);
      vscode.window.setStatusBarMessage(`$(info) AiCockpit: the answer rewrites ${label}; the edit covers it`, 8_000);
    },
    finished: (s: EditSession, outcome: string, detail?: string) => {
      sessions.delete(s.uri.toString());
      announced.delete(s.uri.toString());
      lensChanged.fire();
      updateContext();
      e2eReport("edit-finished", { file: s.uri.fsPath, outcome });
      log(`edit in ${vscode.workspace.asRelativePath(s.uri)}: ${outcome}${detail ? ` (${detail})` : ""}`);
      if (outcome === "failed")
        void vscode.window.showErrorMessage(
          `AiCockpit edit failed: ${detail ?? "unknown error"}. The document is unchanged.`,
        );
      if (outcome === "unchanged") void vscode.window.showInformationMessage(`AiCockpit: ${detail ?? "no changes"}`);
    },
  };

  const sessionFor = (uri?: vscode.Uri): EditSession | undefined => {
    const u = uri ?? vscode.window.activeTextEditor?.document.uri;
    return u ? sessions.get(u.toString()) : undefined;
  };

  /**
   * `@codebase` in the instruction: the retrieved code rides along with it. Undefined when the
   * user must be told why not (no folder, retrieval failed) — the edit does not start then.
   */
  const expand = async (instruction: string): Promise<string | undefined> => {
    const question = codebaseQuestion(instruction);
    if (question === undefined || !codebase) return instruction;
    if (question === "") {
      void vscode.window.showWarningMessage("AiCockpit: say what to change along with @codebase.");
      return undefined;
    }
    try {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: "AiCockpit: searching the codebase…" },
        () => codebase.retrieve(question, EDIT_CODEBASE_TOKENS),
      );
      e2eReport("edit-codebase", { files: r.files.join(",") });
      log(`edit: @codebase brought ${r.files.length} file(s): ${r.files.join(", ")}`);
      // Chat lists its Sources under the answer; an edit has no such place, so say it where the eye is.
      vscode.window.setStatusBarMessage(`$(search) ${codebaseSourcesLine(r.files)}`, 15_000);
      return withCodebaseContext(question, r.context);
    } catch (err) {
      void vscode.window.showErrorMessage(
        `AiCockpit: @codebase failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return undefined;
    }
  };

  const start = async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage("AiCockpit: open a file to edit with an instruction.");
      return;
    }
    const existing = sessionFor(editor.document.uri);
    if (existing?.phase === "review") {
      const instruction = await askInstruction(
        context.globalState,
        "AiCockpit: refine the pending edit",
        "Follow-up instruction (refines the proposal below); @codebase brings related code",
      );
      const expanded = instruction ? await expand(instruction) : undefined;
      if (expanded) await existing.refine(expanded);
      return;
    }
    if (existing) return; // still streaming: Esc cancels first
    const target = await findTarget(editor, backend);
    const instruction = await askInstruction(
      context.globalState,
      `AiCockpit: edit ${target.label}`,
      "Describe the change, e.g. “add input validation” (@codebase brings related code)",
    );
    if (!instruction) return;
    const expanded = await expand(instruction);
    if (!expanded) return;
    if (sessionFor(editor.document.uri)) return;
    // A live selection would paint over the diff colours and swallow typing: collapse it.
    const top = new vscode.Position(target.startLine, 0);
    editor.selection = new vscode.Selection(top, top);
    const session = new EditSession(editor.document, target, streamer, decos, hooks);
    sessions.set(editor.document.uri.toString(), session);
    e2eReport("edit-started", {
      file: editor.document.uri.fsPath,
      target: target.label,
      source: target.source ?? "selection",
    });
    await session.run(expanded);
  };

  const reviewProposal = async (args: ReviewProposalArgs) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || typeof args?.proposed !== "string") {
      void vscode.window.showWarningMessage("AiCockpit: open the file to apply the code to first.");
      return;
    }
    if (sessionFor(editor.document.uri)) {
      void vscode.window.showWarningMessage(
        "AiCockpit: this file already has a pending edit; accept or reject it first.",
      );
      return;
    }
    const strategy = applyStrategy(
      editor.document.lineCount,
      args.proposed.split(/\r?\n/).length,
      !editor.selection.isEmpty,
    );
    if (strategy === "merge") {
      const target = wholeDocument(editor.document);
      const top = new vscode.Position(0, 0);
      editor.selection = new vscode.Selection(top, top);
      const session = new EditSession(editor.document, target, streamer, decos, hooks);
      sessions.set(editor.document.uri.toString(), session);
      e2eReport("edit-started", { file: editor.document.uri.fsPath, target: target.label, source: "proposal-merge" });
      await session.run(mergeInstruction(args.proposed));
      return;
    }
    const target = editor.selection.isEmpty ? wholeDocument(editor.document) : await findTarget(editor, backend);
    // The first round diffs the given proposal; a follow-up goes to the model like any edit.
    const proposal: EditStreamer = {
      async *stream(req, signal) {
        if (req.previous) {
          yield* streamer.stream(req, signal);
          return;
        }
        const { hunks } = await backend.call("POST /api/edit/diff", {
          body: {
            code: target.linePrefix + target.code + target.lineSuffix,
            proposed: target.linePrefix + args.proposed + target.lineSuffix,
          },
          signal,
        });
        yield { type: "done", text: args.proposed, hunks };
      },
    };
    const top = new vscode.Position(target.startLine, 0);
    editor.selection = new vscode.Selection(top, top);
    const session = new EditSession(editor.document, target, proposal, decos, hooks);
    sessions.set(editor.document.uri.toString(), session);
    e2eReport("edit-started", { file: editor.document.uri.fsPath, target: target.label, source: "proposal" });
    await session.run("Apply the proposed code");
  };

  const lenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensChanged.event,
    provideCodeLenses(doc) {
      const s = sessions.get(doc.uri.toString());
      if (!s || s.phase === "finished") return [];
      const top = new vscode.Range(s.lines.start, 0, s.lines.start, 0);
      if (s.phase === "streaming")
        return [
          new vscode.CodeLens(top, {
            title: "$(loading~spin) Editing… Cancel (Esc)",
            command: EDIT_COMMANDS.cancel,
            arguments: [doc.uri],
          }),
        ];
      const out = [
        new vscode.CodeLens(top, {
          title: `Accept All (${s.pendingHunks})`,
          command: EDIT_COMMANDS.acceptAll,
          arguments: [doc.uri],
        }),
        new vscode.CodeLens(top, { title: "Reject All", command: EDIT_COMMANDS.rejectAll, arguments: [doc.uri] }),
        new vscode.CodeLens(top, { title: "Follow-up (Ctrl+K)", command: EDIT_COMMANDS.start }),
      ];
      for (const { hunk, line } of s.hunkLines()) {
        const r = new vscode.Range(line, 0, line, 0);
        out.push(
          new vscode.CodeLens(r, { title: "Accept", command: EDIT_COMMANDS.acceptHunk, arguments: [doc.uri, hunk] }),
        );
        out.push(
          new vscode.CodeLens(r, { title: "Reject", command: EDIT_COMMANDS.rejectHunk, arguments: [doc.uri, hunk] }),
        );
      }
      return out;
    },
  };

  if (vscode.window.activeTextEditor) warmParser(backend, vscode.window.activeTextEditor.document);
  context.subscriptions.push(
    lensChanged,
    streamingItem,
    ...Object.values(decos),
    vscode.languages.registerCodeLensProvider({ scheme: "*" }, lenses),
    vscode.commands.registerCommand(EDIT_COMMANDS.start, start),
    vscode.commands.registerCommand(EDIT_COMMANDS.reviewProposal, reviewProposal),
    vscode.commands.registerCommand(EDIT_COMMANDS.acceptHunk, (uri: vscode.Uri, hunk: number) =>
      sessionFor(uri)?.decide(hunk, "accepted"),
    ),
    vscode.commands.registerCommand(EDIT_COMMANDS.rejectHunk, (uri: vscode.Uri, hunk: number) =>
      sessionFor(uri)?.decide(hunk, "rejected"),
    ),
    vscode.commands.registerCommand(EDIT_COMMANDS.acceptAll, (uri?: vscode.Uri) =>
      sessionFor(uri)?.decideAll("accepted"),
    ),
    vscode.commands.registerCommand(EDIT_COMMANDS.rejectAll, (uri?: vscode.Uri) =>
      sessionFor(uri)?.decideAll("rejected"),
    ),
    vscode.commands.registerCommand(EDIT_COMMANDS.cancel, (uri?: vscode.Uri) => sessionFor(uri)?.cancel()),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      updateContext();
      if (editor) warmParser(backend, editor.document);
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => sessions.forEach((s) => s.decorate())),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const s = sessions.get(e.document.uri.toString());
      if (!s || s.applying > 0) return;
      for (const c of e.contentChanges) {
        // Edits above the region move it; the region itself is owned by the session until decided.
        if (c.range.end.line < s.lines.start) {
          s.shift(c.text.split(/\r?\n/).length - 1 - (c.range.end.line - c.range.start.line));
        }
      }
      lensChanged.fire();
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const s = sessions.get(doc.uri.toString());
      if (s) {
        s.dispose();
        sessions.delete(doc.uri.toString());
      }
    }),
    { dispose: () => sessions.forEach((s) => s.dispose()) },
  );
  updateContext();
}
