/**
 * Docker workspaces in VS Code: the tree view with its context menu, the create flow, the
 * in-container terminal and the `aicockpit-ws:` file system. All Docker work happens in
 * the backend; this is the VS Code face of server/workspaces.
 */
import * as vscode from "vscode";
import type { WorkspaceView } from "../../server/api/workspaces";
import { BackendError, type BackendClient, type ClientConnection } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { addHostFlow } from "../remote/add-host";
import type { HostSecretStore } from "../secrets";
import { createWorkspaceFlow } from "./create-flow";
import { WorkspaceFileSystem } from "./fs-provider";
import { authorityOf, WS_SCHEME } from "./model";
import { workspaceTerminal } from "./terminal";
import { WorkspacesTree, type WorkspaceNode } from "./tree";

export const WORKSPACE_COMMANDS = {
  refresh: "aicockpit.workspaces.refresh",
  create: "aicockpit.workspaces.create",
  start: "aicockpit.workspaces.start",
  stop: "aicockpit.workspaces.stop",
  restart: "aicockpit.workspaces.restart",
  openTerminal: "aicockpit.workspaces.openTerminal",
  browseFiles: "aicockpit.workspaces.browseFiles",
  openFile: "aicockpit.workspaces.openFile",
  delete: "aicockpit.workspaces.delete",
  addHost: "aicockpit.workspaces.addHost",
} as const;

const VIEW_ID = "aicockpit.workspaces";
const REVEAL_EXPLORER_KEY = "aicockpit.workspaces.revealExplorerAt";

async function waitForBackend(connection: () => ClientConnection | undefined, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (connection() === undefined) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}
const POLL_MS = 10_000;

export function registerWorkspacesFeature(
  context: vscode.ExtensionContext,
  client: BackendClient,
  connection: () => ClientConnection | undefined,
  log: (m: string) => void,
  hostSecrets: HostSecretStore,
): { refresh(): void } {
  // Back from the reload that "Browse Files" caused (within a minute): show the Explorer with the new folder.
  const reveal = context.globalState.get<number>(REVEAL_EXPLORER_KEY);
  if (reveal !== undefined) {
    void context.globalState.update(REVEAL_EXPLORER_KEY, undefined);
    if (Date.now() - reveal < 60_000) void vscode.commands.executeCommand("workbench.view.explorer");
  }

  const tree = new WorkspacesTree(() => client.call("GET /api/workspaces", { timeoutMs: 20_000 }));
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree });
  const refresh = () => tree.refresh();
  const timer = setInterval(() => {
    if (view.visible) void tree.refreshIfChanged();
  }, POLL_MS);

  const showError = (what: string, err: unknown) => {
    const e = err instanceof BackendError ? err : undefined;
    log(`workspaces: ${what} failed: ${e ? `${e.code} ${e.message}` : String(err)}`);
    void vscode.window.showErrorMessage(`${what} failed: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`);
  };

  /** The workspace a command is about: the clicked row, or one picked from a list. */
  const target = async (node: WorkspaceNode | undefined, title: string): Promise<WorkspaceView | undefined> => {
    if (node?.kind === "workspace") return node.view;
    let list: WorkspaceView[];
    try {
      list = (await client.call("GET /api/workspaces")).workspaces;
    } catch (err) {
      showError("Listing workspaces", err);
      return undefined;
    }
    if (list.length === 0) {
      void vscode.window.showInformationMessage("No workspaces yet: create one first.");
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      list.map((w) => ({ label: w.name, description: `${w.state} · ${w.host}`, w })),
      { title },
    );
    return pick?.w;
  };

  const lifecycle =
    (verb: "start" | "stop" | "restart", label: string, doing: string) => async (node?: WorkspaceNode) => {
      const w = await target(node, `${label} Workspace`);
      if (!w) return;
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `${doing} ${w.name}…` },
          () => client.call(`POST /api/workspaces/:id/${verb}`, { params: { id: w.id }, timeoutMs: 90_000 }),
        );
        e2eReport(`workspace-${verb}`, { id: w.id });
      } catch (err) {
        showError(`${label} ${w.name}`, err);
      }
      refresh();
    };

  const fsUri = (w: WorkspaceView, path = "/workspace") =>
    vscode.Uri.from({ scheme: WS_SCHEME, authority: authorityOf(w.id), path });

  const command = (id: string, run: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, (...args: never[]) => {
      e2eReport("workspace-command", {
        command: id,
        fromTree: (args[0] as WorkspaceNode | undefined)?.kind === "workspace",
      });
      return run(...args);
    });

  context.subscriptions.push(
    tree,
    view,
    { dispose: () => clearInterval(timer) },
    vscode.workspace.registerFileSystemProvider(
      WS_SCHEME,
      new WorkspaceFileSystem(client, () => waitForBackend(connection)),
      { isCaseSensitive: true },
    ),
    command(WORKSPACE_COMMANDS.refresh, refresh),
    // The same Add Host form as the Remote Hosts view; the host is marked to list workspaces.
    command(WORKSPACE_COMMANDS.addHost, async () => {
      try {
        if (await addHostFlow(client, hostSecrets, { workspaces: true })) refresh();
      } catch (err) {
        showError("Adding the Docker host", err);
      }
    }),
    command(WORKSPACE_COMMANDS.create, async () => {
      try {
        const made = await createWorkspaceFlow(
          client,
          tree.last.map((w) => w.name),
        );
        if (made) refresh();
      } catch (err) {
        showError("Creating the workspace", err);
      }
    }),
    command(WORKSPACE_COMMANDS.start, lifecycle("start", "Start", "Starting")),
    command(WORKSPACE_COMMANDS.stop, lifecycle("stop", "Stop", "Stopping")),
    command(WORKSPACE_COMMANDS.restart, lifecycle("restart", "Restart", "Restarting")),
    command(WORKSPACE_COMMANDS.openTerminal, async (node?: WorkspaceNode) => {
      const w = await target(node, "Open Terminal in Workspace");
      if (!w) return;
      const conn = connection();
      if (!conn) {
        void vscode.window.showErrorMessage('The AiCockpit backend is not running. Run "AiCockpit: Restart Backend".');
        return;
      }
      if (w.state !== "running") {
        const start = await vscode.window.showWarningMessage(
          `Workspace ${w.name} is ${w.state}.`,
          "Start and Open Terminal",
        );
        if (!start) return;
        try {
          await client.call("POST /api/workspaces/:id/start", { params: { id: w.id }, timeoutMs: 90_000 });
        } catch (err) {
          showError(`Starting ${w.name}`, err);
          return;
        }
        refresh();
      }
      const term = workspaceTerminal(conn, w.id, w.name);
      term.show();
      e2eReport("workspace-terminal-opened", { id: w.id });
    }),
    command(WORKSPACE_COMMANDS.browseFiles, async (node?: WorkspaceNode) => {
      const w = await target(node, "Browse Files in Workspace");
      if (!w) return;
      const uri = fsUri(w);
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (!folders.some((f) => f.uri.toString() === uri.toString())) {
        // Adding a folder to a single-folder window turns it into an (untitled) multi-root
        // workspace and reloads the window: remember to show the Explorer once we are back.
        await context.globalState.update(REVEAL_EXPLORER_KEY, Date.now());
        vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `${w.name} (workspace)` });
      }
      await vscode.commands.executeCommand("workbench.view.explorer");
    }),
    command(WORKSPACE_COMMANDS.openFile, async (node?: WorkspaceNode, path?: string) => {
      const w = await target(node, "Open File in Workspace");
      if (!w) return;
      const p =
        path ??
        (await vscode.window.showInputBox({
          title: `Open File in ${w.name}`,
          prompt: "Absolute path inside the container",
          value: "/workspace/",
          validateInput: (s) => (s.startsWith("/") ? undefined : "An absolute path, e.g. /workspace/main.py"),
        }));
      if (!p) return;
      try {
        const doc = await vscode.workspace.openTextDocument(fsUri(w, p));
        await vscode.window.showTextDocument(doc);
        e2eReport("workspace-file-opened", { uri: doc.uri.toString() });
      } catch (err) {
        showError(`Opening ${p}`, err);
      }
    }),
    command(WORKSPACE_COMMANDS.delete, async (node?: WorkspaceNode) => {
      const w = await target(node, "Delete Workspace");
      if (!w) return;
      const keep = "Delete, Keep Data";
      const all = "Delete with Data";
      const choice = await vscode.window.showWarningMessage(
        `Delete workspace ${w.name}?`,
        {
          modal: true,
          detail: `The container is removed. Its /workspace volume (${w.volume}) is kept unless you delete it too.`,
        },
        keep,
        all,
      );
      if (!choice) return;
      try {
        await client.call("DELETE /api/workspaces/:id", {
          params: { id: w.id },
          body: { removeVolume: choice === all },
          timeoutMs: 90_000,
        });
        e2eReport("workspace-deleted", { id: w.id, removeVolume: choice === all });
      } catch (err) {
        showError(`Deleting ${w.name}`, err);
      }
      refresh();
    }),
  );
  return { refresh };
}
