/**
 * Docker labels are the source of truth for workspaces: after a backend restart, every
 * workspace and its settings are read back from the containers carrying these labels.
 */
import type Docker from "dockerode";
import type { PublishedPort, ResourceLimits, WorkspaceState, WorkspaceView } from "../api/workspaces";
import { WORKSPACE_NAME_PATTERN } from "../api/workspaces";
import { AppError } from "../errors";
import { LOCAL_HOST, HOST_ID_PATTERN } from "./engines";

export const LABEL = {
  marker: "aicockpit.workspace",
  name: "aicockpit.workspace.name",
  stack: "aicockpit.workspace.stack",
  volume: "aicockpit.workspace.volume",
  created: "aicockpit.workspace.created",
  limits: "aicockpit.workspace.limits",
} as const;

export const MARKER_FILTER = `${LABEL.marker}=1`;

export const containerName = (name: string) => `aicockpit-ws-${name}`;
export const volumeName = (name: string) => `aicockpit-ws-${name}-data`;

export interface WorkspaceRef {
  id: string;
  name: string;
  host: string;
}

/** `name` or `name@host`; both parts validated (they end up in Docker object names). */
export function parseWorkspaceId(id: string): WorkspaceRef {
  const at = id.lastIndexOf("@");
  const name = at < 0 ? id : id.slice(0, at);
  const host = at < 0 ? LOCAL_HOST : id.slice(at + 1);
  if (!WORKSPACE_NAME_PATTERN.test(name) || !HOST_ID_PATTERN.test(host)) {
    throw new AppError(
      "WORKSPACE_NOT_FOUND",
      `No workspace ${JSON.stringify(id)}: not a valid workspace id.`,
      'Ids are "name" or "name@host".',
    );
  }
  return { id: workspaceId(name, host), name, host };
}

export const workspaceId = (name: string, host: string) => (host === LOCAL_HOST ? name : `${name}@${host}`);

export function toState(dockerState: string | undefined): WorkspaceState {
  switch (dockerState) {
    case "running":
    case "paused":
    case "restarting":
    case "created":
    case "dead":
    case "removing":
      return dockerState;
    default:
      return "stopped"; // "exited"
  }
}

function parseLimits(raw: string | undefined): ResourceLimits {
  try {
    const v = JSON.parse(raw ?? "") as Partial<ResourceLimits>;
    return { cpus: Number(v.cpus ?? 0), memoryMb: Number(v.memoryMb ?? 0), pids: Number(v.pids ?? 0) };
  } catch {
    return { cpus: 0, memoryMb: 0, pids: 0 };
  }
}

/** From `GET /containers/json` (the cheap listing). */
export function viewFromListing(c: Docker.ContainerInfo, host: string): WorkspaceView {
  const labels = c.Labels ?? {};
  const name = labels[LABEL.name] ?? c.Names[0]?.replace(/^\/aicockpit-ws-/, "") ?? c.Id.slice(0, 12);
  const ports: PublishedPort[] = [];
  for (const p of c.Ports ?? []) {
    if (p.IP !== undefined && p.IP !== "127.0.0.1") continue; // never anything but loopback, but Docker lists v6 twins
    ports.push({
      container: p.PrivatePort,
      protocol: p.Type === "udp" ? "udp" : "tcp",
      hostIp: p.IP ?? "127.0.0.1",
      hostPort: p.PublicPort ?? null,
    });
  }
  const networks = Object.keys(c.NetworkSettings?.Networks ?? {});
  return {
    id: workspaceId(name, host),
    name,
    host,
    stack: labels[LABEL.stack] ?? "custom",
    image: c.Image,
    state: toState(c.State),
    status: c.Status,
    createdAt: labels[LABEL.created] ?? new Date(c.Created * 1000).toISOString(),
    limits: parseLimits(labels[LABEL.limits]),
    ports,
    network: c.HostConfig?.NetworkMode ?? networks[0] ?? "default",
    volume: labels[LABEL.volume] ?? volumeName(name),
    containerId: c.Id,
  };
}

/** From `GET /containers/{id}/json` (inspect): limits and ports read from the real HostConfig. */
export function viewFromInspect(c: Docker.ContainerInspectInfo, host: string): WorkspaceView {
  const labels = c.Config.Labels ?? {};
  const name = labels[LABEL.name] ?? c.Name.replace(/^\/aicockpit-ws-/, "");
  const hc = c.HostConfig;
  const ports: PublishedPort[] = [];
  const bound = c.NetworkSettings?.Ports ?? {};
  const wanted = hc.PortBindings as Record<string, { HostIp?: string; HostPort?: string }[]> | undefined;
  for (const key of Object.keys({ ...(wanted ?? {}), ...bound })) {
    const [port, proto] = key.split("/");
    const b = bound[key]?.find((x) => x.HostIp === "127.0.0.1") ?? bound[key]?.[0];
    ports.push({
      container: Number(port),
      protocol: proto === "udp" ? "udp" : "tcp",
      hostIp: b?.HostIp || "127.0.0.1",
      hostPort: b?.HostPort ? Number(b.HostPort) : null,
    });
  }
  return {
    id: workspaceId(name, host),
    name,
    host,
    stack: labels[LABEL.stack] ?? "custom",
    image: c.Config.Image,
    state: toState(c.State.Status),
    status: c.State.Running ? `Up since ${c.State.StartedAt}` : `${c.State.Status} (exit ${c.State.ExitCode})`,
    createdAt: labels[LABEL.created] ?? c.Created,
    limits: {
      cpus: hc.NanoCpus ? hc.NanoCpus / 1e9 : 0,
      memoryMb: hc.Memory ? Math.round(hc.Memory / (1024 * 1024)) : 0,
      pids: hc.PidsLimit ?? 0,
    },
    ports,
    network: hc.NetworkMode ?? "default",
    volume: labels[LABEL.volume] ?? volumeName(name),
    containerId: c.Id,
  };
}
