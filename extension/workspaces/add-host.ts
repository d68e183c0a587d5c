/**
 * "Add Docker Host (SSH)": a remote machine whose Docker Engine hosts workspaces. The host
 * key is read first and shown for the user to trust once; from then on only that key is
 * accepted (a changed key is refused by the backend).
 */
import * as vscode from "vscode";
import { homedir } from "node:os";
import { join } from "node:path";
import { BackendError, type BackendClient } from "../backend/client";

type Client = Pick<BackendClient, "call">;

export async function addDockerHost(client: Client): Promise<string | undefined> {
  const host = await vscode.window.showInputBox({
    title: "Add Docker Host (1/4): address",
    prompt: "Host name or address of a machine with Docker, reached over SSH",
    placeHolder: "build-box.example.com",
    ignoreFocusOut: true,
    validateInput: (s) => (/^[A-Za-z0-9.:_-]+$/.test(s.trim()) ? undefined : "A host name or IP address."),
  });
  if (!host) return undefined;
  const portText = await vscode.window.showInputBox({ title: "Add Docker Host (2/4): SSH port", value: "22", ignoreFocusOut: true, validateInput: (s) => (/^\d{1,5}$/.test(s) && Number(s) <= 65535 ? undefined : "A port number.") });
  if (!portText) return undefined;
  const username = await vscode.window.showInputBox({ title: "Add Docker Host (3/4): user", prompt: "SSH user (must be allowed to use Docker there)", ignoreFocusOut: true, validateInput: (s) => (/^[A-Za-z0-9._-]+$/.test(s) ? undefined : "A user name.") });
  if (!username) return undefined;
  const privateKeyPath = await vscode.window.showInputBox({ title: "Add Docker Host (4/4): private key", prompt: "Path of your SSH private key file", value: join(homedir(), ".ssh", "id_ed25519"), ignoreFocusOut: true });
  if (!privateKeyPath) return undefined;
  const port = Number(portText);
  try {
    const { fingerprint } = await client.call("POST /api/workspace-hosts/probe-key", { body: { host: host.trim(), port }, timeoutMs: 20_000 });
    const trust = await vscode.window.showWarningMessage(
      `Trust the SSH host key of ${host}:${port}?`,
      {
        modal: true,
        detail: `${fingerprint}\n\nCompare it with the host's own (e.g. \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on that machine). Only this key will be accepted from now on.`,
      },
      "Trust and Add",
    );
    if (trust !== "Trust and Add") return undefined;
    const id = host.trim().toLowerCase().replace(/[^a-z0-9_.-]/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 48) || "remote";
    await client.call("PUT /api/workspace-hosts/:id", { params: { id }, body: { host: host.trim(), port, username, privateKeyPath, hostFingerprint: fingerprint } });
    void vscode.window.showInformationMessage(`Docker host "${id}" added: new workspaces can be created there.`);
    return id;
  } catch (err) {
    const e = err instanceof BackendError ? err : undefined;
    void vscode.window.showErrorMessage(`Adding ${host} failed: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`);
    return undefined;
  }
}
