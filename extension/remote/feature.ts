/**
 * Remote hosts in VS Code: the "Remote Hosts" tree (local Docker + SSH hosts, each with its
 * containers), adding/importing/testing hosts with host-key trust, container logs and
 * confirmed start/stop/restart, and "Ask a Container…" (the AI Command Gateway). All SSH and
 * Docker work happens in the backend; this is its VS Code face.
 */
import * as vscode from "vscode";
import { HOST_CREDENTIALS_HEADER } from "../../server/api/containers";
import type { GatewayTarget } from "../../server/api/gateway";
import type { CredentialsByHost } from "../../server/api/hosts";
import { BackendError, type BackendClient, type ClientConnection } from "../backend/client";
import { e2eReport } from "../e2e-report";
import type { HostSecretStore } from "../secrets";
import { containerAction } from "./actions";
import { addHostFlow } from "./add-host";
import { askContainer } from "./ask";
import { RemoteDocuments, REMOTE_SCHEME } from "./documents";
import { importSshConfig } from "./import-ssh-config";
import { followLogs } from "./logs";
import { LOCAL } from "./model";
import { containerTerminal } from "./terminal";
import { ADD_HOST_COMMAND, RemoteHostsTree, type RemoteNode } from "./tree";
import { testAndTrust } from "./trust";

export const REMOTE_COMMANDS = {
  refresh: "aicockpit.remote.refresh",
  addHost: ADD_HOST_COMMAND,
  importSshConfig: "aicockpit.remote.importSshConfig",
  testConnection: "aicockpit.remote.testConnection",
  removeHost: "aicockpit.remote.removeHost",
  showLogs: "aicockpit.remote.showLogs",
  start: "aicockpit.remote.start",
  stop: "aicockpit.remote.stop",
  restart: "aicockpit.remote.restart",
  ask: "aicockpit.remote.ask",
  openTerminal: "aicockpit.remote.openTerminal",
} as const;

const VIEW_ID = "aicockpit.remoteHosts";
const POLL_MS = 10_000;

export function registerRemoteFeature(
  context: vscode.ExtensionContext,
  client: BackendClient,
  secrets: HostSecretStore,
  log: (m: string) => void,
  connection: () => ClientConnection | undefined,
): { refresh(): void } {
  /** The SSH secrets a request about `host` needs (its own and its jump hops'), from SecretStorage. */
  const credentialsFor = async (host: string): Promise<CredentialsByHost | undefined> => {
    if (host === LOCAL) return undefined;
    const view = (await client.call("GET /api/hosts", { timeoutMs: 20_000 })).hosts.find((h) => h.id === host);
    const creds = await secrets.credentials([...(view?.jump ?? []), host]);
    return Object.keys(creds).length > 0 ? creds : undefined;
  };
  /** The same for the container routes, which take them in a header (server/api/containers.ts). */
  const credentialHeaders = async (host: string): Promise<Record<string, string>> => {
    const creds = await credentialsFor(host);
    return creds ? { [HOST_CREDENTIALS_HEADER]: Buffer.from(JSON.stringify(creds), "utf8").toString("base64") } : {};
  };
  const listContainers = async (host: string) =>
    client.call("GET /api/hosts/:host/containers", {
      params: { host },
      timeoutMs: 45_000,
      headers: await credentialHeaders(host),
    });
  const tree = new RemoteHostsTree({
    hosts: () => client.call("GET /api/hosts", { timeoutMs: 20_000 }),
    containers: listContainers,
  });
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const docs = new RemoteDocuments();
  const refresh = () => tree.refresh();
  const timer = setInterval(() => {
    if (view.visible) void tree.refreshIfChanged();
  }, POLL_MS);

  const showError = (what: string, err: unknown) => {
    const e = err instanceof BackendError ? err : undefined;
    log(`remote: ${what} failed: ${e ? `${e.code} ${e.message}` : String(err)}`);
    e2eReport("remote-error", { what, code: e?.code ?? null, message: e?.message ?? String(err) });
    void vscode.window.showErrorMessage(`${what} failed: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`);
  };

  /** Every command reports itself (E2E) and turns a thrown error into a message. */
  const command = (id: string, what: string, run: (node?: RemoteNode) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (node?: RemoteNode) => {
      e2eReport("remote-command", { command: id, node: node?.kind ?? null });
      try {
        await run(node);
      } catch (err) {
        showError(what, err);
      }
    });

  const pickHost = async (title: string, remoteOnly: boolean): Promise<string | undefined> => {
    const hosts = (await client.call("GET /api/hosts")).hosts;
    const items = [
      ...(remoteOnly ? [] : [{ label: LOCAL, description: "this machine's Docker" }]),
      ...hosts.map((h) => ({ label: h.id, description: `${h.user}@${h.host}:${h.port}` })),
    ];
    if (items.length === 0) {
      void vscode.window.showInformationMessage("No SSH hosts yet: add one in the Remote Hosts view.");
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true }))?.label;
  };

  /** The container a command is about: the clicked row, or a host + container picked from lists. */
  const containerOf = async (node: RemoteNode | undefined, title: string): Promise<GatewayTarget | undefined> => {
    if (node?.kind === "container") return { host: node.host, container: node.c.name };
    const host = node?.kind === "host" ? node.id : await pickHost(`${title}: host`, false);
    if (!host) return undefined;
    const list = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Listing containers on ${host}…` },
      () => listContainers(host),
    );
    if (list.containers.length === 0) {
      void vscode.window.showInformationMessage(`No containers on ${host}.`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      list.containers.map((c) => ({ label: c.name, description: `${c.state} · ${c.image}`, c })),
      { title: `${title}: container on ${host}`, ignoreFocusOut: true },
    );
    return pick ? { host, container: pick.c.name } : undefined;
  };

  const hostOf = async (node: RemoteNode | undefined, title: string) =>
    node?.kind === "host" && node.id !== LOCAL ? node.id : pickHost(title, true);

  const action = (verb: "start" | "stop" | "restart", label: string) => async (node?: RemoteNode) => {
    const t = await containerOf(node, `${label} Container`);
    if (!t) return;
    try {
      await containerAction(client, t.host, t.container, verb, await credentialHeaders(t.host));
    } finally {
      refresh();
    }
  };

  context.subscriptions.push(
    tree,
    view,
    docs,
    { dispose: () => clearInterval(timer) },
    vscode.workspace.registerTextDocumentContentProvider(REMOTE_SCHEME, docs),
    command(REMOTE_COMMANDS.refresh, "Refreshing", async () => refresh()),
    command(REMOTE_COMMANDS.addHost, "Adding the host", async () => {
      if (await addHostFlow(client, secrets)) refresh();
    }),
    command(REMOTE_COMMANDS.importSshConfig, "Importing from ~/.ssh/config", async () => {
      if ((await importSshConfig(client, secrets)).length > 0) refresh();
    }),
    command(REMOTE_COMMANDS.testConnection, "Testing the connection", async (node) => {
      const id = await hostOf(node, "Test Connection");
      if (!id) return;
      const host = (await client.call("GET /api/hosts")).hosts.find((h) => h.id === id);
      if (host) await testAndTrust(client, secrets, host);
      refresh();
    }),
    command(REMOTE_COMMANDS.removeHost, "Removing the host", async (node) => {
      const id = await hostOf(node, "Remove Host");
      if (!id) return;
      const ok = await vscode.window.showWarningMessage(
        `Remove host ${id} from AiCockpit?`,
        { modal: true, detail: "Its containers keep running; only AiCockpit forgets the host and its stored secrets." },
        "Remove",
      );
      if (ok !== "Remove") return;
      await client.call("DELETE /api/hosts/:id", { params: { id } });
      await secrets.forget(id);
      e2eReport("remote-host-removed", { host: id });
      refresh();
    }),
    command(REMOTE_COMMANDS.showLogs, "Showing the logs", async (node) => {
      const t = await containerOf(node, "Show Logs");
      if (t) void followLogs(client, docs, t.host, t.container, await credentialHeaders(t.host));
    }),
    command(REMOTE_COMMANDS.openTerminal, "Opening the terminal", async (node) => {
      const t = await containerOf(node, "Open Terminal");
      if (!t) return;
      const conn = connection();
      if (!conn) throw new Error('the AiCockpit backend is not running. Run "AiCockpit: Restart Backend".');
      containerTerminal(conn, t.host, t.container, await credentialHeaders(t.host)).show();
      e2eReport("remote-terminal-opened", { host: t.host, container: t.container });
    }),
    command(REMOTE_COMMANDS.start, "Starting the container", action("start", "Start")),
    command(REMOTE_COMMANDS.stop, "Stopping the container", action("stop", "Stop")),
    command(REMOTE_COMMANDS.restart, "Restarting the container", action("restart", "Restart")),
    command(REMOTE_COMMANDS.ask, "Asking the container", async (node) => {
      const t = await containerOf(node, "Ask a Container");
      if (!t) return;
      try {
        await askContainer(client, docs, t, await credentialsFor(t.host));
      } finally {
        refresh();
      }
    }),
  );
  return { refresh };
}
