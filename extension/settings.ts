/** Reads the `aicockpit.*` settings declared in package.json contributes.configuration. */
import * as vscode from "vscode";
import type { ProviderKind } from "../server/api/providers";
import type { AiCockpitSettings } from "./backend/backend-env";

export const SECTION = "aicockpit";

export function readSettings(): AiCockpitSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    kind: c.get<ProviderKind>("provider.kind", "openai"),
    baseUrl: c.get<string>("provider.baseUrl", ""),
    model: c.get<string>("provider.model", ""),
    azureApiVersion: c.get<string>("provider.azureApiVersion", ""),
    requestTimeoutMs: c.get<number>("provider.requestTimeoutMs", 60_000),
    idleTimeoutMs: c.get<number>("provider.idleTimeoutMs", 30_000),
    httpsProxy: c.get<string>("network.httpsProxy", ""),
    caFile: c.get<string>("network.caFile", ""),
    logLevel: c.get<AiCockpitSettings["logLevel"]>("logLevel", "info"),
    // Application scope: a workspace folder's settings cannot turn it on.
    allowHostNetwork: c.inspect<boolean>("workspaces.allowHostNetwork")?.globalValue === true,
    local: {
      modelPath: c.get<string>("local.modelPath", ""),
      threads: c.get<number>("local.threads", 0),
      contextSize: c.get<number>("local.contextSize", 4096),
      idleUnloadSeconds: c.get<number>("local.idleUnloadSeconds", 600),
    },
    allowLocalRepositories: c.inspect<boolean>("tickets.allowLocalRepositories")?.globalValue === true,
  };
}

/** Provider and network settings are application-scoped (user settings only), so write them there. */
export async function setModel(model: string): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update("provider.model", model, vscode.ConfigurationTarget.Global);
}

/** Writes several `aicockpit.*` user settings; `undefined` resets one to its default. */
export async function updateSettings(values: Record<string, unknown>): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  for (const [key, value] of Object.entries(values)) await c.update(key, value, vscode.ConfigurationTarget.Global);
}
