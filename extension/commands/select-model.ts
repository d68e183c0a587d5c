/**
 * "AiCockpit: Select Model": the provider's model list when it can be fetched, otherwise
 * (or on request) a free-text entry — local servers and Azure deployments often cannot list.
 */
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import { readSettings, setModel } from "../settings";
import { activeProviderId } from "./active-provider";

const MANUAL = "$(edit) Enter a model name…";

export async function selectModel(client: BackendClient): Promise<void> {
  const current = readSettings().model;
  let models: string[] = [];
  let why = "";
  try {
    const id = await activeProviderId(client);
    if (id === undefined) why = "No AI service is configured yet, so models cannot be listed.";
    else models = (await client.call("GET /api/providers/:id/models", { params: { id }, timeoutMs: 30_000 })).models;
  } catch (err) {
    why = `Cannot list models: ${err instanceof BackendError ? err.message : String(err)}`;
  }

  let picked: string | undefined;
  if (models.length > 0) {
    const items: vscode.QuickPickItem[] = [
      ...models.map((m) => ({ label: m, ...(m === current ? { description: "current" } : {}) })),
      { label: "", kind: vscode.QuickPickItemKind.Separator },
      { label: MANUAL, alwaysShow: true },
    ];
    const choice = await vscode.window.showQuickPick(items, {
      title: "AiCockpit: Select Model",
      placeHolder: "Model to use",
      matchOnDescription: true,
    });
    if (choice === undefined) return;
    picked = choice.label === MANUAL ? undefined : choice.label;
  }
  if (picked === undefined) {
    picked = await vscode.window.showInputBox({
      title: "AiCockpit: Select Model",
      prompt:
        why !== "" ? `${why} Type the model (or Azure deployment) name.` : "Type the model (or Azure deployment) name.",
      value: current,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === "" ? "A model name is required." : undefined),
    });
    if (picked === undefined) return;
  }
  const model = picked.trim();
  if (model !== current) await setModel(model);
}
