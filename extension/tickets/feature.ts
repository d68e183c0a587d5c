/**
 * Ticket agents in VS Code: the "Tickets" view (new ticket from an id and a repository URL —
 * by default the current folder's git remote), per ticket Chat / Make Plan / Dev, open its
 * folder, open its pull request; each run in its own live panel (run-panel.ts). The GitHub
 * token and the Gemini API key live in SecretStorage and ride along with each request.
 * All git, agent and forge work happens in the backend.
 */
import * as vscode from "vscode";
import { TICKET_ID_PATTERN, type TicketAction, type TicketAgentKind, type TicketView } from "../../server/api/tickets";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import type { TicketSecretStore } from "../secrets";
import { SECTION } from "../settings";
import { folderRemote } from "./git-remote";
import { RUN_VIEW_TYPE, RunPanels } from "./run-panel";
import { ATTACH_WORKSPACE_COMMAND, NEW_TICKET_COMMAND, SHOW_RUN_COMMAND, TicketsTree, type TicketNode } from "./tree";
import { pickTicketWorkspace } from "./workspace-pick";

export const TICKET_COMMANDS = {
  new: NEW_TICKET_COMMAND,
  refresh: "aicockpit.tickets.refresh",
  chat: "aicockpit.tickets.chat",
  makePlan: "aicockpit.tickets.makePlan",
  dev: "aicockpit.tickets.dev",
  openFolder: "aicockpit.tickets.openFolder",
  openPr: "aicockpit.tickets.openPr",
  delete: "aicockpit.tickets.delete",
  showRun: SHOW_RUN_COMMAND,
  attachWorkspace: ATTACH_WORKSPACE_COMMAND,
  setGithubToken: "aicockpit.tickets.setGithubToken",
  setGeminiApiKey: "aicockpit.tickets.setGeminiApiKey",
} as const;

const VIEW_ID = "aicockpit.tickets";

/** Per-request settings. The API URL is application-scoped: a workspace must not redirect your token. */
function ticketSettings(): { agent: TicketAgentKind; forgeApiUrl?: string; model?: string } {
  const c = vscode.workspace.getConfiguration(SECTION);
  const api = c.inspect<string>("tickets.githubApiUrl")?.globalValue?.trim();
  const model = c.get<string>("tickets.model", "").trim();
  return {
    agent: c.get<TicketAgentKind>("tickets.agent", "builtin") === "gemini-cli" ? "gemini-cli" : "builtin",
    ...(api ? { forgeApiUrl: api } : {}),
    ...(model ? { model } : {}),
  };
}

export function registerTicketsFeature(
  context: vscode.ExtensionContext,
  client: BackendClient,
  secrets: TicketSecretStore,
  log: (m: string) => void,
): { refresh(): void } {
  const tree = new TicketsTree({
    list: () => client.call("GET /api/tickets", { timeoutMs: 20_000 }),
    detail: (id) => client.call("GET /api/tickets/:id", { params: { id }, timeoutMs: 20_000 }),
  });
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const panels = new RunPanels(
    client,
    (ev, ticketId) => {
      tree.refresh();
      if (ev.pr_url)
        void vscode.window
          .showInformationMessage(`Ticket ${ticketId}: pull request ${ev.pr_url}`, "Open Pull Request")
          .then((pick) => pick && vscode.env.openExternal(vscode.Uri.parse(ev.pr_url ?? "")));
    },
    log,
  );

  const showError = (what: string, err: unknown) => {
    const e = err instanceof BackendError ? err : undefined;
    log(`tickets: ${what} failed: ${e ? `${e.code} ${e.message}` : String(err)}`);
    e2eReport("tickets-error", { what, code: e?.code ?? null, message: e?.message ?? String(err) });
    void vscode.window.showErrorMessage(`${what} failed: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`);
  };
  const command = (id: string, what: string, run: (node?: TicketNode) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (node?: TicketNode) => {
      e2eReport("tickets-command", { command: id, node: node?.kind ?? null });
      try {
        await run(node);
      } catch (err) {
        showError(what, err);
      }
    });

  /** The ticket a command is about: the clicked row, or one picked from the list. */
  const ticketOf = async (node: TicketNode | undefined, title: string): Promise<TicketView | undefined> => {
    if (node?.kind === "ticket" || node?.kind === "workspace") return node.t;
    const { tickets } = await client.call("GET /api/tickets", { timeoutMs: 20_000 });
    if (node?.kind === "run") return tickets.find((t) => t.ticket_id === node.ticketId);
    if (tickets.length === 0) {
      void vscode.window.showInformationMessage("No tickets yet: create one in the Tickets view.");
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      tickets.map((t) => ({ label: t.ticket_id, description: t.repo_url, t })),
      { title, ignoreFocusOut: true },
    );
    return pick?.t;
  };

  const newTicket = async () => {
    const id = await vscode.window.showInputBox({
      title: "New ticket (1/2): ticket id",
      prompt: "Letters, digits, - and _ (e.g. PROJ-123). The branch will be ticket_<id>.",
      ignoreFocusOut: true,
      validateInput: (v) =>
        TICKET_ID_PATTERN.test(v.trim()) ? undefined : "1–64 letters, digits, '-' or '_' (no spaces or slashes)",
    });
    if (id === undefined) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const remote = folder?.scheme === "file" ? await folderRemote(folder.fsPath) : undefined;
    const url = await vscode.window.showInputBox({
      title: "New ticket (2/2): repository",
      prompt: remote
        ? "The current folder's git remote; or another https / ssh URL (or a local path, when allowed)."
        : "An https or ssh URL (git@host:owner/repo.git), or a local path when aicockpit.tickets.allowLocalRepositories is on.",
      value: remote ?? "",
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === "" ? "A repository URL is required" : undefined),
    });
    if (url === undefined) return;
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Ticket ${id.trim()}: cloning ${url.trim()}…` },
      async () => {
        const s = await secrets.forRequest();
        return client.call("POST /api/tickets", {
          body: { ticket_id: id.trim(), repo_url: url.trim(), ...(s ? { secrets: s } : {}) },
          timeoutMs: 600_000,
        });
      },
    );
    e2eReport("ticket-created", { ticket: res.ticket_id, status: res.status, branch: res.branch, path: res.path });
    tree.refresh();
    void vscode.window.showInformationMessage(`Ticket ${res.ticket_id}: ${res.message}`);
  };

  const COMMIT_AND_START = "Commit My Changes and Start";
  const runAction = async (node: TicketNode | undefined, action: TicketAction) => {
    const label = action === "chat" ? "Chat" : action === "make_plan" ? "Make Plan" : "Dev";
    const t = await ticketOf(node, `${label}: which ticket?`);
    if (!t) return;
    let message: string | undefined;
    if (action !== "dev") {
      message = await vscode.window.showInputBox({
        title: `Ticket ${t.ticket_id}: ${label}`,
        prompt:
          action === "chat"
            ? "Ask about the repository (the agent only reads)."
            : "What should the plan achieve? (the ticket's description; the plan goes to .aicockpit/plan.md)",
        ignoreFocusOut: true,
        validateInput: (v) => (action === "chat" && v.trim() === "" ? "Type a question" : undefined),
      });
      if (message === undefined) return;
    }
    const s = ticketSettings();
    const sec = await secrets.forRequest();
    const start = (dirty: "refuse" | "commit") =>
      client.call("POST /api/tickets/:id/command", {
        params: { id: t.ticket_id },
        body: {
          action,
          agent: s.agent,
          dirty,
          ...(message?.trim() ? { message: message.trim() } : {}),
          ...(s.model ? { model: s.model } : {}),
          ...(s.forgeApiUrl ? { forge_api_url: s.forgeApiUrl } : {}),
          ...(sec ? { secrets: sec } : {}),
        },
        timeoutMs: 60_000,
      });
    let run: Awaited<ReturnType<typeof start>>;
    try {
      run = await start("refuse");
    } catch (err) {
      // Uncommitted work in the ticket's folder is never touched unasked: the user decides whether
      // it becomes their own commit on the ticket's branch before the agent starts.
      if (!(err instanceof BackendError && err.code === "TICKET_DIRTY_TREE")) throw err;
      e2eReport("ticket-dirty", { ticket: t.ticket_id });
      const pick = await vscode.window.showWarningMessage(
        `Ticket ${t.ticket_id}: its folder has uncommitted changes.`,
        {
          modal: true,
          detail: `${err.message}\n\nCommit them as your own commit on ${t.branch}, then start ${label}? Nothing is discarded either way.`,
        },
        COMMIT_AND_START,
      );
      if (pick !== COMMIT_AND_START) return;
      run = await start("commit");
    }
    e2eReport("ticket-run-started", { ticket: t.ticket_id, run: run.run_id, action });
    panels.show(t.ticket_id, run.run_id);
    tree.refresh();
  };

  const setSecret = async (kind: "githubToken" | "geminiApiKey") => {
    const what = kind === "githubToken" ? "GitHub token" : "Gemini API key";
    const value = await vscode.window.showInputBox({
      title: `AiCockpit: ${what}`,
      prompt:
        kind === "githubToken"
          ? "A token with repository contents and pull-request write access (fine-grained or classic 'repo'). Stored in VS Code's secret storage; leave empty to remove it."
          : "For the Gemini CLI agent (https://aistudio.google.com/apikey). Stored in VS Code's secret storage; leave empty to remove it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value.trim() === "") {
      await secrets.delete(kind);
      void vscode.window.showInformationMessage(`AiCockpit: the ${what} was removed.`);
      return;
    }
    await secrets.set(kind, value.trim());
    e2eReport("ticket-secret-set", { kind });
    void vscode.window.showInformationMessage(`AiCockpit: ${what} saved.`);
  };

  context.subscriptions.push(
    view,
    tree,
    panels,
    vscode.window.registerWebviewPanelSerializer(RUN_VIEW_TYPE, panels),
    command(TICKET_COMMANDS.new, "New ticket", newTicket),
    command(TICKET_COMMANDS.refresh, "Refresh tickets", () => Promise.resolve(tree.refresh())),
    command(TICKET_COMMANDS.chat, "Chat", (n) => runAction(n, "chat")),
    command(TICKET_COMMANDS.makePlan, "Make Plan", (n) => runAction(n, "make_plan")),
    command(TICKET_COMMANDS.dev, "Dev", (n) => runAction(n, "dev")),
    command(TICKET_COMMANDS.showRun, "Show run", async (n) => {
      if (n?.kind === "run") return panels.show(n.ticketId, n.r.run_id);
      const t = await ticketOf(n, "Show the last run of which ticket?");
      if (!t) return;
      const d = await client.call("GET /api/tickets/:id", { params: { id: t.ticket_id } });
      const last = d.runs[0];
      if (last) panels.show(t.ticket_id, last.run_id);
      else void vscode.window.showInformationMessage(`Ticket ${t.ticket_id} has no runs yet.`);
    }),
    command(TICKET_COMMANDS.openFolder, "Open ticket folder", async (n) => {
      const t = await ticketOf(n, "Open the folder of which ticket?");
      if (t)
        await vscode.commands.executeCommand("vscode.openFolder", vscode.Uri.file(t.path), { forceNewWindow: true });
    }),
    command(TICKET_COMMANDS.openPr, "Open pull request", async (n) => {
      const t = await ticketOf(n, "Open the pull request of which ticket?");
      if (!t) return;
      if (!t.pr_url || !/^https?:\/\//i.test(t.pr_url)) {
        void vscode.window.showInformationMessage(`Ticket ${t.ticket_id} has no pull request yet: run Dev.`);
        return;
      }
      await vscode.env.openExternal(vscode.Uri.parse(t.pr_url));
    }),
    command(TICKET_COMMANDS.delete, "Delete ticket", async (n) => {
      const t = await ticketOf(n, "Delete which ticket?");
      if (!t) return;
      const ok = await vscode.window.showWarningMessage(
        `Delete ticket ${t.ticket_id}? Its local clone (${t.path}) is removed; the branch ${t.branch} on the remote stays.`,
        { modal: true },
        "Delete",
      );
      if (ok !== "Delete") return;
      await client.call("DELETE /api/tickets/:id", { params: { id: t.ticket_id } });
      tree.refresh();
    }),
    command(TICKET_COMMANDS.attachWorkspace, "Attach workspace", async (n) => {
      const t = await ticketOf(n, "Attach a workspace to which ticket?");
      if (!t) return;
      const after = await pickTicketWorkspace(client, t);
      if (!after) return;
      e2eReport("ticket-workspace", { ticket: after.ticket_id, workspace: after.workspace_id ?? null });
      tree.refresh();
      void vscode.window.showInformationMessage(
        after.workspace_id
          ? `Ticket ${after.ticket_id}: commands run in workspace ${after.workspace_id} (${after.workspace_path ?? ""}).`
          : `Ticket ${after.ticket_id}: commands run on this machine, each after your confirmation.`,
      );
    }),
    command(TICKET_COMMANDS.setGithubToken, "Set GitHub token", () => setSecret("githubToken")),
    command(TICKET_COMMANDS.setGeminiApiKey, "Set Gemini API key", () => setSecret("geminiApiKey")),
  );
  return { refresh: () => tree.refresh() };
}
