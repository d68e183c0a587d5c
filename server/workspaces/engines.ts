/**
 * The Docker engines workspaces live on: the local one (DOCKER_HOST or the default socket)
 * and remote ones reached over SSH the way dockerode's ssh protocol does it (the remote
 * runs `docker system dial-stdio`), over one shared SSH connection (ssh-agent.ts). Remote hosts are kept in <dataDir>/workspace-hosts.json —
 * connection settings only; the private key stays in its file and is read per connection.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import type { WorkspaceHostInput, WorkspaceHostView } from "../api/workspaces";
import { AppError } from "../errors";
import { readJsonFile, writeJsonFileAtomic } from "../store/json-file";
import type { EngineRef } from "./errors";
import { SshDialAgent } from "./ssh-agent";

export const LOCAL_HOST = "local";
export const HOST_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,47}$/;

export interface Engine {
  id: string;
  docker: Docker;
  ref: EngineRef;
  close?: () => void;
}

/** `SHA256:<base64 without padding>` of a host key blob, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

function localEngine(): Engine {
  const where = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  return { id: LOCAL_HOST, docker: new Docker(), ref: { where, remote: false } };
}

export function remoteEngine(view: WorkspaceHostView): Engine {
  const where = `ssh://${view.username}@${view.host}:${view.port}`;
  let privateKey: Buffer;
  try {
    privateKey = readFileSync(view.privateKeyPath);
  } catch (err) {
    throw new AppError(
      "WORKSPACE_HOST_UNREACHABLE",
      `Cannot read the SSH key for ${where} at ${view.privateKeyPath} (${(err as NodeJS.ErrnoException).code ?? "error"}).`,
      "Check the host's privateKeyPath.",
    );
  }
  const agent = new SshDialAgent({
    host: view.host,
    port: view.port,
    username: view.username,
    privateKey,
    readyTimeout: 10_000,
    // Never accept blindly: only the pinned key passes; anything else fails the handshake.
    hostVerifier: (key: Buffer) => sshFingerprint(key) === view.hostFingerprint,
  });
  // Plain HTTP over the agent's dial-stdio channels ("docker" is only the Host header).
  const docker = new Docker({ protocol: "http", host: "docker", port: 80, agent } as Docker.DockerOptions);
  return { id: view.id, docker, ref: { where, remote: true }, close: () => agent.close() };
}

export class Engines {
  private local: Engine | undefined;
  private readonly remote = new Map<string, Engine>();
  private readonly file: string;
  private hosts: Map<string, WorkspaceHostView>;

  constructor(dataDir: string) {
    this.file = join(dataDir, "workspace-hosts.json");
    this.hosts = new Map();
    const stored = readJsonFile(this.file);
    if (stored && typeof stored === "object" && Array.isArray((stored as { hosts?: unknown }).hosts)) {
      for (const h of (stored as { hosts: WorkspaceHostView[] }).hosts) this.hosts.set(h.id, h);
    }
  }

  listHosts(): WorkspaceHostView[] {
    return [...this.hosts.values()];
  }

  putHost(id: string, input: WorkspaceHostInput): WorkspaceHostView {
    if (id === LOCAL_HOST || !HOST_ID_PATTERN.test(id)) {
      throw new AppError("BAD_REQUEST", `Host id ${JSON.stringify(id)} is not allowed.`, 'Use lowercase letters, digits, "-", "_" or "."; "local" is reserved.');
    }
    const view: WorkspaceHostView = { id, ...input, port: input.port ?? 22 };
    this.hosts.set(id, view);
    this.remote.get(id)?.close?.();
    this.remote.delete(id);
    writeJsonFileAtomic(this.file, { hosts: this.listHosts() });
    return view;
  }

  removeHost(id: string): boolean {
    const had = this.hosts.delete(id);
    this.remote.get(id)?.close?.();
    this.remote.delete(id);
    if (had) writeJsonFileAtomic(this.file, { hosts: this.listHosts() });
    return had;
  }

  /** Ids of every engine to list: local first. */
  ids(): string[] {
    return [LOCAL_HOST, ...this.hosts.keys()];
  }

  get(id: string = LOCAL_HOST): Engine {
    if (id === LOCAL_HOST) return (this.local ??= localEngine());
    const cached = this.remote.get(id);
    if (cached) return cached;
    const view = this.hosts.get(id);
    if (!view) throw new AppError("WORKSPACE_HOST_UNKNOWN", `No Docker host named ${JSON.stringify(id)} is configured.`, "Add it first (PUT /api/workspace-hosts/<id>).");
    const engine = remoteEngine(view);
    this.remote.set(id, engine);
    return engine;
  }
}
