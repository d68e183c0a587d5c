/**
 * "AiCockpit: Set Up a Model…": one quick pick that fills in as the backend answers (model
 * servers found on this machine, the built-in model list), then the few questions the
 * chosen way needs. Every answer is written to user settings; the backend restarts with them
 * (extension.ts) and the status bar shows the result.
 */
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import type { DiscoveredServer, DiscoveryResult } from "../../server/api/discovery";
import type { LocalModelCatalog, LocalModelCatalogEntry, LocalModelStatus } from "../../server/api/local-model";
import { isHttpUrl } from "../../common/url";
import type { ApiKeyStore } from "../secrets";
import { setApiKey } from "../commands/set-api-key";
import { e2eReport } from "../e2e-report";
import { setupRows, type Loadable, type ServiceKind, type SetupChoice, type SetupRow } from "./choices";
import { downloadModel } from "./local-download";

export interface SetupDeps {
  client: BackendClient;
  keys: ApiKeyStore;
  log: (m: string) => void;
  /** Writes several aicockpit.* user settings with one backend restart for all of them. */
  applySettings: (values: Record<string, unknown>) => Promise<void>;
}

const TITLE = "AiCockpit: Set Up a Model";

function reason(err: unknown): string {
  return err instanceof BackendError ? err.message : err instanceof Error ? err.message : String(err);
}

async function load<T>(f: () => Promise<T>): Promise<Loadable<T>> {
  try {
    return { state: "ok", value: await f() };
  } catch (err) {
    return { state: "failed", message: reason(err) };
  }
}

export const fetchCatalog = (client: BackendClient) =>
  client.call("GET /api/local-model/catalog", { timeoutMs: 10_000 });
const discover = (client: BackendClient) => client.call("GET /api/providers/discover", { timeoutMs: 15_000 });

type RowItem = vscode.QuickPickItem & { choice?: SetupChoice };

function toItems(rows: SetupRow[]): RowItem[] {
  return rows.map((r) =>
    r.separator === true
      ? { label: r.label, kind: vscode.QuickPickItemKind.Separator }
      : {
          label: r.label,
          ...(r.description !== undefined ? { description: r.description } : {}),
          ...(r.detail !== undefined ? { detail: r.detail } : {}),
          ...(r.choice !== undefined ? { choice: r.choice } : {}),
          alwaysShow: true,
        },
  );
}

/** The quick pick; resolves with the user's choice (undefined: closed). `only` limits it to one section. */
async function pickChoice(client: BackendClient, only?: "service"): Promise<SetupChoice | undefined> {
  const qp = vscode.window.createQuickPick<RowItem>();
  qp.title = only === "service" ? "AiCockpit: Connect an AI Service" : TITLE;
  qp.placeholder =
    only === "service"
      ? "Which service?"
      : "Where should AiCockpit's model run? (a server on this machine, built in, or a service)";
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.ignoreFocusOut = true;
  let discovery: Loadable<DiscoveryResult> = { state: "loading" };
  let catalog: Loadable<LocalModelCatalog> = { state: "loading" };
  let closed = false;
  const render = () => {
    if (closed) return;
    let rows = setupRows(discovery, catalog);
    if (only === "service") rows = rows.filter((r) => r.choice?.kind === "service");
    qp.items = toItems(rows);
    qp.busy = only !== "service" && (discovery.state === "loading" || catalog.state === "loading");
    e2eReport("setup-pick", {
      discovery: discovery.state,
      servers: discovery.state === "ok" ? discovery.value.servers.length : 0,
      catalog: catalog.state,
    });
  };
  const rescan = () => {
    discovery = { state: "loading" };
    render();
    void load(() => discover(client)).then((d) => {
      discovery = d;
      render();
    });
  };
  render();
  if (only !== "service") {
    rescan();
    void load(() => fetchCatalog(client)).then((c) => {
      catalog = c;
      render();
    });
  }
  qp.show();
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const choice = qp.selectedItems[0]?.choice;
      if (choice === undefined) return; // a "looking…" row
      if (choice.kind === "rescan") return rescan();
      resolve(choice);
      qp.hide();
    });
    qp.onDidHide(() => {
      closed = true;
      resolve(undefined);
      qp.dispose();
    });
  });
}

/** Entry point of the command, the status item and the walkthrough's button. */
export async function runSetup(deps: SetupDeps, only?: "service"): Promise<void> {
  const choice = await pickChoice(deps.client, only);
  if (choice === undefined) return;
  switch (choice.kind) {
    case "server":
      return useServer(deps, choice.server);
    case "catalog":
      return useCatalogModel(deps, choice.entry);
    case "gguf":
      return chooseGguf(deps);
    case "service":
      return connectService(deps, choice.service);
    case "rescan":
      return;
  }
}

async function done(message: string): Promise<void> {
  e2eReport("setup-done", { message });
  void vscode.window.showInformationMessage(`AiCockpit ${message}`);
}

async function useServer(deps: SetupDeps, server: DiscoveredServer): Promise<void> {
  if (server.needsApiKey) {
    await deps.applySettings({ "provider.kind": "custom", "provider.baseUrl": server.baseUrl });
    await setApiKey(deps.keys);
    const model = await askModelName(`Model on ${server.name}`, "");
    if (model === undefined) return;
    await deps.applySettings({ "provider.model": model });
    return done(`now uses ${model} on ${server.name}.`);
  }
  if (server.models.length === 0) {
    const again = "Look Again";
    const pick = await vscode.window.showWarningMessage(
      `${server.name} on port ${server.port} has no model loaded. Load or pull one there, then choose it again.`,
      again,
    );
    if (pick === again) await vscode.commands.executeCommand("aicockpit.setup");
    return;
  }
  const picked = await vscode.window.showQuickPick(
    server.models.map((m) => ({ label: m })),
    {
      title: `AiCockpit: Model on ${server.name}`,
      placeHolder: "Which model should AiCockpit use?",
      ignoreFocusOut: true,
    },
  );
  if (picked === undefined) return;
  await deps.applySettings({
    "provider.kind": "custom",
    "provider.baseUrl": server.baseUrl,
    "provider.model": picked.label,
  });
  return done(`now uses ${picked.label} on ${server.name}.`);
}

/** Downloads (after consent) and switches to a catalog model. */
export async function useCatalogModel(deps: SetupDeps, entry: LocalModelCatalogEntry): Promise<void> {
  let modelsDir = "AiCockpit's models folder";
  try {
    modelsDir = (await fetchCatalog(deps.client)).modelsDir;
  } catch {
    // the sentence above is shown instead
  }
  const outcome = await downloadModel(deps.client, entry, modelsDir);
  if (outcome.kind !== "done") return;
  await deps.applySettings({ "provider.kind": "local", "provider.model": entry.id, "local.modelPath": undefined });
  void preloadLocalModel(deps, (s) => s.modelId === entry.id);
  return done(`now runs ${entry.name} on this machine.`);
}

/** "Choose a GGUF File…": any model file on disk becomes the built-in model. */
export async function chooseGguf(deps: SetupDeps): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    title: "AiCockpit: Choose a GGUF Model File",
    openLabel: "Use This Model",
    canSelectMany: false,
    filters: { "GGUF model": ["gguf"] },
  });
  const file = picked?.[0];
  if (file === undefined) return;
  await deps.applySettings({ "provider.kind": "local", "local.modelPath": file.fsPath });
  void preloadLocalModel(deps, (s) => s.modelPath === file.fsPath);
  return done(`now runs ${file.path.split("/").pop() ?? file.fsPath} on this machine.`);
}

/**
 * Loads the model the user just chose, in the background, so the first ghost text does not wait
 * for it (seconds for a 0.5B model). The backend restarts with the new settings first: wait until
 * the one serving is the one with this model as its active provider. Best effort: any failure
 * shows up again, with its message, on the first request.
 */
export async function preloadLocalModel(
  deps: SetupDeps,
  isChosen: (s: LocalModelStatus) => boolean,
  waitMs = 60_000,
): Promise<void> {
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    // Fails while the backend restarts: asked again.
    const s = await deps.client.call("GET /api/local-model/status", { timeoutMs: 5_000 }).catch(() => undefined);
    if (s?.active === true && isChosen(s)) {
      if (s.state === "loaded" || s.state === "loading") return;
      deps.log(`Loading ${s.displayName ?? "the local model"} ahead of the first request.`);
      e2eReport("local-preload", { phase: "start" });
      try {
        const after = await deps.client.call("POST /api/local-model/load", { body: {}, timeoutMs: 300_000 });
        e2eReport("local-preload", { phase: "done", state: after.state, loadMs: after.loadMs ?? null });
      } catch (err) {
        deps.log(`Loading the local model ahead of time failed: ${reason(err)}`);
        e2eReport("local-preload", { phase: "failed" });
      }
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function askModelName(title: string, value: string): Thenable<string | undefined> {
  return vscode.window
    .showInputBox({
      title: `AiCockpit: ${title}`,
      prompt: "The model (for Azure: the deployment) name. AiCockpit: Select Model lists them later.",
      value,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === "" ? "A model name is required." : undefined),
    })
    .then((v) => v?.trim());
}

function askUrl(title: string, placeholder: string): Thenable<string | undefined> {
  return vscode.window
    .showInputBox({
      title: `AiCockpit: ${title}`,
      placeHolder: placeholder,
      ignoreFocusOut: true,
      validateInput: (v) => (isHttpUrl(v.trim()) ? undefined : "An http:// or https:// address."),
    })
    .then((v) => v?.trim());
}

const DEFAULT_MODEL: Record<ServiceKind, string> = {
  openai: "gpt-4o-mini",
  gemini: "gemini-2.0-flash",
  azure: "",
  custom: "",
};

async function connectService(deps: SetupDeps, service: ServiceKind): Promise<void> {
  let baseUrl = "";
  if (service === "azure") {
    const url = await askUrl("Azure OpenAI resource address", "https://<resource>.openai.azure.com");
    if (url === undefined) return;
    baseUrl = url;
  } else if (service === "custom") {
    const url = await askUrl("OpenAI-compatible server address", "http://127.0.0.1:8000/v1");
    if (url === undefined) return;
    baseUrl = url;
  }
  await deps.applySettings({ "provider.kind": service, "provider.baseUrl": baseUrl });
  // The key prompt (secret storage, bound to this address); optional for an own server.
  await setApiKey(deps.keys);
  const model = await askModelName(service === "azure" ? "Azure deployment name" : "Model", DEFAULT_MODEL[service]);
  if (model === undefined) return;
  await deps.applySettings({ "provider.model": model });
  return done(`now uses ${model}.`);
}
