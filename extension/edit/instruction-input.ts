/** The Ctrl+K prompt: a quick pick that takes free text and offers recent instructions. */
import * as vscode from "vscode";

const HISTORY_KEY = "aicockpit.edit.history";
const HISTORY_MAX = 30;

export async function askInstruction(
  memento: vscode.Memento,
  title: string,
  placeholder: string,
): Promise<string | undefined> {
  const history = memento.get<string[]>(HISTORY_KEY, []);
  const qp = vscode.window.createQuickPick();
  qp.title = title;
  qp.placeholder = placeholder;
  qp.matchOnDescription = false;
  const recent = history.map((label) => ({ label, description: "recent" }));
  qp.items = recent;
  qp.onDidChangeValue((v) => {
    // The typed text is always the first choice, so Enter sends what was typed.
    qp.items = v.trim() === "" ? recent : [{ label: v, description: "" }, ...recent.filter((r) => r.label !== v)];
  });
  const result = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const picked = qp.selectedItems[0]?.label ?? qp.value;
      resolve(picked.trim() === "" ? undefined : picked.trim());
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (result !== undefined) {
    await memento.update(HISTORY_KEY, [result, ...history.filter((h) => h !== result)].slice(0, HISTORY_MAX));
  }
  return result;
}
