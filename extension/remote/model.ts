/**
 * Remote Hosts view logic without `vscode`: what host and container rows show, the id a new
 * host gets, and parsing of the Add Host form's answers. Unit-tested in test/unit/remote.
 */
import type { ContainerSummary } from "../../server/api/containers";
import type { AddHostRequest, HostAuth, HostView } from "../../server/api/hosts";
import { STATE_ICONS, type RowLook } from "../workspaces/model";

export type { RowLook };

/** "local" is this machine's Docker Engine; every other host comes from the registry. */
export const LOCAL = "local";

/** A container row: its name, Docker's own status words, the image; `container.<state>` drives the menus. */
export function containerLook(c: ContainerSummary): RowLook {
  const look = STATE_ICONS[c.state] ?? { icon: "vm-outline" };
  const ports = c.ports
    .filter((p) => p.hostPort !== undefined)
    .map((p) => `${p.hostIp ?? ""}:${p.hostPort}→${p.container}/${p.protocol}`);
  return {
    label: c.name,
    description: `${c.status || c.state} · ${c.image}`,
    tooltip: [
      `${c.name} (${c.state})`,
      `image: ${c.image}`,
      `status: ${c.status}`,
      ...(ports.length > 0 ? [`ports: ${ports.join(", ")}`] : []),
      ...(c.workspace ? ["an AiCockpit workspace"] : []),
    ].join("\n"),
    icon: look.icon,
    ...(look.color !== undefined ? { color: look.color } : {}),
    contextValue: `container.${c.state}`,
  };
}

export function authText(auth: HostAuth): string {
  switch (auth.kind) {
    case "key":
      return `key ${auth.privateKeyPath}`;
    case "agent":
      return "ssh-agent";
    case "password":
      return "password";
  }
}

/** A host row; `local` stands for this machine's Docker and has no SSH actions. */
export function hostLook(h: HostView | typeof LOCAL): RowLook {
  if (h === LOCAL) {
    return {
      label: LOCAL,
      description: "this machine's Docker",
      tooltip: "Containers of the Docker Engine the backend reaches on this machine",
      icon: "vm",
      contextValue: "host.local",
    };
  }
  const where = `${h.user}@${h.host}${h.port === 22 ? "" : `:${h.port}`}`;
  return {
    label: h.id,
    description: where,
    tooltip: [
      `${where} (${authText(h.auth)})`,
      h.hostFingerprint !== undefined
        ? `host key pinned: ${h.hostFingerprint}`
        : "host key: known_hosts decides (not pinned)",
      ...(h.jump !== undefined && h.jump.length > 0 ? [`via ${h.jump.join(" → ")}`] : []),
      ...(h.workspaces === true ? ["hosts Docker workspaces"] : []),
    ].join("\n"),
    icon: "remote",
    contextValue: "host.remote",
  };
}

/** Containers sorted for a tree: running first, then by name. */
export function sortContainers(list: readonly ContainerSummary[]): ContainerSummary[] {
  return [...list].sort(
    (a, b) => Number(b.state === "running") - Number(a.state === "running") || a.name.localeCompare(b.name),
  );
}

// ------------------------------------------------------------------ Add Host form

export const HOST_ID_RE = /^[a-z0-9][a-z0-9_.-]{0,47}$/;
const HOST_NAME_RE = /^[A-Za-z0-9.:_%[\]-]{1,253}$/;
const USER_RE = /^[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}$/;

/** A registry id derived from a host name: lowercase, `[a-z0-9_.-]`, ≤ 48, never "local", unique among `taken`. */
export function suggestHostId(host: string, taken: readonly string[] = []): string {
  let base = host
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .replace(/-+$/, "")
    .slice(0, 44);
  if (base === "" || base === LOCAL) base = base === LOCAL ? "local-host" : "host";
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** Form checks; each returns a message for the input box, or undefined when the value is fine. */
export const check = {
  host: (s: string) =>
    HOST_NAME_RE.test(s.trim()) ? undefined : "A host name or IP address, e.g. build-box.example.com",
  port: (s: string) =>
    /^\d{1,5}$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 65535
      ? undefined
      : "A port number between 1 and 65535",
  user: (s: string) => (USER_RE.test(s.trim()) ? undefined : "An SSH user name"),
  id: (s: string, taken: readonly string[]) =>
    !HOST_ID_RE.test(s)
      ? 'Lowercase letters, digits, "-", "_" or "." (up to 48)'
      : s === LOCAL
        ? '"local" is this machine'
        : taken.includes(s)
          ? `A host named ${s} exists already`
          : undefined,
  keyPath: (s: string) => (s.trim() !== "" ? undefined : "The path of a private key file on this machine"),
};

export interface HostForm {
  id: string;
  host: string;
  port: string;
  user: string;
  auth: HostAuth["kind"];
  keyPath?: string;
  workspaces?: boolean;
}

/** The POST /api/hosts body for a filled-in form. */
export function addHostRequest(f: HostForm): AddHostRequest {
  const auth: HostAuth =
    f.auth === "key" ? { kind: "key", privateKeyPath: (f.keyPath ?? "").trim() } : { kind: f.auth };
  return {
    id: f.id,
    host: f.host.trim(),
    port: Number(f.port),
    user: f.user.trim(),
    auth,
    ...(f.workspaces === true ? { workspaces: true } : {}),
  };
}
