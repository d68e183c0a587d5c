/** The "Docker Workspaces" tree: one row per workspace, read from the backend (i.e. Docker). */
import * as vscode from "vscode";
import type { WorkspaceList, WorkspaceView } from "../../server/api/workspaces";
import { errorRow, lookItem, messageItem, type MessageRow } from "../tree-rows";
import { rowLook } from "./model";

export type WorkspaceNode = { kind: "workspace"; view: WorkspaceView } | MessageRow;

export class WorkspacesTree implements vscode.TreeDataProvider<WorkspaceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<WorkspaceNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Last listing, for name checks in the create flow. */
  last: WorkspaceView[] = [];

  constructor(private readonly list: () => Promise<WorkspaceList>) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  private lastJson = "";

  /** For the poll: re-render only when something changed (a re-render closes an open context menu). */
  async refreshIfChanged(): Promise<void> {
    const json = await this.list().then(
      (l) => JSON.stringify(l),
      (err: unknown) => String(err),
    );
    if (json !== this.lastJson) this.refresh();
  }

  dispose(): void {
    this.changed.dispose();
  }

  getTreeItem(n: WorkspaceNode): vscode.TreeItem {
    if (n.kind === "message") return messageItem(n);
    return lookItem(rowLook(n.view), n.view.id);
  }

  async getChildren(parent?: WorkspaceNode): Promise<WorkspaceNode[]> {
    if (parent) return [];
    let list: WorkspaceList;
    try {
      list = await this.list();
    } catch (err) {
      return [errorRow(err)];
    }
    this.last = list.workspaces;
    this.lastJson = JSON.stringify(list);
    const rows: WorkspaceNode[] = list.workspaces.map((view) => ({ kind: "workspace", view }));
    for (const u of list.unreachable) {
      rows.push({ kind: "message", text: `${u.host}: ${u.message}`, detail: u.code, icon: "warning" });
    }
    return rows;
  }
}
