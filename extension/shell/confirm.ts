/** The confirmation pickers and the Edit box over the VS Code API (their content: confirm-view.ts). */
import * as vscode from "vscode";
import type { ConfirmChoice, PickItemView, PickView } from "./confirm-view";

interface Item extends vscode.QuickPickItem {
  id: PickItemView["id"];
}

/** Shows a picker with Cancel selected; resolves with the choice (Cancel when dismissed). */
export function pick(view: PickView, extensionUri: vscode.Uri): Promise<ConfirmChoice> {
  const icon = (v: PickItemView): vscode.QuickPickItem["iconPath"] => {
    if (!v.icon) return undefined;
    if ("codicon" in v.icon) return new vscode.ThemeIcon(v.icon.codicon);
    return vscode.Uri.joinPath(extensionUri, "media", "terminal", `risk-${v.icon.risk}.svg`);
  };
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = view.title;
    qp.placeholder = view.placeholder;
    qp.matchOnDescription = false;
    qp.matchOnDetail = false;
    qp.items = view.items.map((v) => ({
      id: v.id,
      label: v.label,
      ...(v.description !== undefined ? { description: v.description } : {}),
      ...(v.detail !== undefined ? { detail: v.detail } : {}),
      ...(v.icon ? { iconPath: icon(v) } : {}),
    }));
    const cancel = qp.items.find((i) => i.id === "cancel");
    if (cancel) qp.activeItems = [cancel];
    let choice: ConfirmChoice = "cancel";
    const subs = [
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
        // Explanation and reason rows are for reading; choosing one keeps the picker open.
        if (!chosen || chosen.id === "info") return;
        choice = chosen.id;
        qp.hide();
      }),
      qp.onDidHide(() => {
        subs.forEach((d) => d.dispose());
        qp.dispose();
        resolve(choice);
      }),
    ];
    qp.show();
  });
}

/** The Edit box, prefilled; undefined when dismissed. */
export async function editCommand(command: string): Promise<string | undefined> {
  const edited = await vscode.window.showInputBox({
    title: "AiCockpit: edit the command",
    prompt: "It is assessed again before it can run.",
    value: command,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === "" ? "Enter a command, or press Esc to cancel." : undefined),
  });
  return edited?.trim() || undefined;
}

/**
 * While the model thinks: a busy picker where the confirmation will appear, so focus stays
 * in one place and Esc stops the request. A progress toast would linger next to the
 * confirmation instead.
 */
export function busyPicker(title: string, text: string, onCancel: () => void): vscode.Disposable {
  const qp = vscode.window.createQuickPick();
  qp.title = title;
  qp.placeholder = text;
  qp.busy = true;
  qp.items = [{ label: "$(close) Cancel", description: "stop asking the model (Esc)" }];
  let done = false;
  const subs = [
    qp.onDidAccept(() => qp.hide()),
    qp.onDidChangeValue(() => (qp.value = "")),
    qp.onDidHide(() => {
      subs.forEach((d) => d.dispose());
      qp.dispose();
      if (!done) onCancel();
    }),
  ];
  qp.show();
  return {
    dispose: () => {
      done = true;
      qp.hide();
    },
  };
}
