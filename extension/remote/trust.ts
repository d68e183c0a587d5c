/**
 * "Test Connection" (also run right after Add Host): the backend connects, reports the host
 * key it saw and whether the login worked. An unknown key is shown with its SHA256
 * fingerprint for the user to trust once; a changed or revoked key is refused loudly and
 * nothing is trusted. A missing passphrase/password is asked for and kept in SecretStorage.
 */
import * as vscode from "vscode";
import type { HostView, TestHostResult } from "../../server/api/hosts";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import type { HostSecretStore } from "../secrets";

type Client = Pick<BackendClient, "call">;

export type TestVerdict = "connected" | "not-trusted" | "failed";

async function runTest(client: Client, secrets: HostSecretStore, host: HostView): Promise<TestHostResult> {
  const credentials = await secrets.credentials([...(host.jump ?? []), host.id]);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Connecting to ${host.id}…` },
    () =>
      client.call("POST /api/hosts/:id/test", { params: { id: host.id }, body: { credentials }, timeoutMs: 45_000 }),
  );
}

/** Asks for the secret a host's auth needs; false when the user cancelled. */
async function askSecret(secrets: HostSecretStore, host: HostView, hop: string): Promise<boolean> {
  const kind = host.auth.kind === "password" && hop === host.id ? "password" : "passphrase";
  const value = await vscode.window.showInputBox({
    title: `${hop}: ${kind === "password" ? "SSH password" : "passphrase of the private key"}`,
    prompt: "Kept in VS Code's secret storage and sent to the AiCockpit backend only for the connection.",
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined || value === "") return false;
  await secrets.set(hop, kind, value);
  return true;
}

/** What the user saw: the verdict, and the last test result (its fingerprint) when there was one. */
export async function testAndTrust(
  client: Client,
  secrets: HostSecretStore,
  host: HostView,
): Promise<{ verdict: TestVerdict; result?: TestHostResult }> {
  // At most: trust the key, give a secret, log in.
  for (let round = 0; round < 4; round++) {
    const r = await runTest(client, secrets, host);
    e2eReport("remote-host-tested", {
      host: host.id,
      at: r.at,
      keyStatus: r.keyStatus,
      fingerprint: r.fingerprint,
      authenticated: r.authenticated,
      error: r.error?.code ?? null,
    });
    const hop = r.at === host.id ? `${host.user}@${host.host}:${host.port}` : `jump host ${r.at}`;
    switch (r.keyStatus) {
      case "unknown": {
        const trust = await vscode.window.showWarningMessage(
          `Trust the SSH host key of ${hop}?`,
          {
            modal: true,
            detail: `${r.keyType} ${r.fingerprint}\n\nNothing vouches for this key yet. Compare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on that machine). Once trusted, only this key is accepted.`,
          },
          "Trust",
        );
        e2eReport("remote-host-trust-answer", { host: r.at, fingerprint: r.fingerprint, trusted: trust === "Trust" });
        if (trust !== "Trust") return { verdict: "not-trusted", result: r };
        await client.call("POST /api/hosts/:id/trust", { params: { id: r.at }, body: { fingerprint: r.fingerprint } });
        continue;
      }
      case "changed":
        void vscode.window.showErrorMessage(
          `The SSH host key of ${hop} has CHANGED. The connection was refused and nothing was trusted.`,
          {
            modal: true,
            detail: `The host now presents ${r.keyType} ${r.fingerprint}, which differs from the key trusted before.\n\nThis can mean someone is intercepting the connection. Only if the host was really re-keyed (check with its administrator), remove the host and add it again.`,
          },
        );
        return { verdict: "not-trusted", result: r };
      case "revoked":
        void vscode.window.showErrorMessage(
          `The SSH host key of ${hop} (${r.fingerprint}) is marked @revoked in known_hosts. The connection was refused.`,
          { modal: true },
        );
        return { verdict: "not-trusted", result: r };
      case "trusted":
        if (r.authenticated) {
          void vscode.window.showInformationMessage(
            `Connected to ${host.id} (${r.latencyMs} ms). Host key ${r.fingerprint} trusted (${r.trustedBy ?? "pinned"}).`,
          );
          return { verdict: "connected", result: r };
        }
        if (
          r.error?.code === "HOST_SECRET_REQUIRED" ||
          (r.error?.code === "HOST_AUTH_FAILED" && host.auth.kind === "password")
        ) {
          if (await askSecret(secrets, host, r.at)) continue;
          return { verdict: "failed", result: r };
        }
        void vscode.window.showErrorMessage(
          `Could not log in to ${hop}: ${r.error?.message ?? "unknown error"}${r.error?.hint ? ` ${r.error.hint}` : ""}`,
        );
        return { verdict: "failed", result: r };
    }
  }
  return { verdict: "failed" };
}
