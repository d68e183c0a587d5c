/**
 * The Docker engines workspaces live on: the local one (DOCKER_HOST or the default socket)
 * and remote ones on the hosts of the shared registry (server/hosts/), reached the way
 * dockerode's ssh protocol does it (the remote runs `docker system dial-stdio`) over the
 * host layer's pooled connection (ssh-agent.ts). Hosts flagged `workspaces` are listed in
 * the Workspaces view; a workspace may be created on any registered host.
 *
 * `/api/workspace-hosts…` is kept as a thin alias over the registry: key auth + pinned key.
 */
import Docker from "dockerode";
import type { WorkspaceHostInput, WorkspaceHostView } from "../api/workspaces";
import type { HostView } from "../api/hosts";
import type { Hosts } from "../hosts/service";
import { AppError } from "../errors";
import type { EngineRef } from "./errors";
import { asWorkspaceHostError, SshDialAgent } from "./ssh-agent";

export { LOCAL_HOST, HOST_ID_PATTERN } from "../hosts/registry";
import { LOCAL_HOST } from "../hosts/registry";

export interface Engine {
  id: string;
  docker: Docker;
  ref: EngineRef;
  close?: () => void;
}

function localEngine(): Engine {
  const where = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  return { id: LOCAL_HOST, docker: new Docker(), ref: { where, remote: false } };
}

function remoteEngine(hosts: Hosts, view: HostView): Engine {
  const where = `ssh://${view.user}@${view.host}:${view.port}`;
  const agent = new SshDialAgent(hosts.pool, view.id);
  // Plain HTTP over the agent's dial-stdio channels ("docker" is only the Host header).
  const docker = new Docker({ protocol: "http", host: "docker", port: 80, agent } as Docker.DockerOptions);
  return { id: view.id, docker, ref: { where, remote: true }, close: () => agent.close() };
}

function asWorkspaceHost(h: HostView): WorkspaceHostView | undefined {
  if (h.auth.kind !== "key" || !h.hostFingerprint) return undefined;
  return {
    id: h.id,
    host: h.host,
    port: h.port,
    username: h.user,
    privateKeyPath: h.auth.privateKeyPath,
    hostFingerprint: h.hostFingerprint,
  };
}

export class Engines {
  private local: Engine | undefined;
  private readonly remote = new Map<string, Engine>();

  constructor(readonly hosts: Hosts) {
    hosts.registry.onChange((c) => {
      this.remote.get(c.id)?.close?.();
      this.remote.delete(c.id);
    });
  }

  /** The workspace-hosts alias view: hosts listed for workspaces with key auth and a pinned key. */
  listHosts(): WorkspaceHostView[] {
    return this.hosts.registry
      .list()
      .filter((h) => h.workspaces)
      .map(asWorkspaceHost)
      .filter((h): h is WorkspaceHostView => h !== undefined);
  }

  putHost(id: string, input: WorkspaceHostInput): WorkspaceHostView {
    try {
      const jump = this.hosts.registry.get(id)?.jump;
      const view = this.hosts.registry.put(id, {
        host: input.host,
        port: input.port ?? 22,
        user: input.username,
        auth: { kind: "key", privateKeyPath: input.privateKeyPath },
        hostFingerprint: input.hostFingerprint,
        ...(jump ? { jump } : {}),
        workspaces: true,
      });
      return asWorkspaceHost(view)!;
    } catch (err) {
      throw asWorkspaceHostError(err);
    }
  }

  /** Stops listing the host's workspaces; the host itself stays in the registry. */
  removeHost(id: string): boolean {
    const h = this.hosts.registry.get(id);
    if (!h?.workspaces) return false;
    this.hosts.registry.update(id, { workspaces: false });
    return true;
  }

  /** Ids of every engine to list: local first. */
  ids(): string[] {
    return [
      LOCAL_HOST,
      ...this.hosts.registry
        .list()
        .filter((h) => h.workspaces)
        .map((h) => h.id),
    ];
  }

  get(id: string = LOCAL_HOST): Engine {
    if (id === LOCAL_HOST) return (this.local ??= localEngine());
    const cached = this.remote.get(id);
    if (cached) return cached;
    const view = this.hosts.registry.get(id);
    if (!view)
      throw new AppError(
        "WORKSPACE_HOST_UNKNOWN",
        `No Docker host named ${JSON.stringify(id)} is configured.`,
        "Add it first (Remote Hosts, or PUT /api/workspace-hosts/<id>).",
      );
    const engine = remoteEngine(this.hosts, view);
    this.remote.set(id, engine);
    return engine;
  }
}
