/**
 * "Create Workspace": stack → (image for custom) → name → limits → ports → network → host, then the
 * backend's streamed create shown as a progress notification (pull progress included).
 */
import * as vscode from "vscode";
import type { CreateWorkspaceRequest, StackTemplate, WorkspaceView } from "../../server/api/workspaces";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { parseLimits, parsePorts, pullLine, templatesFromSettings, validateName } from "./model";

type Client = Pick<BackendClient, "call" | "events">;

const DEFAULT_LIMITS = "cpus=2 memory=2048 pids=1024";

async function pickStack(client: Client, title: string): Promise<StackTemplate | undefined> {
  const builtin = (await client.call("GET /api/workspaces/stacks")).stacks;
  const { templates, problems } = templatesFromSettings(
    vscode.workspace.getConfiguration("aicockpit").get("workspaces.templates"),
  );
  if (problems.length > 0) void vscode.window.showWarningMessage(`AiCockpit: ${problems.join(" ")}`);
  const all = [...builtin, ...templates];
  const pick = await vscode.window.showQuickPick(
    all.map((s) => ({ label: s.label, description: s.image || "any image", detail: s.description, stack: s })),
    { title, placeHolder: "Choose a stack template", ignoreFocusOut: true },
  );
  return pick?.stack;
}

export async function createWorkspaceFlow(
  client: Client,
  taken: readonly string[],
): Promise<WorkspaceView | undefined> {
  const hosts = (await client.call("GET /api/workspace-hosts")).hosts;
  // the host step only exists when remote Docker hosts are configured
  const steps = hosts.length > 0 ? 6 : 5;
  const title = (n: number, what: string) => `Create Workspace (${n}/${steps}): ${what}`;
  const stack = await pickStack(client, title(1, "stack"));
  if (!stack) return undefined;
  let image = stack.image;
  if (image === "") {
    const v = await vscode.window.showInputBox({
      title: "Create Workspace: image",
      prompt: "Image to run (local images work without a registry)",
      placeHolder: "e.g. ubuntu:24.04",
      ignoreFocusOut: true,
      validateInput: (s) => (/^\S+$/.test(s.trim()) ? undefined : "An image name without spaces."),
    });
    if (v === undefined) return undefined;
    image = v.trim();
  }
  const name = await vscode.window.showInputBox({
    title: title(2, "name"),
    prompt: "Workspace name",
    placeHolder: "e.g. api-dev",
    ignoreFocusOut: true,
    validateInput: (s) => validateName(s.trim(), taken),
  });
  if (name === undefined) return undefined;
  const limitsText = await vscode.window.showInputBox({
    title: title(3, "resource limits"),
    prompt: "CPUs, memory (MB) and process limit",
    value: DEFAULT_LIMITS,
    ignoreFocusOut: true,
    validateInput: (s) => parseLimits(s).error,
  });
  if (limitsText === undefined) return undefined;
  const portsText = await vscode.window.showInputBox({
    title: title(4, "ports"),
    prompt: "Container ports to publish on 127.0.0.1 (e.g. 8000, 8080:80); empty for none",
    value: (stack.ports ?? []).map((p) => (p.host ? `${p.host}:${p.container}` : String(p.container))).join(", "),
    ignoreFocusOut: true,
    validateInput: (s) => parsePorts(s).error,
  });
  if (portsText === undefined) return undefined;
  const network = await vscode.window.showQuickPick(
    [
      { label: "bridge", description: "outbound network allowed (default)" },
      { label: "none", description: "no network at all: nothing in or out" },
    ],
    { title: title(5, "network"), ignoreFocusOut: true },
  );
  if (!network) return undefined;
  let host: string | undefined;
  if (hosts.length > 0) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: "local", description: "this machine's Docker" },
        ...hosts.map((h) => ({ label: h.id, description: `${h.username}@${h.host}:${h.port}` })),
      ],
      { title: title(6, "Docker host"), ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    if (pick.label !== "local") host = pick.label;
  }
  const body: CreateWorkspaceRequest = {
    name: name.trim(),
    stack: stack.id,
    image,
    limits: parseLimits(limitsText).limits ?? {},
    ports: parsePorts(portsText).ports ?? [],
    ...(stack.command ? { command: stack.command } : {}),
    ...(stack.env ? { env: stack.env } : {}),
    ...(host ? { host } : {}),
    network: network.label,
  };
  return runCreate(client, body);
}

export function runCreate(client: Client, body: CreateWorkspaceRequest): Thenable<WorkspaceView | undefined> {
  e2eReport("workspace-create-started", { name: body.name, stack: body.stack });
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Workspace ${body.name}`, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      try {
        for await (const e of client.events("POST /api/workspaces", { body, signal: ac.signal })) {
          if (e.type === "phase") progress.report({ message: e.message });
          else if (e.type === "pull") progress.report({ message: pullLine(e.status, e.current, e.total) });
          else if (e.type === "created") {
            e2eReport("workspace-created", { id: e.workspace.id, state: e.workspace.state });
            void vscode.window.showInformationMessage(`Workspace ${e.workspace.name} is ${e.workspace.state}.`);
            return e.workspace;
          }
        }
        return undefined;
      } catch (err) {
        const e = err instanceof BackendError ? err : new BackendError("INTERNAL", String(err));
        e2eReport("workspace-create-failed", { name: body.name, code: e.code });
        if (e.code !== "CANCELLED")
          void vscode.window.showErrorMessage(
            `Could not create workspace ${body.name}: ${e.message}${e.hint ? ` ${e.hint}` : ""}`,
          );
        return undefined;
      }
    },
  );
}
