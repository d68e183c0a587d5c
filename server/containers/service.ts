/**
 * Operations on any container of any host (contract: server/api/containers.ts), through
 * dockerode on the host's engine (server/workspaces/engines.ts: the local socket, or the
 * remote engine over one SSH connection running `docker system dial-stdio`).
 *
 * Read-only by default. start/stop/restart and `exec` commands that change something are
 * confirmed with the same tokens as the command gateway (bound to host, container and the
 * exact action); `exec` is judged by the shell risk assessment and `dangerous` never runs.
 */
import type Docker from "dockerode";
import { quote } from "shell-quote";
import type {
  ConfirmationRequired,
  ContainerAction,
  ContainerActionResponse,
  ContainerDetails,
  ContainerExecRequest,
  ContainerExecResponse,
  ContainerList,
  ContainerLogEvent,
  ContainerLogs,
  ContainerState,
  ContainerStats,
  ContainerSummary,
} from "../api/containers";
import { AppError } from "../errors";
import { assess } from "../shell/risk";
import type { ConfirmTokens } from "../gateway/confirm-token";
import { CONTAINER_NAME } from "../gateway/aliases";
import { CappedBuffer } from "../gateway/execute";
import type { Engine } from "../workspaces/engines";
import { fromDockerError } from "../workspaces/errors";
import { demuxDocker, demuxDockerBuffer, runExec } from "../workspaces/exec";
import type { TtyOptions, TtySession } from "../workspaces/tty";

export const MAX_LOG_BYTES = 1024 * 1024;
export const MAX_TAIL = 10_000;
const STOP_TIMEOUT_S = 10;
const EXEC_TIMEOUT_MS = 30_000;

export interface LogOptions {
  tail?: number;
  /** Unix seconds, or a duration back from now: `90s`, `10m`, `2h`, `1d`. */
  since?: string;
  timestamps?: boolean;
}

function checkName(name: string): void {
  if (!CONTAINER_NAME.test(name))
    throw new AppError("BAD_REQUEST", `${JSON.stringify(name)} is not a container name or id.`);
}

export function sinceSeconds(since: string | undefined, now = Date.now()): number | undefined {
  if (since === undefined || since === "") return undefined;
  if (/^\d{1,12}$/.test(since)) return Number(since);
  const m = /^(\d{1,7})([smhd])$/.exec(since);
  if (!m)
    throw new AppError(
      "BAD_REQUEST",
      `since must be unix seconds or a duration such as 10m (got ${JSON.stringify(since)}).`,
    );
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return Math.floor(now / 1000) - Number(m[1]) * unit;
}

function state(s: string | undefined): ContainerState {
  const known: ContainerState[] = ["running", "exited", "paused", "restarting", "created", "dead", "removing"];
  return known.includes(s as ContainerState) ? (s as ContainerState) : "dead";
}

function summaryOf(c: Docker.ContainerInfo): ContainerSummary {
  return {
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ""),
    image: c.Image,
    state: state(c.State),
    status: c.Status,
    createdAt: new Date(c.Created * 1000).toISOString(),
    ports: (c.Ports ?? []).map((p) => ({
      container: p.PrivatePort,
      protocol: p.Type,
      ...(p.IP ? { hostIp: p.IP } : {}),
      ...(p.PublicPort ? { hostPort: p.PublicPort } : {}),
    })),
    workspace: c.Labels?.["aicockpit.workspace"] === "1",
  };
}

export class ContainerService {
  constructor(
    private readonly engineFor: (host: string) => Promise<Engine>,
    private readonly tokens: ConfirmTokens,
  ) {}

  private async call<T>(host: string, what: string, op: (docker: Docker) => Promise<T>): Promise<T> {
    const engine = await this.engineFor(host);
    try {
      return await op(engine.docker);
    } catch (err) {
      const e = err as { statusCode?: number };
      if (e.statusCode === 404)
        throw new AppError(
          "CONTAINER_NOT_FOUND",
          `No container ${what} on ${host === "local" ? "this machine" : host}.`,
          "List the host's containers to see their names.",
        );
      throw fromDockerError(err, engine.ref, what);
    }
  }

  async list(host: string): Promise<ContainerList> {
    const cs = await this.call(host, "list", (d) => d.listContainers({ all: true }));
    return { host, containers: cs.map(summaryOf).sort((a, b) => a.name.localeCompare(b.name)) };
  }

  private async summary(host: string, name: string): Promise<ContainerSummary> {
    const cs = await this.call(host, name, (d) => d.listContainers({ all: true, filters: { name: [`^/${name}$`] } }));
    const hit =
      cs[0] ?? (await this.call(host, name, (d) => d.listContainers({ all: true, filters: { id: [name] } })))[0];
    if (!hit)
      throw new AppError("CONTAINER_NOT_FOUND", `No container ${name} on ${host === "local" ? "this machine" : host}.`);
    return summaryOf(hit);
  }

  async inspect(host: string, name: string): Promise<ContainerDetails> {
    checkName(name);
    const i = await this.call(host, name, (d) => d.getContainer(name).inspect());
    const base = await this.summary(host, i.Name.replace(/^\//, ""));
    const zero = (t: string | undefined) => (t === undefined || t.startsWith("0001-01-01") ? null : t);
    return {
      ...base,
      command: [
        ...(i.Config.Entrypoint
          ? Array.isArray(i.Config.Entrypoint)
            ? i.Config.Entrypoint
            : [i.Config.Entrypoint]
          : []),
        ...(i.Config.Cmd ?? []),
      ],
      startedAt: zero(i.State.StartedAt),
      finishedAt: zero(i.State.FinishedAt),
      exitCode: i.State.Running ? null : i.State.ExitCode,
      restartCount: i.RestartCount ?? 0,
      health: i.State.Health?.Status ?? null,
      labels: i.Config.Labels ?? {},
      mounts: (i.Mounts ?? []).map((m) => ({
        type: m.Type,
        source: m.Source,
        destination: m.Destination,
        readOnly: !m.RW,
      })),
      restartPolicy: i.HostConfig.RestartPolicy?.Name || "no",
    };
  }

  private logParams(opts: LogOptions) {
    const tail = Math.min(Math.max(opts.tail ?? 100, 0), MAX_TAIL);
    const since = sinceSeconds(opts.since);
    return {
      stdout: true,
      stderr: true,
      tail,
      timestamps: opts.timestamps === true,
      ...(since !== undefined ? { since } : {}),
    };
  }

  async logs(host: string, name: string, opts: LogOptions): Promise<ContainerLogs> {
    checkName(name);
    const params = this.logParams(opts);
    const tty = await this.call(host, name, async (d) => (await d.getContainer(name).inspect()).Config.Tty);
    const { raw, modem } = await this.call(host, name, async (d) => ({
      raw: await d.getContainer(name).logs({ ...params, follow: false }),
      modem: d.modem,
    }));
    const out = new CappedBuffer(MAX_LOG_BYTES);
    const err = new CappedBuffer(MAX_LOG_BYTES);
    if (tty) out.add(raw);
    else await demuxDockerBuffer(modem, raw, (kind, chunk) => (kind === 1 ? out : err).add(chunk));
    return { stdout: out.text(), stderr: err.text(), truncated: out.truncated || err.truncated };
  }

  /** Follows the log until the client goes away (signal) or the container stops. */
  async *follow(host: string, name: string, opts: LogOptions, signal: AbortSignal): AsyncGenerator<ContainerLogEvent> {
    checkName(name);
    const params = this.logParams(opts);
    const tty = await this.call(host, name, async (d) => (await d.getContainer(name).inspect()).Config.Tty);
    const { stream, modem } = await this.call(host, name, async (d) => ({
      stream: (await d.getContainer(name).logs({ ...params, follow: true })) as unknown as NodeJS.ReadableStream & {
        destroy(): void;
      },
      modem: d.modem,
    }));
    const queue: ContainerLogEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const push = (e: ContainerLogEvent) => {
      queue.push(e);
      wake?.();
    };
    if (tty) stream.on("data", (c: Buffer) => push({ type: "stdout", text: c.toString("utf8") }));
    else
      demuxDocker(modem, stream, (kind, chunk) =>
        push({ type: kind === 1 ? "stdout" : "stderr", text: chunk.toString("utf8") }),
      );
    const end = () => {
      ended = true;
      wake?.();
    };
    stream.on("end", end);
    stream.on("close", end);
    stream.on("error", end);
    const stop = () => {
      stream.destroy();
      end();
    };
    signal.addEventListener("abort", stop, { once: true });
    try {
      for (;;) {
        for (let e = queue.shift(); e !== undefined; e = queue.shift()) yield e;
        if (ended || signal.aborted) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      signal.removeEventListener("abort", stop);
      stream.destroy();
    }
  }

  async stats(host: string, name: string): Promise<ContainerStats> {
    checkName(name);
    const s = (await this.call(host, name, (d) =>
      d.getContainer(name).stats({ stream: false }),
    )) as Docker.ContainerStats;
    const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats.cpu_usage?.total_usage ?? 0);
    const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
    const cpus = s.cpu_stats.online_cpus ?? s.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
    const nets = Object.values(s.networks ?? {});
    return {
      cpuPercent: sysDelta > 0 && cpuDelta > 0 ? Math.round((cpuDelta / sysDelta) * cpus * 100 * 100) / 100 : 0,
      memoryBytes: s.memory_stats.usage ?? 0,
      memoryLimitBytes: s.memory_stats.limit ?? 0,
      pids: s.pids_stats?.current ?? 0,
      networkRxBytes: nets.reduce((n, x) => n + x.rx_bytes, 0),
      networkTxBytes: nets.reduce((n, x) => n + x.tx_bytes, 0),
      readAt: s.read,
    };
  }

  private confirmation(
    host: string,
    name: string,
    purpose: string,
    argv: string[],
    reasons: string[],
    extra: Partial<ConfirmationRequired> = {},
  ): ConfirmationRequired {
    return {
      status: "confirmation_required",
      confirmToken: this.tokens.sign({ host, container: name, purpose, argv }),
      command: quote(argv),
      reasons,
      ...extra,
    };
  }

  private redeem(token: string, host: string, name: string, purpose: string, argv: string[]): void {
    const r = this.tokens.redeem(token, { host, container: name, purpose });
    if (!r.ok) throw new AppError("CONFIRM_TOKEN_REJECTED", r.reason, "Ask again to get a new confirmation.");
    if (quote(r.binding.argv) !== quote(argv))
      throw new AppError(
        "CONFIRM_TOKEN_REJECTED",
        "The confirm token was issued for another command.",
        "Ask again to get a new confirmation.",
      );
  }

  async action(
    host: string,
    name: string,
    action: ContainerAction,
    confirmToken: string | undefined,
  ): Promise<ContainerActionResponse> {
    checkName(name);
    const argv = ["docker", action, name];
    const purpose = `containers.${action}`;
    if (confirmToken === undefined) {
      await this.summary(host, name); // a confirmation for a container that does not exist helps nobody
      return this.confirmation(host, name, purpose, argv, [
        `\`docker ${action}\` changes the state of ${name}${host === "local" ? "" : ` on ${host}`}.`,
      ]);
    }
    this.redeem(confirmToken, host, name, purpose, argv);
    await this.call(host, name, async (d) => {
      const c = d.getContainer(name);
      try {
        if (action === "start") await c.start();
        else if (action === "stop") await c.stop({ t: STOP_TIMEOUT_S });
        else await c.restart({ t: STOP_TIMEOUT_S });
      } catch (err) {
        // 304: already in that state — the user's wish holds.
        if ((err as { statusCode?: number }).statusCode !== 304) throw err;
      }
    });
    return { status: "done", container: await this.summary(host, name) };
  }

  async exec(
    host: string,
    name: string,
    req: ContainerExecRequest,
    signal: AbortSignal,
  ): Promise<ContainerExecResponse> {
    checkName(name);
    const a = assess(quote(req.cmd));
    if (a.risk === "dangerous") return { status: "refused", risk: a.risk, reasons: a.reasons };
    const argv = ["docker", "exec", name, ...req.cmd];
    if (a.risk === "review") {
      if (req.confirmToken === undefined)
        return this.confirmation(host, name, "containers.exec", argv, a.reasons, { risk: a.risk });
      this.redeem(req.confirmToken, host, name, "containers.exec", argv);
    }
    const engine = await this.engineFor(host);
    const container = engine.docker.getContainer(name);
    try {
      const r = await runExec(
        container,
        { cmd: req.cmd, cwd: "/", timeoutMs: req.timeoutMs ?? EXEC_TIMEOUT_MS },
        signal,
      );
      return {
        status: "done",
        risk: a.risk,
        exitCode: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr,
        timedOut: r.timedOut,
        truncated: r.truncated,
        durationMs: r.durationMs,
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404)
        throw new AppError(
          "CONTAINER_NOT_FOUND",
          `No container ${name} on ${host === "local" ? "this machine" : host}.`,
        );
      throw fromDockerError(err, engine.ref, "exec");
    }
  }

  /**
   * An interactive shell in any container (the Remote Hosts view's Open Terminal): the same
   * TTY as a workspace terminal, on the host's engine, starting in the image's working directory.
   */
  async tty(host: string, name: string, opts: TtyOptions): Promise<TtySession> {
    checkName(name);
    const { openTty } = await import("../workspaces/tty.js");
    return this.call(host, name, async (d) => {
      const c = d.getContainer(name);
      const running = (await c.inspect()).State.Running;
      if (!running)
        throw new AppError(
          "WORKSPACE_NOT_RUNNING",
          `${name} is not running.`,
          "Start the container, then open the terminal again.",
        );
      return openTty(c, opts);
    });
  }
}
