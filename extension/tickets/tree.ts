/** The "Tickets" tree: every ticket (id, branch, PR), and under each its runs, newest first. */
import * as vscode from "vscode";
import type { TicketDetail, TicketList, TicketRunView, TicketView } from "../../server/api/tickets";
import { errorRow, messageItem, type MessageRow } from "../tree-rows";

export type TicketNode =
  | { kind: "ticket"; t: TicketView }
  | { kind: "run"; ticketId: string; r: TicketRunView }
  /** Where the ticket's agent commands run: its workspace container, or this machine. */
  | { kind: "workspace"; t: TicketView }
  | MessageRow;

export const NEW_TICKET_COMMAND = "aicockpit.tickets.new";
export const SHOW_RUN_COMMAND = "aicockpit.tickets.showRun";
export const ATTACH_WORKSPACE_COMMAND = "aicockpit.tickets.attachWorkspace";

export interface TicketSource {
  list(): Promise<TicketList>;
  detail(id: string): Promise<TicketDetail>;
}

const ACTION_LABEL: Record<TicketRunView["action"], string> = { chat: "Chat", make_plan: "Make Plan", dev: "Dev" };
const RUN_ICON: Record<TicketRunView["status"], [string, string?]> = {
  running: ["sync~spin"],
  waiting_for_user: ["question", "charts.orange"],
  completed: ["pass", "testing.iconPassed"],
  failed: ["error", "testing.iconFailed"],
  cancelled: ["circle-slash"],
  stopped: ["debug-pause", "charts.orange"],
  interrupted: ["warning", "charts.orange"],
};

export class TicketsTree implements vscode.TreeDataProvider<TicketNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TicketNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The last listing, for pickers (commands run from the palette). */
  last: TicketView[] = [];

  constructor(private readonly source: TicketSource) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  getTreeItem(n: TicketNode): vscode.TreeItem {
    switch (n.kind) {
      case "message":
        return messageItem(n);
      case "ticket": {
        const { t } = n;
        const item = new vscode.TreeItem(t.ticket_id, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `ticket:${t.ticket_id}`;
        const busy = t.active_run !== undefined;
        item.description = `${t.branch}${busy ? " · running" : ""}${t.pr_url ? " · PR" : ""}`;
        item.tooltip = new vscode.MarkdownString(
          `**${t.ticket_id}** — \`${t.branch}\` from \`${t.base_branch}\`\n\n${t.repo_url}\n\n${t.path}` +
            (t.pr_url ? `\n\nPull request: ${t.pr_url}` : ""),
        );
        item.iconPath = new vscode.ThemeIcon(busy ? "sync~spin" : t.pr_url ? "git-pull-request" : "issues");
        item.contextValue = `ticket${busy ? ".busy" : ""}${t.pr_url ? ".pr" : ""}`;
        item.accessibilityInformation = { label: `${t.ticket_id}, ${item.description}` };
        return item;
      }
      case "workspace": {
        const { t } = n;
        const item = new vscode.TreeItem(
          t.workspace_id ? `Workspace: ${t.workspace_id}` : "Commands run on this machine (each confirmed)",
          vscode.TreeItemCollapsibleState.None,
        );
        item.id = `workspace:${t.ticket_id}`;
        item.description = t.workspace_id ? t.workspace_path : "Attach a workspace…";
        item.tooltip = t.workspace_id
          ? `The agent's commands and the tests run in workspace ${t.workspace_id}, the clone mounted at ${t.workspace_path ?? "?"}, without asking. Click to change.`
          : "Click to create or attach a Docker workspace: the agent's commands then run in the container without asking.";
        item.iconPath = new vscode.ThemeIcon(t.workspace_id ? "vm-running" : "vm-outline");
        item.contextValue = "workspaceRow";
        item.command = { command: ATTACH_WORKSPACE_COMMAND, title: "Attach Workspace…", arguments: [n] };
        return item;
      }
      case "run": {
        const { r } = n;
        const item = new vscode.TreeItem(
          `${ACTION_LABEL[r.action]} · ${r.status.replace(/_/g, " ")}`,
          vscode.TreeItemCollapsibleState.None,
        );
        item.id = `run:${r.run_id}`;
        item.description = `${r.agent} · ${new Date(r.created_at).toLocaleString()}`;
        const [icon, color] = RUN_ICON[r.status];
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        item.tooltip = r.error ? `${r.error.message}${r.error.hint ? `\n${r.error.hint}` : ""}` : r.run_id;
        item.contextValue = "run";
        item.command = { command: SHOW_RUN_COMMAND, title: "Show Run", arguments: [n] };
        return item;
      }
    }
  }

  async getChildren(n?: TicketNode): Promise<TicketNode[]> {
    try {
      if (n === undefined) {
        const { tickets } = await this.source.list();
        this.last = tickets;
        if (tickets.length === 0)
          return [{ kind: "message", text: "New ticket…", icon: "add", command: NEW_TICKET_COMMAND }];
        return tickets.map((t) => ({ kind: "ticket", t }));
      }
      if (n.kind !== "ticket") return [];
      const d = await this.source.detail(n.t.ticket_id);
      const ws: TicketNode = { kind: "workspace", t: d };
      if (d.runs.length === 0)
        return [ws, { kind: "message", text: "No runs yet: Chat, Make Plan or Dev", icon: "info" }];
      return [ws, ...d.runs.map((r): TicketNode => ({ kind: "run", ticketId: d.ticket_id, r }))];
    } catch (err) {
      return [errorRow(err)];
    }
  }
}
