/**
 * A ticket's Docker workspace: the container the agent's commands (run_command, the project's
 * tests) run in, with the ticket's clone mounted. Either created for the ticket — the clone
 * bind-mounted at /workspace on this machine's engine — or an existing workspace that already
 * mounts it. A workspace that does not contain the clone is refused: commands there would work
 * on other files than the ones the run commits.
 *
 * "Contains the clone" is checked twice: its mounts (a bind mount of the clone or of a folder
 * above it gives the path inside), then, when it runs, a random probe file written into the
 * clone's .git folder must read back the same through that path (so a same-named folder on
 * another disk does not pass).
 */
import { createHash, randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import type { TicketWorkspaceRequest } from "../api/tickets";
import { WORKSPACE_NAME_PATTERN } from "../api/workspaces";
import { AppError } from "../errors";
import { LOCAL_HOST } from "../workspaces/engines";
import type { WorkspaceService } from "../workspaces/service";

export const TICKET_WORKSPACE_PATH = "/workspace";
export const TICKET_LABEL = "aicockpit.ticket";

export interface TicketWorkspace {
  id: string;
  /** The clone's path inside the container. */
  path: string;
}

/** `ticket-<id>` in workspace-name letters; a short hash when lower-casing or cutting changed the id. */
export function ticketWorkspaceName(ticketId: string): string {
  const slug = ticketId.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
  const name = `ticket-${slug}`;
  if (slug === ticketId && WORKSPACE_NAME_PATTERN.test(name)) return name;
  const hash = createHash("sha256").update(ticketId).digest("hex").slice(0, 8);
  return `ticket-${slug.slice(0, 30)}-${hash}`;
}

function refused(message: string, hint?: string): AppError {
  return new AppError(
    "TICKET_WORKSPACE_REFUSED",
    message,
    hint ?? "Create a workspace for the ticket (AiCockpit mounts its clone), or pick one that bind-mounts the clone.",
  );
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Where the clone is inside the workspace, from its bind mounts; undefined when none holds it. */
interface Mount {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination?: string;
}

function mountedAt(mounts: Mount[], clone: string) {
  for (const m of mounts) {
    if (m.Type !== "bind" || !m.Source || !m.Destination) continue;
    const src = real(m.Source);
    if (clone === src || clone.startsWith(src.endsWith(sep) ? src : src + sep))
      return posix.join(m.Destination, ...relative(src, clone).split(sep).filter(Boolean));
  }
  return undefined;
}

export async function verifyTicketWorkspace(
  ws: WorkspaceService,
  clonePath: string,
  workspaceId: string,
  wantedPath?: string,
): Promise<TicketWorkspace> {
  const loc = await ws.locate(workspaceId);
  if (loc.view.host !== LOCAL_HOST)
    throw refused(
      `Workspace ${loc.view.id} runs on ${loc.view.host}; the ticket's clone is on this machine, so it cannot be mounted there.`,
      "Use a workspace on the local Docker engine.",
    );
  const info = await loc.container.inspect();
  const mounts = (info.Mounts ?? []) as Mount[];
  const at = mountedAt(mounts, clonePath);
  if (!at) {
    const what = mounts.map((m) => `${m.Destination ?? "?"} ← ${m.Type ?? "?"} ${m.Source || m.Name || ""}`.trim());
    throw refused(
      `Workspace ${loc.view.id} does not contain the ticket's clone (${clonePath}); its mounts: ${what.join(", ") || "none"}.`,
    );
  }
  if (wantedPath !== undefined && posix.normalize(wantedPath) !== at)
    throw refused(`Workspace ${loc.view.id} has the ticket's clone at ${at}, not at ${wantedPath}.`, `Use ${at}.`);
  if (loc.view.state === "running") await probe(ws, loc.view.id, clonePath, at);
  return { id: loc.view.id, path: at };
}

async function probe(ws: WorkspaceService, id: string, clonePath: string, at: string): Promise<void> {
  const name = `aicockpit-mount-probe-${randomBytes(6).toString("hex")}`;
  const token = randomBytes(16).toString("hex");
  const file = join(clonePath, ".git", name);
  await writeFile(file, token, { mode: 0o644 });
  try {
    const r = await ws.exec(id, { cmd: ["cat", posix.join(at, ".git", name)], timeoutMs: 15_000 });
    if (r.exitCode !== 0 || r.stdout.trim() !== token)
      throw refused(`Workspace ${id} mounts a folder at ${at}, but it is not this machine's clone (${clonePath}).`);
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * A new workspace for the ticket on this machine's engine, the clone bind-mounted at
 * /workspace. The image comes from `stack` or `image` (default: the Node stack).
 */
export async function createTicketWorkspace(
  ws: WorkspaceService,
  ticketId: string,
  clonePath: string,
  req: TicketWorkspaceRequest,
  signal?: AbortSignal,
): Promise<TicketWorkspace> {
  const view = await ws.create(
    {
      name: ticketWorkspaceName(ticketId),
      stack: req.stack ?? (req.image ? "custom" : "node"),
      ...(req.image ? { image: req.image } : {}),
      ...(req.network ? { network: req.network } : {}),
      ...(req.pull ? { pull: req.pull } : {}),
    },
    undefined,
    signal,
    { bindFolder: clonePath, labels: { [TICKET_LABEL]: ticketId } },
  );
  return { id: view.id, path: TICKET_WORKSPACE_PATH };
}

/** Inside the container the run's commands cannot reach this machine; a stopped one is started. */
export async function ensureRunning(ws: WorkspaceService, id: string): Promise<void> {
  const v = await ws.inspect(id);
  if (v.state !== "running") await ws.start(id);
}

/**
 * When a ticket is deleted: its workspace goes too if it was created for this ticket (its
 * /workspace was the clone, now gone); an attached workspace of the user's stays. Returns
 * whether it was removed.
 */
export async function removeTicketWorkspace(ws: WorkspaceService, ticketId: string, id: string): Promise<boolean> {
  const loc = await ws.locate(id);
  const labels = (await loc.container.inspect()).Config.Labels ?? {};
  if (labels[TICKET_LABEL] !== ticketId) return false;
  await ws.remove(id, false);
  return true;
}
