/** Helpers the provider commands share: which provider is active, and how a failure is shown. */
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import { describeError, type FixCommand } from "../backend/status-model";

/** The provider the backend uses now; undefined when none is configured. */
export async function activeProviderId(client: BackendClient): Promise<string | undefined> {
  const list = await client.call("GET /api/providers", { timeoutMs: 10_000 });
  return list.activeId ?? undefined;
}

/** Shows a failure as one notification with the matching fix as its button. */
export async function showFailure(err: unknown): Promise<void> {
  if (err instanceof BackendError && err.code === "CANCELLED") return;
  const { message, fix } =
    err instanceof BackendError
      ? describeError(err)
      : describeError({ code: "INTERNAL", message: err instanceof Error ? err.message : String(err) });
  await showWithFix(message, fix);
}

/** An error notification whose one button runs the fix. */
export async function showWithFix(message: string, fix: FixCommand): Promise<void> {
  const picked = await vscode.window.showErrorMessage(message, fix.title);
  if (picked === fix.title) await vscode.commands.executeCommand(fix.id, ...(fix.args ?? []));
}
