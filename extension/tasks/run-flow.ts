/**
 * "AiCockpit: Run a Task…": pick where (this machine, an SSH host of the Remote Hosts registry,
 * a running workspace container), say what in plain words, and the task starts in the backend.
 * Nothing runs yet: the panel that opens asks about every step.
 */
import * as vscode from "vscode";
import type { TaskTarget, TaskView } from "../../server/api/tasks";
import { TASK_LIMITS } from "../../server/api/tasks";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";

interface TargetItem extends vscode.QuickPickItem {
  target?: TaskTarget;
}

/** The workspace's folder, so local commands and the risk assessment start where the user works. */
function localCwd(): string | undefined {
  const f = vscode.workspace.workspaceFolders?.[0];
  return f?.uri.scheme === "file" ? f.uri.fsPath : undefined;
}

export async function pickTarget(client: BackendClient, preset?: TaskTarget): Promise<TaskTarget | undefined> {
  if (preset) return preset;
  const [hosts, workspaces] = await Promise.all([
    client.call("GET /api/hosts", { timeoutMs: 20_000 }).then(
      (l) => l.hosts,
      () => [],
    ),
    client.call("GET /api/workspaces", { timeoutMs: 20_000 }).then(
      (l) => l.workspaces,
      () => [],
    ),
  ]);
  const items: TargetItem[] = [
    { label: "$(vm) This machine", description: "where VS Code's backend runs", target: { kind: "local" } },
    ...(hosts.length > 0 ? [{ label: "SSH hosts", kind: vscode.QuickPickItemKind.Separator }] : []),
    ...hosts.map((h): TargetItem => ({
      label: `$(remote) ${h.id}`,
      description: `${h.user}@${h.host}${h.port === 22 ? "" : `:${h.port}`}`,
      target: { kind: "host", hostId: h.id },
    })),
    ...(workspaces.length > 0 ? [{ label: "Workspaces", kind: vscode.QuickPickItemKind.Separator }] : []),
    ...workspaces.map((w): TargetItem => ({
      label: `$(vm-running) ${w.name}`,
      description: `${w.state}${w.host === "local" ? "" : ` · ${w.host}`} · ${w.stack}`,
      ...(w.state === "running" ? {} : { detail: "start it first: commands run inside the running container" }),
      target: { kind: "workspace", workspaceId: w.id },
    })),
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: "Run a Task: where?",
    placeHolder: "This machine, an SSH host, or a workspace container",
    ignoreFocusOut: true,
  });
  return pick?.target;
}

/** Returns the started task, or undefined when the user backed out. */
export async function runTaskFlow(client: BackendClient, preset?: TaskTarget): Promise<TaskView | undefined> {
  const target = await pickTarget(client, preset);
  if (!target) return undefined;
  const where = target.kind === "local" ? "this machine" : target.kind === "host" ? target.hostId : target.workspaceId;
  const prompt = await vscode.window.showInputBox({
    title: `Run a Task on ${where}`,
    prompt: "Say what should be done. Every step is shown to you with its risk before it runs.",
    placeHolder: "e.g. set up nginx and make it serve /srv/site",
    ignoreFocusOut: true,
    validateInput: (v) =>
      v.trim() === ""
        ? "Describe the task."
        : v.length > TASK_LIMITS.promptChars
          ? `At most ${TASK_LIMITS.promptChars} characters.`
          : undefined,
  });
  if (!prompt?.trim()) return undefined;
  const cwd = target.kind === "local" ? localCwd() : undefined;
  const view = await client.call("POST /api/tasks", {
    body: { prompt: prompt.trim(), target, ...(cwd ? { cwd } : {}) },
    timeoutMs: 30_000,
  });
  e2eReport("task-started", { task: view.task_id, target: where, prompt: view.original_prompt });
  return view;
}
