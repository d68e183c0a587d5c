/**
 * Workspace view logic without `vscode`: URIs of the `aicockpit-ws:` scheme, what a tree
 * row shows, and parsing of the create flow's inputs. Unit-tested in test/unit/workspaces.
 */
import type {
  PortSpec,
  ResourceLimits,
  StackTemplate,
  WorkspaceState,
  WorkspaceView,
} from "../../server/api/workspaces";
import type { ContainerState } from "../../server/api/containers";
import { WORKSPACE_NAME_PATTERN } from "../../server/api/workspaces";

export const WS_SCHEME = "aicockpit-ws";

/**
 * A workspace id (`name` or `name@host`) as a URI authority. "@" would read as userinfo in
 * an authority, so it becomes "+" (never part of a name or host id).
 */
export const authorityOf = (id: string) => id.replace("@", "+");
export const idOfAuthority = (authority: string) => authority.replace("+", "@");

export interface RowLook {
  label: string;
  description: string;
  tooltip: string;
  /** codicon id and optional theme colour id */
  icon: string;
  color?: string;
  contextValue: string;
}

/**
 * The icon for a container's state, shared by the Workspaces and Remote Hosts views.
 * Workspaces say `stopped` where Docker says `exited`; both look the same.
 */
export const STATE_ICONS: Record<WorkspaceState | ContainerState, { icon: string; color?: string }> = {
  running: { icon: "vm-running", color: "charts.green" },
  stopped: { icon: "vm-outline" },
  exited: { icon: "vm-outline" },
  paused: { icon: "debug-pause", color: "charts.yellow" },
  restarting: { icon: "sync~spin", color: "charts.yellow" },
  created: { icon: "vm-outline", color: "charts.yellow" },
  dead: { icon: "error", color: "charts.red" },
  removing: { icon: "trash" },
};

export function rowLook(w: WorkspaceView): RowLook {
  const where = w.host === "local" ? "" : ` · ${w.host}`;
  const ports = w.ports.filter((p) => p.hostPort !== null).map((p) => `${p.container}→${p.hostIp}:${p.hostPort}`);
  return {
    label: w.name,
    description: `${w.state}${where} · ${w.stack}`,
    tooltip: [
      `${w.name} (${w.state})`,
      `image: ${w.image}`,
      `host: ${w.host}`,
      `limits: ${w.limits.cpus} CPU, ${w.limits.memoryMb} MB, ${w.limits.pids} pids`,
      `network: ${w.network}`,
      ports.length > 0 ? `ports: ${ports.join(", ")}` : "ports: none",
      `volume: ${w.volume} → /workspace`,
      w.status,
    ].join("\n"),
    ...STATE_ICONS[w.state],
    // menus use `viewItem =~ /^workspace\.running/` etc.
    contextValue: `workspace.${w.state}`,
  };
}

export function validateName(v: string, taken: readonly string[]): string | undefined {
  if (!WORKSPACE_NAME_PATTERN.test(v))
    return 'Lowercase letters, digits, "-", "_" or "." (up to 48), starting with a letter or digit.';
  if (taken.includes(v)) return `A workspace named "${v}" already exists.`;
  return undefined;
}

/** "cpus=1.5 memory=2048 pids=512" (any order, any subset; commas allowed). */
export function parseLimits(text: string): { limits?: Partial<ResourceLimits>; error?: string } {
  const limits: Partial<ResourceLimits> = {};
  for (const part of text.split(/[\s,]+/).filter((p) => p !== "")) {
    const [, name, value] = /^(cpus?|mem(?:ory)?(?:mb)?|pids)=(\d+(?:\.\d+)?)$/i.exec(part) ?? [];
    if (name === undefined) return { error: `"${part}" is not key=value with key cpus, memory or pids.` };
    const key = name.toLowerCase();
    const n = Number(value);
    if (key.startsWith("cpu")) limits.cpus = n;
    else if (key.startsWith("mem")) {
      if (!Number.isInteger(n)) return { error: "memory is a whole number of MB." };
      limits.memoryMb = n;
    } else {
      if (!Number.isInteger(n)) return { error: "pids is a whole number." };
      limits.pids = n;
    }
  }
  return { limits };
}

/** "8000, 3000:3001, 53/udp" → container ports, optionally host:container, optionally /udp. */
export function parsePorts(text: string): { ports?: PortSpec[]; error?: string } {
  const ports: PortSpec[] = [];
  for (const part of text.split(/[\s,]+/).filter((p) => p !== "")) {
    const m = /^(?:(\d{1,5}):)?(\d{1,5})(?:\/(tcp|udp))?$/.exec(part);
    if (!m) return { error: `"${part}" is not a port (e.g. 8000 or 8080:80 or 53/udp).` };
    const container = Number(m[2]);
    const host = m[1] !== undefined ? Number(m[1]) : undefined;
    if (container < 1 || container > 65535 || (host !== undefined && (host < 1 || host > 65535)))
      return { error: `"${part}": ports are 1–65535.` };
    ports.push({
      container,
      ...(host !== undefined ? { host } : {}),
      ...(m[3] ? { protocol: m[3] as "tcp" | "udp" } : {}),
    });
  }
  return { ports };
}

/** A user template from settings (`aicockpit.workspaces.templates`), checked loosely. */
export function templatesFromSettings(raw: unknown): { templates: StackTemplate[]; problems: string[] } {
  const templates: StackTemplate[] = [];
  const problems: string[] = [];
  if (!Array.isArray(raw)) return { templates, problems };
  raw.forEach((t: unknown, i) => {
    const o = (t ?? {}) as Record<string, unknown>;
    if (typeof o.id !== "string" || typeof o.image !== "string" || o.image === "") {
      problems.push(`aicockpit.workspaces.templates[${i}] needs "id" and "image".`);
      return;
    }
    const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
    const env =
      o.env && typeof o.env === "object"
        ? Object.fromEntries(Object.entries(o.env as Record<string, unknown>).filter(([, v]) => typeof v === "string"))
        : undefined;
    const ports =
      typeof o.ports === "string"
        ? parsePorts(o.ports).ports
        : Array.isArray(o.ports)
          ? parsePorts(o.ports.join(",")).ports
          : undefined;
    templates.push({
      id: o.id,
      label: typeof o.label === "string" ? o.label : o.id,
      description: typeof o.description === "string" ? o.description : o.image,
      image: o.image,
      ...(isStrings(o.command) ? { command: o.command } : {}),
      ...(env ? { env: env as Record<string, string> } : {}),
      ...(ports ? { ports } : {}),
      source: "settings",
    });
  });
  return { templates, problems };
}

/** One line of pull progress for a notification ("Downloading 12.3/45.6 MB"). */
export function pullLine(status: string, current?: number, total?: number): string {
  if (current !== undefined && total !== undefined && total > 0) {
    return `${status} ${(current / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`;
  }
  return status;
}
