/**
 * "AiCockpit: Select Model": the provider's model list when it can be fetched, otherwise
 * (or on request) a free-text entry — local servers and Azure deployments often cannot list.
 * The built-in models (catalog, with sizes) and "Choose a GGUF file…" are offered too.
 */
import * as vscode from "vscode";
import { BackendError } from "../backend/client";
import type { LocalModelCatalog, LocalModelCatalogEntry } from "../../server/api/local-model";
import { localModelOf } from "../backend/backend-env";
import { readSettings, setModel } from "../settings";
import { activeProviderId } from "./active-provider";
import { catalogRow } from "../setup/choices";
import { chooseGguf, useCatalogModel, type SetupDeps } from "../setup/flow";
import { COMMANDS } from "./ids";

const MANUAL = "$(edit) Enter a model name…";
const GGUF = "$(file) Choose a GGUF file…";
const SETUP = "$(sparkle) Set up another way…";

type Item = vscode.QuickPickItem & { entry?: LocalModelCatalogEntry };

export async function selectModel(deps: SetupDeps): Promise<void> {
  const { client } = deps;
  const settings = readSettings();
  const local = settings.kind === "local";
  const current = local ? localModelOf(settings) : settings.model;
  let models: string[] = [];
  let why = "";
  const catalogP: Promise<LocalModelCatalog | undefined> = client
    .call("GET /api/local-model/catalog", { timeoutMs: 10_000 })
    .catch(() => undefined);
  if (!local) {
    try {
      const id = await activeProviderId(client);
      if (id === undefined) why = "No AI service is configured yet, so models cannot be listed.";
      else models = (await client.call("GET /api/providers/:id/models", { params: { id }, timeoutMs: 30_000 })).models;
    } catch (err) {
      why = `Cannot list models: ${err instanceof BackendError ? err.message : String(err)}`;
    }
  }
  const catalog = await catalogP;

  const items: Item[] = [
    ...models.map((m) => ({ label: m, ...(m === current ? { description: "current" } : {}) })),
    { label: "Built-in model (AiCockpit runs it on this machine)", kind: vscode.QuickPickItemKind.Separator },
    ...(catalog?.models ?? []).map((entry) => {
      const row = catalogRow(entry);
      const isCurrent = local && entry.id === current;
      return {
        label: row.label,
        description: `${isCurrent ? "current · " : ""}${row.description ?? ""}`,
        ...(row.detail !== undefined ? { detail: row.detail } : {}),
        entry,
      };
    }),
    {
      label: GGUF,
      ...(local && current.endsWith(".gguf") ? { description: `current: ${current}` } : {}),
      alwaysShow: true,
    },
    { label: "", kind: vscode.QuickPickItemKind.Separator },
    ...(local ? [] : [{ label: MANUAL, alwaysShow: true }]),
    { label: SETUP, detail: "Model servers on this machine, AI services with a key.", alwaysShow: true },
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title: "AiCockpit: Select Model",
    placeHolder: why !== "" ? why : "Model to use",
    matchOnDescription: true,
  });
  if (choice === undefined) return;
  if (choice.entry !== undefined) return useCatalogModel(deps, choice.entry);
  if (choice.label === GGUF) return chooseGguf(deps);
  if (choice.label === SETUP) return void vscode.commands.executeCommand(COMMANDS.setup);
  let picked: string | undefined = choice.label === MANUAL ? undefined : choice.label;
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
