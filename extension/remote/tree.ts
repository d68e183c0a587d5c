/** The "Remote Hosts" tree: `local` and every registered SSH host, each with its containers. */
import * as vscode from "vscode";
import type { ContainerList, ContainerSummary } from "../../server/api/containers";
import type { HostList, HostView } from "../../server/api/hosts";
import { e2eReport } from "../e2e-report";
import { errorRow, lookItem, messageItem, type MessageRow } from "../tree-rows";
import { containerLook, hostLook, LOCAL, sortContainers } from "./model";

export type RemoteNode =
  { kind: "host"; id: string; view?: HostView } | { kind: "container"; host: string; c: ContainerSummary } | MessageRow;

export const ADD_HOST_COMMAND = "aicockpit.remote.addHost";

export interface TreeSource {
  hosts(): Promise<HostList>;
  containers(host: string): Promise<ContainerList>;
}

export class RemoteHostsTree implements vscode.TreeDataProvider<RemoteNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RemoteNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The last listing per host, for pickers (Ask a Container) and the poll. */
  readonly last = new Map<string, ContainerSummary[]>();
  private lastJson = new Map<string, string>();

  constructor(private readonly source: TreeSource) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** For the poll: re-render only when a listing changed (a re-render closes an open context menu). */
  async refreshIfChanged(): Promise<void> {
    for (const [host, before] of this.lastJson) {
      const now = await this.source.containers(host).then(
        (l) => JSON.stringify(l),
        (err: unknown) => String(err),
      );
      if (now !== before) return this.refresh();
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  getTreeItem(n: RemoteNode): vscode.TreeItem {
    switch (n.kind) {
      case "message":
        return messageItem(n);
      case "host":
        return lookItem(
          hostLook(n.view ?? LOCAL),
          `host:${n.id}`,
          n.id === LOCAL ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
        );
      case "container":
        return lookItem(containerLook(n.c), `container:${n.host}/${n.c.id}`);
    }
  }

  async getChildren(parent?: RemoteNode): Promise<RemoteNode[]> {
    if (!parent) {
      let hosts: HostView[];
      try {
        hosts = (await this.source.hosts()).hosts;
      } catch (err) {
        return [errorRow(err)];
      }
      e2eReport("remote-tree-hosts", { hosts: hosts.map((h) => h.id).join(",") });
      const rows: RemoteNode[] = [
        { kind: "host", id: LOCAL },
        ...hosts.map((view): RemoteNode => ({ kind: "host", id: view.id, view })),
      ];
      // The view is never empty ("local" is always there), so the way in is a row, not a welcome text.
      if (hosts.length === 0)
        rows.push({
          kind: "message",
          text: "Add an SSH host…",
          detail: "Containers on machines you reach over SSH; the host key is shown for you to trust once.",
          icon: "add",
          command: ADD_HOST_COMMAND,
        });
      return rows;
    }
    if (parent.kind !== "host") return [];
    let list: ContainerList;
    try {
      list = await this.source.containers(parent.id);
    } catch (err) {
      this.lastJson.delete(parent.id);
      return [errorRow(err)];
    }
    this.lastJson.set(parent.id, JSON.stringify(list));
    const sorted = sortContainers(list.containers);
    this.last.set(parent.id, sorted);
    e2eReport("remote-tree-containers", {
      host: parent.id,
      containers: sorted.map((c) => `${c.name}:${c.state}`).join(","),
    });
    if (sorted.length === 0) return [{ kind: "message", text: "No containers", icon: "info" }];
    return sorted.map((c): RemoteNode => ({ kind: "container", host: parent.id, c }));
  }
}
