/**
 * The one "Add Host" form (Remote Hosts view, and the Workspaces view's "Add Docker Host"):
 * address, port, user, how to log in, then a connection test that shows the host key to
 * trust. A passphrase or password goes to SecretStorage, never to the backend's registry.
 */
import * as vscode from "vscode";
import { homedir } from "node:os";
import { join } from "node:path";
import type { HostAuth, HostView } from "../../server/api/hosts";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import type { HostSecretStore } from "../secrets";
import { addHostRequest, check, suggestHostId, type HostForm } from "./model";
import { testAndTrust } from "./trust";

type Client = Pick<BackendClient, "call">;

export interface AddHostOptions {
  /** Also list this host's Docker workspaces (set by the Workspaces view). */
  workspaces?: boolean;
}

export async function addHostFlow(
  client: Client,
  secrets: HostSecretStore,
  opts: AddHostOptions = {},
): Promise<HostView | undefined> {
  const taken = (await client.call("GET /api/hosts")).hosts.map((h) => h.id);
  // No step counts in the titles: how many steps there are depends on the login kind.
  const title = (what: string) => `${opts.workspaces ? "Add Docker Host" : "Add SSH Host"}: ${what}`;
  const ask = (what: string, o: vscode.InputBoxOptions) =>
    vscode.window.showInputBox({ title: title(what), ignoreFocusOut: true, ...o });

  const host = await ask("address", {
    prompt: "Host name or address, reached over SSH",
    placeHolder: "build-box.example.com",
    validateInput: check.host,
  });
  if (!host) return undefined;
  const port = await ask("SSH port", { value: "22", validateInput: check.port });
  if (!port) return undefined;
  const user = await ask("user", {
    prompt: "SSH user (must be allowed to use Docker there)",
    validateInput: check.user,
  });
  if (!user) return undefined;
  const allKinds: (vscode.QuickPickItem & { auth: HostAuth["kind"] })[] = [
    {
      label: "Private key file",
      description: "a key on this machine; an encrypted one asks for its passphrase",
      auth: "key",
    },
    {
      label: "ssh-agent",
      description: "the agent of the backend's session (SSH_AUTH_SOCK); never forwarded",
      auth: "agent",
    },
    { label: "Password", description: "kept in VS Code's secret storage", auth: "password" },
  ];
  // Workspaces reach their engine with a key file only (server/workspaces/engines.ts).
  const kinds = opts.workspaces ? allKinds.filter((k) => k.auth === "key") : allKinds;
  const auth = await vscode.window.showQuickPick(kinds, { title: title("log in with"), ignoreFocusOut: true });
  if (!auth) return undefined;
  const form: HostForm = {
    id: suggestHostId(host, taken),
    host,
    port,
    user,
    auth: auth.auth,
    workspaces: opts.workspaces === true,
  };
  if (auth.auth === "key") {
    const keyPath = await ask("private key", {
      prompt: "Path of the private key file",
      value: join(homedir(), ".ssh", "id_ed25519"),
      validateInput: check.keyPath,
    });
    if (!keyPath) return undefined;
    form.keyPath = keyPath;
  }
  const id = await ask("name", {
    prompt: "A short name for this host in AiCockpit (lowercase)",
    value: form.id,
    validateInput: (s) => check.id(s, taken),
  });
  if (!id) return undefined;
  form.id = id;
  if (auth.auth === "password") {
    const pw = await vscode.window.showInputBox({
      title: `${id}: SSH password`,
      prompt: "Kept in VS Code's secret storage",
      password: true,
      ignoreFocusOut: true,
    });
    if (pw === undefined) return undefined;
    if (pw !== "") await secrets.set(id, "password", pw);
  }

  const view = await client.call("POST /api/hosts", { body: addHostRequest(form) });
  e2eReport("remote-host-added", { host: view.id, address: `${view.host}:${view.port}`, auth: view.auth.kind });
  try {
    const { verdict, result } = await testAndTrust(client, secrets, view);
    // Workspaces list only hosts with a pinned key: pin the one known_hosts vouched for.
    if (
      opts.workspaces &&
      verdict === "connected" &&
      result &&
      view.hostFingerprint === undefined &&
      result.trustedBy !== "pinned"
    ) {
      await client.call("POST /api/hosts/:id/trust", {
        params: { id: view.id },
        body: { fingerprint: result.fingerprint },
      });
    }
  } catch (err) {
    // The host is added either way; say so instead of a bare "adding failed".
    const e = err instanceof BackendError ? err : undefined;
    void vscode.window.showErrorMessage(
      `Host ${view.id} was added, but the connection test failed: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`,
    );
  }
  return view;
}
