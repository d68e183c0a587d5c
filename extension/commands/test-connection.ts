/** "AiCockpit: Test Connection": one real request to the AI service; latency or the readable reason. */
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import { describeError } from "../backend/status-model";
import { activeProviderId, showFailure, showWithFix } from "./active-provider";

/** Returns true on success, so callers (and the status bar) can refresh. */
export async function testConnection(client: BackendClient): Promise<boolean> {
  try {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: "AiCockpit: testing the AI service…",
        cancellable: true,
      },
      async (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          const id = await activeProviderId(client);
          if (id === undefined) {
            throw new BackendError("NO_PROVIDER", "Set a model (and a base URL for Azure or custom services) first.");
          }
          return await client.call("POST /api/providers/:id/test", { params: { id }, signal: abort.signal });
        } finally {
          sub.dispose();
        }
      },
    );
    if (result.ok) {
      void vscode.window.showInformationMessage(`AiCockpit: connected to ${result.model} in ${result.latencyMs} ms.`);
      return true;
    }
    const { message, fix } = describeError(
      result.error ?? { code: "PROVIDER_ERROR", message: "The AI service test failed without a reason." },
    );
    await showWithFix(message, fix);
    return false;
  } catch (err) {
    await showFailure(err);
    return false;
  }
}
