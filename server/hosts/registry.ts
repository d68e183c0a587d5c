/**
 * The host registry: <dataDir>/hosts.json, one list shared by every feature. Connection
 * settings only — key files stay where they are, passphrases and passwords are never here.
 *
 * Migration: the first start that finds no hosts.json but an older workspace-hosts.json
 * (Docker workspace hosts, key auth + pinned key) copies every entry over, then renames the
 * old file to workspace-hosts.json.migrated (kept, not deleted: nothing is lost).
 */
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { HostAuth, HostInput, HostPatch, HostView } from "../api/hosts";
import { AppError } from "../errors";
import { readJsonFile, writeJsonFileAtomic } from "../store/json-file";
import { FINGERPRINT_PATTERN } from "./fingerprint";
import { checkKeyFile } from "./key-file";

export const LOCAL_HOST = "local";
export const HOST_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,47}$/;
export const HOST_NAME_PATTERN = /^[A-Za-z0-9.:_%-]{1,255}$/;
export const USER_PATTERN = /^[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}$/;
export const MAX_JUMP_HOPS = 8;
const HOSTS_FILE = "hosts.json";
const LEGACY_FILE = "workspace-hosts.json";

interface LegacyHost {
  id: string;
  host: string;
  port?: number;
  username: string;
  privateKeyPath: string;
  hostFingerprint: string;
}

export type HostChange = { id: string; kind: "added" | "updated" | "removed" };

export class HostRegistry {
  private readonly file: string;
  private readonly hosts = new Map<string, HostView>();
  private readonly listeners = new Set<(c: HostChange) => void>();

  constructor(readonly dataDir: string) {
    this.file = join(dataDir, HOSTS_FILE);
    const stored = readJsonFile(this.file);
    if (stored !== undefined) {
      const list = (stored as { hosts?: unknown }).hosts;
      if (Array.isArray(list)) for (const h of list as HostView[]) this.hosts.set(h.id, h);
    }
    this.migrateLegacy(stored === undefined);
  }

  private migrateLegacy(noHostsFile: boolean): void {
    const legacy = join(this.dataDir, LEGACY_FILE);
    if (!existsSync(legacy)) return;
    const old = readJsonFile(legacy) as { hosts?: LegacyHost[] } | undefined;
    for (const h of old?.hosts ?? []) {
      if (this.hosts.has(h.id)) continue; // hosts.json wins for an id it already has
      this.hosts.set(h.id, {
        id: h.id,
        host: h.host,
        port: h.port ?? 22,
        user: h.username,
        auth: { kind: "key", privateKeyPath: h.privateKeyPath },
        hostFingerprint: h.hostFingerprint,
        workspaces: true,
        source: "workspace-hosts",
      });
    }
    if (noHostsFile || (old?.hosts?.length ?? 0) > 0) this.save();
    renameSync(legacy, `${legacy}.migrated`);
  }

  private save(): void {
    writeJsonFileAtomic(this.file, { version: 1, hosts: this.list() });
  }

  /** Called after every change (the pool drops connections of a changed/removed host). */
  onChange(listener: (c: HostChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(c: HostChange): void {
    for (const l of this.listeners) l(c);
  }

  list(): HostView[] {
    return [...this.hosts.values()].map((h) => structuredClone(h));
  }

  get(id: string): HostView | undefined {
    const h = this.hosts.get(id);
    return h ? structuredClone(h) : undefined;
  }

  require(id: string): HostView {
    const h = this.get(id);
    if (!h)
      throw new AppError(
        "HOST_UNKNOWN",
        `No SSH host named ${JSON.stringify(id)} is configured.`,
        "Add it first (Remote Hosts view, or POST /api/hosts).",
      );
    return h;
  }

  add(id: string, input: HostInput, source: HostView["source"] = "manual"): HostView {
    if (id === LOCAL_HOST || !HOST_ID_PATTERN.test(id)) {
      throw new AppError(
        "BAD_REQUEST",
        `Host id ${JSON.stringify(id)} is not allowed.`,
        'Use lowercase letters, digits, "-", "_" or "." (up to 48); "local" is reserved.',
      );
    }
    if (this.hosts.has(id))
      throw new AppError(
        "HOST_ID_TAKEN",
        `A host named ${JSON.stringify(id)} already exists.`,
        "Choose another id, or update that host.",
      );
    const view = this.validated(id, { ...input, port: input.port ?? 22 }, source);
    this.hosts.set(id, view);
    this.save();
    this.emit({ id, kind: "added" });
    return structuredClone(view);
  }

  /** Add or replace (the workspace-hosts alias: PUT semantics). */
  put(id: string, input: HostInput, source: HostView["source"] = "manual"): HostView {
    const prev = this.hosts.get(id);
    if (prev === undefined) return this.add(id, input, source);
    const view = this.validated(id, { ...input, port: input.port ?? 22 }, prev.source);
    this.hosts.set(id, view);
    this.save();
    this.emit({ id, kind: "updated" });
    return structuredClone(view);
  }

  update(id: string, patch: HostPatch): HostView {
    const prev = this.require(id);
    const next: HostInput & { port: number } = {
      ...prev,
      ...stripUndefined(patch),
      port: patch.port ?? prev.port,
    } as HostInput & { port: number };
    if (patch.hostFingerprint === null) delete next.hostFingerprint;
    const view = this.validated(id, next, prev.source);
    this.hosts.set(id, view);
    this.save();
    this.emit({ id, kind: "updated" });
    return structuredClone(view);
  }

  /** Pins a host key fingerprint (trust on first use, or a verified replacement). */
  pin(id: string, fingerprint: string): HostView {
    return this.update(id, { hostFingerprint: fingerprint });
  }

  remove(id: string): boolean {
    if (!this.hosts.has(id)) return false;
    const users = [...this.hosts.values()].filter((h) => h.jump?.includes(id)).map((h) => h.id);
    if (users.length > 0)
      throw new AppError(
        "BAD_REQUEST",
        `Host ${JSON.stringify(id)} is the jump host of ${users.join(", ")}.`,
        "Remove or change those hosts first.",
      );
    this.hosts.delete(id);
    this.save();
    this.emit({ id, kind: "removed" });
    return true;
  }

  /** The hops to reach `id`, first hop first, ending with the host itself. */
  chain(id: string): HostView[] {
    const target = this.require(id);
    return [...(target.jump ?? []).map((j) => this.require(j)), target];
  }

  private validated(id: string, h: HostInput & { port: number }, source: HostView["source"]): HostView {
    const bad = (msg: string) => new AppError("BAD_REQUEST", `Host ${JSON.stringify(id)}: ${msg}.`);
    if (!HOST_NAME_PATTERN.test(h.host)) throw bad("host must be a host name or address");
    if (!Number.isInteger(h.port) || h.port < 1 || h.port > 65535) throw bad("port must be 1-65535");
    if (!USER_PATTERN.test(h.user)) throw bad("user has invalid characters");
    if (h.hostFingerprint !== undefined && !FINGERPRINT_PATTERN.test(h.hostFingerprint)) {
      throw bad("hostFingerprint must be SHA256:<43 base64 characters>, as `ssh-keygen -lf` prints it");
    }
    const auth = validAuth(h.auth, bad);
    const jump = h.jump ?? [];
    if (jump.length > MAX_JUMP_HOPS) throw bad(`at most ${MAX_JUMP_HOPS} jump hosts`);
    for (const j of jump) {
      if (j === id) throw bad("a host cannot be its own jump host");
      const hop = this.hosts.get(j);
      if (!hop) throw bad(`jump host ${JSON.stringify(j)} is not configured (add it first)`);
      if ((hop.jump ?? []).length > 0)
        throw bad(`jump host ${JSON.stringify(j)} has jump hosts of its own; list every hop on this host instead`);
    }
    const view: HostView = { id, host: h.host, port: h.port, user: h.user, auth, source };
    if (jump.length > 0) view.jump = [...jump];
    if (h.hostFingerprint) view.hostFingerprint = h.hostFingerprint;
    if (h.workspaces) view.workspaces = true;
    return view;
  }
}

function validAuth(a: HostAuth, bad: (m: string) => AppError): HostAuth {
  switch (a?.kind) {
    case "key":
      if (typeof a.privateKeyPath !== "string" || a.privateKeyPath === "")
        throw bad("auth.privateKeyPath is required for key auth");
      checkKeyFile(a.privateKeyPath);
      return { kind: "key", privateKeyPath: a.privateKeyPath };
    case "agent":
      return { kind: "agent" };
    case "password":
      return { kind: "password" };
    default:
      throw bad('auth.kind must be "key", "agent" or "password"');
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
