/**
 * "Attach Workspace…" for a ticket: one list with a new workspace for the ticket per stack (the
 * backend bind-mounts the clone at /workspace), the existing local workspaces (the backend
 * checks they contain the clone and refuses them otherwise), and — when one is attached —
 * detaching it. With a workspace the agent's commands run in the container without asking;
 * without one each command needs your confirmation on this machine.
 */
import * as vscode from "vscode";
import type { TicketView } from "../../server/api/tickets";
import type { BackendClient } from "../backend/client";

type Pick = vscode.QuickPickItem & {
  act?: { kind: "create"; stack: string; custom: boolean } | { kind: "attach"; id: string } | { kind: "detach" };
};

export async function pickTicketWorkspace(client: BackendClient, t: TicketView): Promise<TicketView | undefined> {
  const [stacks, existing] = await Promise.all([
    client.call("GET /api/workspaces/stacks", { timeoutMs: 20_000 }).then((r) => r.stacks),
    client
      .call("GET /api/workspaces", { timeoutMs: 20_000 })
      .then((r) => r.workspaces.filter((w) => w.host === "local"))
      .catch(() => []),
  ]);
  const items: Pick[] = [
    { label: "Create a workspace for this ticket", kind: vscode.QuickPickItemKind.Separator },
    ...stacks.map((s) => ({
      label: `$(add) ${s.label}`,
      description: s.image || "an image you name",
      detail: `The clone mounted at /workspace; commands run there without asking.`,
      act: { kind: "create" as const, stack: s.id, custom: s.image === "" },
    })),
  ];
  if (existing.length > 0) {
    items.push({
      label: "Attach an existing workspace (it must mount the clone)",
      kind: vscode.QuickPickItemKind.Separator,
    });
    for (const w of existing)
      items.push({
        label: `$(vm) ${w.id}`,
        description: `${w.image} · ${w.state}${w.id === t.workspace_id ? " · attached" : ""}`,
        act: { kind: "attach", id: w.id },
      });
  }
  if (t.workspace_id)
    items.push(
      { label: "", kind: vscode.QuickPickItemKind.Separator },
      {
        label: "$(debug-disconnect) Detach the workspace",
        detail: "Commands run on this machine again, each after your confirmation. The container is kept.",
        act: { kind: "detach" },
      },
    );
  const pick = await vscode.window.showQuickPick(items, {
    title: `Ticket ${t.ticket_id}: where the agent's commands run`,
    ignoreFocusOut: true,
    matchOnDescription: true,
  });
  const act = pick?.act;
  if (!act) return undefined;
  if (act.kind === "detach")
    return client.call("DELETE /api/tickets/:id/workspace", { params: { id: t.ticket_id }, timeoutMs: 20_000 });
  if (act.kind === "attach")
    return client.call("POST /api/tickets/:id/workspace", {
      params: { id: t.ticket_id },
      body: { workspace_id: act.id },
      timeoutMs: 60_000,
    });
  let image: string | undefined;
  if (act.custom) {
    image = await vscode.window.showInputBox({
      title: `Ticket ${t.ticket_id}: image of the workspace`,
      prompt: "A Docker image, e.g. node:20-bookworm-slim (local images work without a registry).",
      ignoreFocusOut: true,
      validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : "An image name without spaces"),
    });
    if (image === undefined) return undefined;
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Ticket ${t.ticket_id}: creating its workspace…` },
    () =>
      client.call("POST /api/tickets/:id/workspace", {
        params: { id: t.ticket_id },
        body: { stack: act.stack, ...(image ? { image: image.trim() } : {}) },
        timeoutMs: 600_000,
      }),
  );
}
