/** "AiCockpit: Set API Key": password box → SecretStorage. The backend picks it up via the secret-change restart. */
import * as vscode from "vscode";
import type { ApiKeyStore } from "../secrets";
import { readSettings } from "../settings";

export async function setApiKey(keys: ApiKeyStore): Promise<void> {
  const { kind } = readSettings();
  const value = await vscode.window.showInputBox({
    title: `AiCockpit: API key for ${kind}`,
    prompt: `Stored in VS Code's secret storage, never in settings. Leave empty to remove the stored ${kind} key.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  const key = value.trim();
  if (key === "") {
    await keys.delete(kind);
    void vscode.window.showInformationMessage(`AiCockpit: the ${kind} API key was removed.`);
    return;
  }
  await keys.set(kind, key);
  void vscode.window.showInformationMessage(`AiCockpit: ${kind} API key saved. Reconnecting…`);
}
