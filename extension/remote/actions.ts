/**
 * Start / Stop / Restart a container on any host. The backend answers the first call with
 * the exact docker command and a token bound to it; the user confirms that command in a
 * modal, and only the second call (with the token) acts.
 */
import * as vscode from "vscode";
import type { ContainerAction } from "../../server/api/containers";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";

const LABEL: Record<ContainerAction, string> = { start: "Start", stop: "Stop", restart: "Restart" };

/** true when the action ran. */
export async function containerAction(
  client: Pick<BackendClient, "call">,
  host: string,
  name: string,
  action: ContainerAction,
  headers: Record<string, string> = {},
): Promise<boolean> {
  const route = `POST /api/hosts/:host/containers/:name/${action}` as const;
  const params = { host, name };
  const first = await client.call(route, { params, body: {}, timeoutMs: 30_000, headers });
  if (first.status === "confirmation_required") {
    const label = LABEL[action];
    e2eReport("remote-action-confirm", { host, container: name, action, command: first.command });
    const answer = await vscode.window.showWarningMessage(
      `${label} container ${name} on ${host}?`,
      { modal: true, detail: `This runs exactly:\n\n${first.command}\n\n${first.reasons.join("\n")}` },
      label,
    );
    e2eReport("remote-action-confirm-answer", { host, container: name, action, confirmed: answer === label });
    if (answer !== label) return false;
    const done = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${first.command}…` },
      () => client.call(route, { params, body: { confirmToken: first.confirmToken }, timeoutMs: 90_000, headers }),
    );
    if (done.status !== "done") throw new Error(`The backend asked again for a confirmation of ${first.command}.`);
    e2eReport("remote-action-done", { host, container: name, action, state: done.container.state });
    void vscode.window.showInformationMessage(`${name} on ${host}: ${done.container.status || done.container.state}`);
    return true;
  }
  e2eReport("remote-action-done", { host, container: name, action, state: first.container.state });
  return true;
}
