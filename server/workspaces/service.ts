/**
 * Workspace lifecycle on dockerode. Nothing is cached: every answer is read from the
 * engines (labels + container state), so a restarted backend finds every workspace again.
 */
import type Docker from "dockerode";
import type {
  CreateWorkspaceEvent,
  CreateWorkspaceRequest,
  DeleteWorkspaceResponse,
  ExecResult,
  ResourceLimits,
  WorkspaceList,
  WorkspaceView,
} from "../api/workspaces";
import { WORKSPACE_LIMITS, WORKSPACE_NAME_PATTERN } from "../api/workspaces";
import { AppError } from "../errors";
import { Engines, LOCAL_HOST, type Engine } from "./engines";
import type { Hosts } from "../hosts/service";
import { fromDockerError } from "./errors";
import { runExec, type InternalExecRequest } from "./exec";
import {
  LABEL,
  MARKER_FILTER,
  containerName,
  parseWorkspaceId,
  viewFromInspect,
  viewFromListing,
  volumeName,
} from "./labels";
import { imagePresent, pullImage } from "./pull";
import { findStack, KEEP_ALIVE } from "./stacks";
import { withTimeout } from "./timeouts";

export const DEFAULT_LIMITS: ResourceLimits = { cpus: 2, memoryMb: 2048, pids: 1024 };

export interface Located {
  engine: Engine;
  container: Docker.Container;
  view: WorkspaceView;
}

function isStatus(err: unknown, code: number): boolean {
  return (err as { statusCode?: number } | undefined)?.statusCode === code;
}

export interface WorkspacePolicy {
  /** `network: "host"` allowed (the user setting aicockpit.workspaces.allowHostNetwork). */
  allowHostNetwork: boolean;
}

/**
 * A workspace is a development container, not a system container: Docker's default set of
 * capabilities is dropped and only what building, installing packages and running dev servers
 * needs is given back:
 *   CHOWN, DAC_OVERRIDE, FOWNER, FSETID  package managers (dpkg, apk, npm as root) unpack files
 *                                        owned by other users and set their modes, setgid bits included;
 *   SETUID, SETGID                       apt drops to its _apt user, su/gosu/runuser switch users;
 *   KILL                                 signal processes of other users (dev servers started as another user);
 *   NET_BIND_SERVICE                     dev servers on ports below 1024 (80, 443).
 * Left out of Docker's defaults: NET_RAW (raw sockets: spoofing, ARP tricks on the bridge),
 * MKNOD (device nodes), SETFCAP/SETPCAP (granting capabilities to files/processes), SYS_CHROOT,
 * AUDIT_WRITE. `no-new-privileges` keeps setuid binaries from gaining more than this.
 */
export const WORKSPACE_PRIVILEGES = {
  CapDrop: ["ALL"],
  CapAdd: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "KILL", "NET_BIND_SERVICE"],
  SecurityOpt: ["no-new-privileges"],
};

/** Options the backend's own features give a workspace; never taken from an HTTP body as is. */
export interface CreateOptions {
  /**
   * A folder of this machine bind-mounted at /workspace instead of the workspace's data volume
   * (a ticket's clone). Only for the local engine: a remote engine would mount its own disk.
   */
  bindFolder?: string;
  /** Extra labels (e.g. which ticket the workspace belongs to). */
  labels?: Record<string, string>;
}

export class WorkspaceService {
  constructor(
    readonly engines: Engines,
    private readonly policy: WorkspacePolicy = { allowHostNetwork: false },
  ) {}

  async listOn(hostId: string, timeoutMs?: number): Promise<WorkspaceView[]> {
    const engine = this.engines.get(hostId);
    try {
      const items = await withTimeout(
        engine.docker.listContainers({ all: true, filters: { label: [MARKER_FILTER] } }),
        engine.ref,
        "list containers",
        timeoutMs,
      );
      return items.map((c) => viewFromListing(c, hostId)).sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      throw fromDockerError(err, engine.ref, "list workspaces");
    }
  }

  /** Every host; a host that fails is reported in `unreachable`, the others still listed. */
  async list(hosts: string[] = this.engines.ids(), timeoutMs?: number): Promise<WorkspaceList> {
    // Settled per host, each result carrying its host.
    const results = await Promise.all(
      hosts.map((host) =>
        this.listOn(host, timeoutMs).then(
          (workspaces) => ({ host, workspaces }),
          (reason: unknown) => ({ host, reason }),
        ),
      ),
    );
    const out: WorkspaceList = { workspaces: [], unreachable: [] };
    for (const r of results) {
      if ("workspaces" in r) out.workspaces.push(...r.workspaces);
      else {
        const e = r.reason instanceof AppError ? r.reason : fromDockerError(r.reason, this.engines.get(r.host).ref);
        out.unreachable.push({ host: r.host, code: e.code, message: e.message });
      }
    }
    return out;
  }

  /** Finds a workspace by id, checking it really is one of ours (label), not any container. */
  async locate(id: string): Promise<Located> {
    const ref = parseWorkspaceId(id);
    const engine = this.engines.get(ref.host);
    const container = engine.docker.getContainer(containerName(ref.name));
    let info: Docker.ContainerInspectInfo;
    try {
      info = await withTimeout(container.inspect(), engine.ref, "inspect");
    } catch (err) {
      if (isStatus(err, 404))
        throw new AppError(
          "WORKSPACE_NOT_FOUND",
          `No workspace named ${JSON.stringify(ref.id)}.`,
          "List workspaces to see the names.",
        );
      throw fromDockerError(err, engine.ref, "inspect workspace");
    }
    if (info.Config.Labels?.[LABEL.marker] !== "1") {
      throw new AppError(
        "WORKSPACE_NOT_FOUND",
        `The container ${containerName(ref.name)} exists but is not an AiCockpit workspace.`,
        "Choose another name.",
      );
    }
    // From here on, the container whose labels were checked, by id: the name could be taken
    // over by another container between this check and the operation that follows.
    return { engine, container: engine.docker.getContainer(info.Id), view: viewFromInspect(info, ref.host) };
  }

  async inspect(id: string): Promise<WorkspaceView> {
    return (await this.locate(id)).view;
  }

  private async limitsFor(engine: Engine, wanted: Partial<ResourceLimits> | undefined): Promise<ResourceLimits> {
    let info: { NCPU?: number; MemTotal?: number };
    try {
      info = (await withTimeout(engine.docker.info(), engine.ref, "info")) as { NCPU?: number; MemTotal?: number };
    } catch (err) {
      throw fromDockerError(err, engine.ref, "read engine info");
    }
    const ncpu = info.NCPU ?? 1;
    const memMb = Math.floor((info.MemTotal ?? 0) / (1024 * 1024));
    const limits: ResourceLimits = {
      cpus: wanted?.cpus ?? Math.min(DEFAULT_LIMITS.cpus, ncpu),
      memoryMb:
        wanted?.memoryMb ??
        (memMb > 0 ? Math.min(DEFAULT_LIMITS.memoryMb, Math.floor(memMb / 2)) : DEFAULT_LIMITS.memoryMb),
      pids: wanted?.pids ?? DEFAULT_LIMITS.pids,
    };
    const L = WORKSPACE_LIMITS;
    const problems: string[] = [];
    if (!(limits.cpus >= L.minCpus)) problems.push(`CPUs must be at least ${L.minCpus}`);
    if (limits.cpus > ncpu) problems.push(`CPUs must be at most ${ncpu} (the Docker host has ${ncpu})`);
    if (!(limits.memoryMb >= L.minMemoryMb)) problems.push(`memory must be at least ${L.minMemoryMb} MB`);
    if (memMb > 0 && limits.memoryMb > memMb)
      problems.push(`memory must be at most ${memMb} MB (the Docker host has ${memMb} MB)`);
    if (!Number.isInteger(limits.pids) || limits.pids < L.minPids || limits.pids > L.maxPids)
      problems.push(`pids must be a whole number from ${L.minPids} to ${L.maxPids}`);
    if (problems.length > 0)
      throw new AppError(
        "INVALID_LIMITS",
        `Invalid resource limits: ${problems.join("; ")}.`,
        "Adjust the limits and create the workspace again.",
      );
    return limits;
  }

  async create(
    req: CreateWorkspaceRequest,
    onEvent: (e: CreateWorkspaceEvent) => void = () => undefined,
    signal?: AbortSignal,
    opts: CreateOptions = {},
  ): Promise<WorkspaceView> {
    if (!WORKSPACE_NAME_PATTERN.test(req.name)) {
      throw new AppError(
        "BAD_REQUEST",
        `Invalid workspace name ${JSON.stringify(req.name)}.`,
        'Use lowercase letters, digits, "-", "_" or "." (up to 48), starting with a letter or digit.',
      );
    }
    if (req.network === "host" && !this.policy.allowHostNetwork) {
      throw new AppError(
        "BAD_REQUEST",
        'network "host" is refused: it would share this machine\'s network with the workspace and bypass the loopback-only port publishing.',
        "Use bridge (the default) with published ports, or enable the user setting aicockpit.workspaces.allowHostNetwork.",
      );
    }
    const host = req.host ?? LOCAL_HOST;
    if (opts.bindFolder !== undefined && host !== LOCAL_HOST)
      throw new AppError(
        "BAD_REQUEST",
        `A folder of this machine cannot be mounted into a workspace on ${host}.`,
        "Create the workspace on the local Docker engine.",
      );
    const engine = this.engines.get(host);
    const stack = findStack(req.stack);
    const image = req.image ?? stack?.image ?? "";
    if (image === "") {
      throw new AppError(
        "BAD_REQUEST",
        req.stack === "custom" || !stack ? `Stack ${JSON.stringify(req.stack)} needs an image.` : "No image given.",
        'Give "image", e.g. "ubuntu:24.04".',
      );
    }
    const cancelled = () => {
      if (signal?.aborted) throw new AppError("CANCELLED", "Workspace creation was cancelled.");
    };

    // Checks come before the first event, so their failures are plain JSON errors with a status.
    const limits = await this.limitsFor(engine, req.limits);
    const name = containerName(req.name);
    try {
      await withTimeout(engine.docker.getContainer(name).inspect(), engine.ref, "inspect");
      throw new AppError(
        "WORKSPACE_NAME_TAKEN",
        `A workspace or container named ${JSON.stringify(req.name)} already exists on ${host}.`,
        "Choose another name, or delete the existing workspace first.",
      );
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (!isStatus(err, 404)) throw fromDockerError(err, engine.ref, "check name");
    }
    cancelled();

    if (!(await imagePresent(engine, image))) {
      if (req.pull === "never") {
        throw new AppError(
          "IMAGE_NOT_FOUND",
          `Image ${image} is not on ${host === LOCAL_HOST ? "this machine" : host} and pulling is off.`,
          "Pull or import the image first, or allow pulling.",
        );
      }
      onEvent({ type: "phase", phase: "pulling", message: `Pulling ${image}` });
      await pullImage(engine, image, onEvent, signal);
    }
    cancelled();

    onEvent({ type: "phase", phase: "creating", message: `Creating ${name}` });
    const volume = volumeName(req.name);
    const labels: Record<string, string> = {
      ...opts.labels,
      [LABEL.marker]: "1",
      [LABEL.name]: req.name,
      [LABEL.stack]: req.stack,
      [LABEL.volume]: volume,
      [LABEL.created]: new Date().toISOString(),
      [LABEL.limits]: JSON.stringify(limits),
    };
    let volumeExisted = true;
    try {
      if (opts.bindFolder === undefined)
        volumeExisted = await engine.docker
          .getVolume(volume)
          .inspect()
          .then(
            () => true,
            () => false,
          );
      if (!volumeExisted)
        await withTimeout(
          engine.docker.createVolume({ Name: volume, Labels: { [LABEL.marker]: "1", [LABEL.name]: req.name } }),
          engine.ref,
          "create volume",
        );
    } catch (err) {
      throw fromDockerError(err, engine.ref, "create volume");
    }
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of req.ports ?? stack?.ports ?? []) {
      const key = `${p.container}/${p.protocol ?? "tcp"}`;
      exposed[key] = {};
      // Loopback only: a dev server in a workspace must not be reachable from the network.
      bindings[key] = [{ HostIp: "127.0.0.1", HostPort: p.host ? String(p.host) : "" }];
    }
    const env = { ...(stack?.env ?? {}), ...(req.env ?? {}) };
    let container: Docker.Container;
    try {
      container = await withTimeout(
        engine.docker.createContainer({
          name,
          Image: image,
          Cmd: req.command ?? stack?.command ?? KEEP_ALIVE,
          Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
          Labels: labels,
          WorkingDir: "/workspace",
          ExposedPorts: exposed,
          HostConfig: {
            Init: true,
            ...WORKSPACE_PRIVILEGES,
            Mounts: [
              opts.bindFolder === undefined
                ? { Type: "volume", Source: volume, Target: "/workspace" }
                : { Type: "bind", Source: opts.bindFolder, Target: "/workspace" },
            ],
            NanoCpus: Math.round(limits.cpus * 1e9),
            Memory: limits.memoryMb * 1024 * 1024,
            MemorySwap: limits.memoryMb * 1024 * 1024,
            PidsLimit: limits.pids,
            NetworkMode: req.network ?? "bridge",
            PortBindings: bindings,
          },
        }),
        engine.ref,
        "create container",
      );
    } catch (err) {
      if (!volumeExisted)
        await engine.docker
          .getVolume(volume)
          .remove()
          .catch(() => undefined);
      throw fromDockerError(err, engine.ref, "create container");
    }
    onEvent({ type: "phase", phase: "starting", message: `Starting ${name}` });
    try {
      cancelled();
      await withTimeout(container.start(), engine.ref, "start", 60_000);
    } catch (err) {
      // A half-made workspace would confuse the next attempt: take it away again.
      await container.remove({ force: true }).catch(() => undefined);
      if (!volumeExisted)
        await engine.docker
          .getVolume(volume)
          .remove()
          .catch(() => undefined);
      throw fromDockerError(err, engine.ref, "start container");
    }
    const view = viewFromInspect(await container.inspect(), host);
    onEvent({ type: "created", workspace: view });
    return view;
  }

  async start(id: string): Promise<WorkspaceView> {
    const { engine, container } = await this.locate(id);
    try {
      await withTimeout(container.start(), engine.ref, "start", 60_000);
    } catch (err) {
      if (!isStatus(err, 304)) throw fromDockerError(err, engine.ref, "start workspace");
    }
    return this.inspect(id);
  }

  async stop(id: string): Promise<WorkspaceView> {
    const { engine, container } = await this.locate(id);
    try {
      await withTimeout(container.stop({ t: 10 }), engine.ref, "stop", 40_000);
    } catch (err) {
      if (!isStatus(err, 304)) throw fromDockerError(err, engine.ref, "stop workspace");
    }
    return this.inspect(id);
  }

  async restart(id: string): Promise<WorkspaceView> {
    const { engine, container } = await this.locate(id);
    try {
      await withTimeout(container.restart({ t: 10 }), engine.ref, "restart", 60_000);
    } catch (err) {
      throw fromDockerError(err, engine.ref, "restart workspace");
    }
    return this.inspect(id);
  }

  async remove(id: string, removeVolume: boolean): Promise<DeleteWorkspaceResponse> {
    const { engine, container, view } = await this.locate(id);
    try {
      await withTimeout(container.remove({ force: true }), engine.ref, "remove", 60_000);
    } catch (err) {
      if (!isStatus(err, 404)) throw fromDockerError(err, engine.ref, "remove workspace");
    }
    let volumeRemoved = false;
    if (removeVolume) {
      try {
        await withTimeout(engine.docker.getVolume(view.volume).remove(), engine.ref, "remove volume");
        volumeRemoved = true;
      } catch (err) {
        if (!isStatus(err, 404)) throw fromDockerError(err, engine.ref, "remove volume");
      }
    }
    return { removed: true, volumeRemoved };
  }

  /** A running workspace's container (exec, TTY and most file operations need one). */
  async running(id: string): Promise<Located> {
    const loc = await this.locate(id);
    if (loc.view.state !== "running") {
      throw new AppError(
        "WORKSPACE_NOT_RUNNING",
        `Workspace ${loc.view.id} is ${loc.view.state}.`,
        "Start the workspace first.",
      );
    }
    return loc;
  }

  async exec(
    id: string,
    req: InternalExecRequest,
    signal?: AbortSignal,
    onChunk?: (kind: 1 | 2, chunk: Buffer) => void,
    onStdin?: (write: (text: string) => void) => void,
  ): Promise<ExecResult> {
    const { engine, container } = await this.running(id);
    try {
      return await runExec(container, req, signal, onChunk, onStdin);
    } catch (err) {
      throw fromDockerError(err, engine.ref, "exec");
    }
  }
}

export function createWorkspaceService(
  hosts: Hosts,
  policy: WorkspacePolicy = { allowHostNetwork: false },
): WorkspaceService {
  return new WorkspaceService(new Engines(hosts), policy);
}
