/** "AiCockpit: Set API Key": password box → SecretStorage. The backend picks it up via the secret-change restart. */
import * as vscode from "vscode";
import type { ApiKeyStore } from "../secrets";
import { readSettings } from "../settings";

export async function setApiKey(keys: ApiKeyStore): Promise<void> {
  const { kind, baseUrl } = readSettings();
  const where = baseUrl.trim() === "" ? kind : `${kind} at ${baseUrl.trim()}`;
  const value = await vscode.window.showInputBox({
    title: `AiCockpit: API key for ${where}`,
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
  // Bound to this address: if the base URL changes later, the key is not sent there.
  await keys.set(kind, key, baseUrl.trim());
  void vscode.window.showInformationMessage(`AiCockpit: ${kind} API key saved. Reconnecting…`);
}
