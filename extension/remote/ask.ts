/**
 * "AiCockpit: Ask a Container…": a plain-words intent for one container goes to the AI
 * Command Gateway, which answers with exactly one validated docker command and its result.
 * What needs a confirmation is shown as the exact command; "Run" sends the token bound to
 * it, so what runs is what the user saw.
 */
import * as vscode from "vscode";
import type { GatewayExecuteResponse, GatewayTarget } from "../../server/api/gateway";
import { GATEWAY_LIMITS } from "../../server/api/gateway";
import type { CredentialsByHost } from "../../server/api/hosts";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { askOutcome } from "./ask-outcome";
import type { RemoteDocuments } from "./documents";

type Client = Pick<BackendClient, "call">;

const execute = (
  client: Client,
  intent: string,
  target: GatewayTarget,
  credentials: CredentialsByHost | undefined,
  confirmToken?: string,
): Thenable<GatewayExecuteResponse> =>
  vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: confirmToken
        ? `Running on ${target.container}…`
        : `Asking for one docker command for ${target.container}…`,
    },
    () =>
      client.call("POST /api/gateway/execute", {
        body: { intent, target, ...(confirmToken ? { confirmToken } : {}), ...(credentials ? { credentials } : {}) },
        timeoutMs: GATEWAY_LIMITS.defaultTimeoutMs + 90_000,
      }),
  );

/** `credentials`: the host's and its jump hops' secrets from SecretStorage, if it needs any. */
export async function askContainer(
  client: Client,
  docs: RemoteDocuments,
  target: GatewayTarget,
  credentials?: CredentialsByHost,
): Promise<void> {
  const intent = await vscode.window.showInputBox({
    title: `Ask ${target.container} (${target.host})`,
    prompt: "What should happen to this container? One docker command is proposed; changes ask first.",
    placeHolder: "show the last 20 log lines · restart it · how much memory does it use?",
    ignoreFocusOut: true,
    validateInput: (s) =>
      s.length > GATEWAY_LIMITS.intentChars ? `At most ${GATEWAY_LIMITS.intentChars} characters` : undefined,
  });
  if (!intent?.trim()) return;
  let res = await execute(client, intent, target, credentials);
  // At most one confirmation: a confirmed token runs, it never asks again.
  for (let round = 0; round < 2; round++) {
    const o = askOutcome(res, target);
    const base = {
      host: target.host,
      container: target.container,
      status: res.overall_status,
      command: o.kind === "message" ? (res.command ?? null) : o.command,
    };
    if (o.kind === "confirm") {
      e2eReport("remote-ask-confirm", { ...base, reasons: o.reasons.join(" | ") });
      const answer = await vscode.window.showWarningMessage(
        `Run this command on ${target.container} (${target.host})?`,
        { modal: true, detail: `${o.command}\n\n${o.reasons.join("\n")}` },
        "Run",
      );
      e2eReport("remote-ask-confirm-answer", { ...base, confirmed: answer === "Run" });
      if (answer !== "Run") return;
      res = await execute(client, intent, target, credentials, o.token);
      continue;
    }
    if (o.kind === "output") {
      if (o.short !== undefined) {
        e2eReport("remote-ask-result", { ...base, shown: "notification", text: o.short });
        const show = o.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
        void show(`Ran ${o.command} on ${target.host}. ${o.short === "" ? "No output." : `Output: ${o.short}`}`);
        return;
      }
      // The tab says which container and which docker subcommand; VS Code tells equal names apart.
      const uri = docs.uri(target.host, `${target.container}: docker ${res.argv?.[1] ?? "output"}`);
      docs.set(uri, o.document);
      await docs.show(uri);
      const lines = o.document.split("\n");
      e2eReport("remote-ask-result", {
        ...base,
        shown: "editor",
        uri: uri.toString(),
        lines: lines.length,
        text: o.document.slice(0, 4000),
      });
      if (!o.ok) void vscode.window.showWarningMessage(`${o.command}: ${o.summary}`);
      return;
    }
    e2eReport("remote-ask-result", {
      ...base,
      shown: o.severity,
      text: `${o.message}${o.detail ? `\n${o.detail}` : ""}`,
    });
    const show =
      o.severity === "error"
        ? vscode.window.showErrorMessage
        : o.severity === "warning"
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    // Reasons are a list: a modal shows them whole, a toast would cut them.
    if (o.detail !== undefined) void show(o.message, { modal: true, detail: o.detail });
    else void show(o.message);
    return;
  }
}
