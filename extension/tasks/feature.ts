/**
 * Host tasks in VS Code: "AiCockpit: Run a Task…", the Tasks view (history from the backend,
 * so it survives a reload) and one panel per task that follows it live. All work happens in
 * the backend (server/tasks); this is its VS Code face.
 */
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { TaskPanels } from "./panel";
import { runTaskFlow } from "./run-flow";
import { OPEN_TASK_COMMAND, RUN_TASK_COMMAND, TasksTree, type TaskNode } from "./tree";

export const TASK_COMMANDS = {
  run: RUN_TASK_COMMAND,
  open: OPEN_TASK_COMMAND,
  refresh: "aicockpit.tasks.refresh",
  cancel: "aicockpit.tasks.cancel",
} as const;

const VIEW_ID = "aicockpit.tasks";
const POLL_MS = 5_000;

export function registerTasksFeature(
  context: vscode.ExtensionContext,
  client: BackendClient,
  log: (m: string) => void,
): { refresh(): void } {
  const tree = new TasksTree(() => client.call("GET /api/tasks", { timeoutMs: 20_000 }));
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree });
  const refresh = () => tree.refresh();
  const panels = new TaskPanels(context.extensionUri, client, refresh, log);
  // Tasks change state without the extension's doing (a step finishes, a restart interrupts one).
  const timer = setInterval(() => {
    if (view.visible) void tree.refreshIfChanged();
  }, POLL_MS);

  const command = (id: string, what: string, run: (node?: TaskNode) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (node?: TaskNode) => {
      e2eReport("tasks-command", { command: id });
      try {
        await run(node);
      } catch (err) {
        const e = err instanceof BackendError ? err : undefined;
        log(`tasks: ${what} failed: ${e ? `${e.code} ${e.message}` : String(err)}`);
        e2eReport("task-error", { what, code: e?.code ?? null, message: e?.message ?? String(err) });
        void vscode.window.showErrorMessage(
          `${what} failed: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`,
        );
      }
    });

  /** The task a command is about: the clicked row, or one picked from the history. */
  const taskOf = async (node: TaskNode | undefined): Promise<string | undefined> => {
    if (node?.kind === "task") return node.t.task_id;
    const tasks = (await client.call("GET /api/tasks", { timeoutMs: 20_000 })).tasks;
    const pick = await vscode.window.showQuickPick(
      tasks.map((t) => ({ label: t.original_prompt, description: t.status, id: t.task_id })),
      { title: "Open Task" },
    );
    return pick?.id;
  };

  context.subscriptions.push(
    tree,
    view,
    panels,
    { dispose: () => clearInterval(timer) },
    command(TASK_COMMANDS.run, "Starting the task", async () => {
      const started = await runTaskFlow(client);
      if (!started) return;
      refresh();
      await panels.show(started.task_id);
    }),
    command(TASK_COMMANDS.open, "Opening the task", async (node) => {
      const id = await taskOf(node);
      if (id) await panels.show(id);
    }),
    command(TASK_COMMANDS.refresh, "Refreshing", async () => refresh()),
    command(TASK_COMMANDS.cancel, "Stopping the task", async (node) => {
      const id = await taskOf(node);
      if (!id) return;
      await client.call("POST /api/tasks/:id/cancel", { params: { id }, timeoutMs: 30_000 });
      refresh();
    }),
  );
  return { refresh };
}
