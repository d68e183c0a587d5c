/** The "Tasks" view: every task of the backend, newest first, from GET /api/tasks (so it survives a reload). */
import * as vscode from "vscode";
import type { TaskList, TaskView } from "../../server/api/tasks";
import { e2eReport } from "../e2e-report";
import { errorRow, lookItem, messageItem, type MessageRow } from "../tree-rows";
import { taskLook } from "./model";

export type TaskRow = Omit<TaskView, "subtasks">;
export type TaskNode = { kind: "task"; t: TaskRow } | MessageRow;

export const RUN_TASK_COMMAND = "aicockpit.tasks.run";
export const OPEN_TASK_COMMAND = "aicockpit.tasks.open";

export class TasksTree implements vscode.TreeDataProvider<TaskNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TaskNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private lastJson = "";

  constructor(private readonly list: () => Promise<TaskList>) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** For the poll: re-render only when the list changed (a re-render closes an open context menu). */
  async refreshIfChanged(): Promise<void> {
    const now = await this.list().then(
      (l) => JSON.stringify(l.tasks.map((t) => [t.task_id, t.status])),
      (err: unknown) => String(err),
    );
    if (now !== this.lastJson) this.refresh();
  }

  dispose(): void {
    this.changed.dispose();
  }

  getTreeItem(n: TaskNode): vscode.TreeItem {
    if (n.kind === "message") return messageItem(n);
    const t = lookItem(taskLook(n.t), `task:${n.t.task_id}`);
    t.command = { command: OPEN_TASK_COMMAND, title: "Open Task", arguments: [n] };
    return t;
  }

  async getChildren(parent?: TaskNode): Promise<TaskNode[]> {
    if (parent) return [];
    let tasks: TaskRow[];
    try {
      tasks = (await this.list()).tasks;
    } catch (err) {
      this.lastJson = String(err);
      return [errorRow(err)];
    }
    this.lastJson = JSON.stringify(tasks.map((t) => [t.task_id, t.status]));
    e2eReport("tasks-tree", { tasks: tasks.map((t) => `${t.task_id}:${t.status}`).join(",") });
    if (tasks.length === 0)
      return [
        {
          kind: "message",
          text: "Run a task…",
          detail:
            "Say what you want done on this machine, an SSH host or a workspace; every step is shown to you first.",
          icon: "play",
          command: RUN_TASK_COMMAND,
        },
      ];
    return tasks.map((t): TaskNode => ({ kind: "task", t }));
  }
}
