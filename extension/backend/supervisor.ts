/**
 * Keeps one backend process alive: spawn with a fresh token, wait for its ready line,
 * restart with exponential backoff when it dies, stop it with SIGTERM then SIGKILL.
 * Alive means answering, not just running: `/health` is polled while the backend is ready,
 * and one that misses several checks in a row (hung, stopped, stuck in a loop) is killed
 * and restarted like a crashed one, with a reason that says so.
 *
 * No `vscode` import on purpose: the supervisor is driven by unit tests against the real
 * backend process, and the extension wires its logger and events to VS Code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { READY_LINE_PREFIX, type ReadyLine } from "../../server/api/routes";

export interface SupervisorLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** One line the backend wrote to stderr (its log). */
  backend(line: string): void;
}

/** Where a running backend can be reached. */
export interface BackendConnection {
  port: number;
  token: string;
  pid: number;
  baseUrl: string;
}

export type SupervisorEvent =
  | { type: "starting"; attempt: number }
  | { type: "spawned"; pid: number }
  | { type: "ready"; connection: BackendConnection }
  /** The process ended without being asked to. `beforeReady`: it never printed its ready line. */
  | {
      type: "exited";
      pid: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      beforeReady: boolean;
      reason: string;
    }
  | { type: "restarting"; delayMs: number; attempt: number; reason: string }
  /** Restarting cannot help (config error, or too many failures in a row); `reason` is for the user. */
  | { type: "failed"; reason: string }
  | { type: "stopped" };

export interface SupervisorOptions {
  command: string;
  args: string[];
  /** The environment for the next spawn (read again on every spawn, so settings changes apply). */
  env: () => Promise<NodeJS.ProcessEnv>;
  cwd?: string;
  logger: SupervisorLogger;
  readyTimeoutMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A backend that stayed up this long after ready resets the backoff. */
  stableAfterMs?: number;
  /** Consecutive failures (no stable run in between) before giving up. */
  maxConsecutiveFailures?: number;
  stopGraceMs?: number;
  /** How often `/health` is polled while the backend is ready (default 10 s). */
  healthIntervalMs?: number;
  /** A check without an answer within this long counts as missed (default 3 s). */
  healthTimeoutMs?: number;
  /** Missed checks in a row that mean "hung": the backend is killed and restarted (default 2). */
  healthMissesBeforeRestart?: number;
}

/** server/main.ts exits with 2 on a ConfigError: the same env will fail again, so do not retry. */
const CONFIG_ERROR_EXIT_CODE = 2;
const STDERR_TAIL_LINES = 20;
const STDIO_DRAIN_MS = 1_000;

type Phase = "idle" | "starting" | "ready" | "waiting" | "stopping" | "failed";

export class BackendSupervisor {
  private readonly listeners = new Set<(e: SupervisorEvent) => void>();
  private readonly opts: Required<Omit<SupervisorOptions, "cwd">> & { cwd?: string };
  private phase: Phase = "idle";
  private child: ChildProcess | undefined;
  private connection: BackendConnection | undefined;
  private failures = 0;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readyTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  /** Bumped on every spawn and stop so callbacks of an older child are ignored. */
  private generation = 0;
  private ops: Promise<void> = Promise.resolve();

  constructor(options: SupervisorOptions) {
    this.opts = {
      readyTimeoutMs: 15_000,
      initialBackoffMs: 1_000,
      maxBackoffMs: 30_000,
      stableAfterMs: 30_000,
      maxConsecutiveFailures: 6,
      stopGraceMs: 3_000,
      healthIntervalMs: 10_000,
      healthTimeoutMs: 3_000,
      healthMissesBeforeRestart: 2,
      ...options,
    };
  }

  onEvent(listener: (e: SupervisorEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The connection of the backend that is ready now, if any. */
  current(): BackendConnection | undefined {
    return this.phase === "ready" ? this.connection : undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the backend unless it is already starting or running. */
  start(): Promise<void> {
    return this.serial(async () => {
      if (this.phase === "starting" || this.phase === "ready" || this.phase === "waiting") return;
      this.failures = 0;
      await this.spawnOnce();
    });
  }

  /** Stops and starts again with a fresh token and env; resets the backoff. */
  restart(): Promise<void> {
    return this.serial(async () => {
      await this.stopNow();
      this.failures = 0;
      await this.spawnOnce();
    });
  }

  /** SIGTERM, then SIGKILL after the grace period. Resolves when the process is gone. */
  stop(): Promise<void> {
    return this.serial(() => this.stopNow());
  }

  /** start/stop/restart run one at a time (a settings change may race a click on Restart). */
  private serial(op: () => Promise<void>): Promise<void> {
    const next = this.ops.then(op);
    this.ops = next.catch(() => undefined);
    return next;
  }

  private async stopNow(): Promise<void> {
    this.clearTimers();
    this.generation++;
    const child = this.child;
    const wasRunning = child?.pid !== undefined && child.exitCode === null && child.signalCode === null;
    this.phase = "stopping";
    this.connection = undefined;
    if (wasRunning) {
      const exited = new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.once("close", () => resolve());
      });
      child.kill("SIGTERM");
      const killer = setTimeout(() => {
        this.opts.logger.warn(
          `backend pid ${child.pid ?? "?"} ignored SIGTERM for ${this.opts.stopGraceMs} ms; sending SIGKILL`,
        );
        child.kill("SIGKILL");
      }, this.opts.stopGraceMs);
      await exited;
      clearTimeout(killer);
    }
    this.child = undefined;
    this.phase = "idle";
    this.emit({ type: "stopped" });
  }

  private async spawnOnce(): Promise<void> {
    this.clearTimers();
    const gen = ++this.generation;
    this.phase = "starting";
    this.attempt++;
    this.emit({ type: "starting", attempt: this.attempt });

    let env: NodeJS.ProcessEnv;
    try {
      env = await this.opts.env();
    } catch (err) {
      this.fail(`could not prepare the backend environment: ${String(err)}`);
      return;
    }
    if (gen !== this.generation) return; // stopped or restarted while the env was read

    const token = randomBytes(32).toString("hex");
    const child = spawn(this.opts.command, this.opts.args, {
      cwd: this.opts.cwd,
      env: {
        ...env,
        AICOCKPIT_TOKEN: token,
        AICOCKPIT_PORT: "0",
        AICOCKPIT_EXIT_ON_STDIN_CLOSE: "1",
      },
      // stdin stays open: when the extension host dies, the pipe closes and the backend exits.
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.child = child;
    const stderrTail: string[] = [];
    let ready = false;
    /** Set when the liveness check killed it: the exit is then explained by that, not by the signal. */
    let hungReason: string | undefined;

    child.on("error", (err) => {
      // spawn failures (ENOENT, EACCES) arrive here and are followed by 'close'.
      stderrTail.push(`cannot start ${this.opts.command}: ${err.message}`);
    });
    if (child.pid !== undefined) this.emit({ type: "spawned", pid: child.pid });

    createInterface({ input: child.stderr! }).on("line", (line) => {
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      this.opts.logger.backend(line);
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (gen !== this.generation || ready || !line.startsWith(READY_LINE_PREFIX)) return;
      const port = parseReadyLine(line);
      if (port === undefined) {
        this.opts.logger.warn(`backend printed a malformed ready line: ${line}`);
        return;
      }
      ready = true;
      clearTimeout(this.readyTimer);
      this.phase = "ready";
      this.connection = { port, token, pid: child.pid ?? -1, baseUrl: `http://127.0.0.1:${port}` };
      this.stableTimer = setTimeout(() => (this.failures = 0), this.opts.stableAfterMs);
      this.opts.logger.info(`backend ready on 127.0.0.1:${port} (pid ${child.pid ?? "?"})`);
      this.emit({ type: "ready", connection: this.connection });
      this.watchHealth(gen, child, port, (why) => (hungReason = why));
    });
    // A closed stdin pipe (child gone) must not crash the extension host.
    child.stdin?.on("error", () => undefined);

    this.readyTimer = setTimeout(() => {
      if (gen !== this.generation || ready) return;
      stderrTail.push(`backend did not print its ready line within ${this.opts.readyTimeoutMs} ms`);
      child.kill("SIGKILL");
    }, this.opts.readyTimeoutMs);

    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return;
      finished = true;
      if (gen !== this.generation) return; // an exit we asked for (stop/restart)
      this.clearTimers();
      this.child = undefined;
      this.connection = undefined;
      const reason = hungReason ?? describeExit(code, signal, stderrTail, ready);
      this.opts.logger.error(reason);
      this.emit({ type: "exited", pid: child.pid ?? -1, code, signal, beforeReady: !ready, reason });
      if (!ready && code === CONFIG_ERROR_EXIT_CODE) {
        this.fail(reason);
        return;
      }
      this.scheduleRestart(reason);
    };
    // 'close' comes after the last stderr line (needed for the failure message), but never
    // comes while a process the backend started still holds the inherited pipes: after
    // 'exit', give the pipes a moment, then go on without them.
    child.on("close", finish);
    child.on("exit", (code, signal) => setTimeout(() => finish(code, signal), STDIO_DRAIN_MS));
  }

  /**
   * Polls `/health` of the ready backend `gen`. After healthMissesBeforeRestart missed checks
   * in a row it records why and SIGKILLs the process (SIGTERM would not reach a hung event
   * loop, nor a stopped process); the exit handler then restarts it as after a crash.
   */
  private watchHealth(gen: number, child: ChildProcess, port: number, killedBecause: (why: string) => void): void {
    let misses = 0;
    const tick = () => {
      if (gen !== this.generation || this.phase !== "ready") return;
      void checkHealth(port, this.opts.healthTimeoutMs).then((problem) => {
        if (gen !== this.generation || this.phase !== "ready") return;
        if (problem === undefined) {
          misses = 0;
        } else if (++misses >= this.opts.healthMissesBeforeRestart) {
          const why = `backend stopped answering (${misses} health checks ${problem === "timeout" ? "timed out" : `failed: ${problem}`})`;
          this.opts.logger.error(`${why}; killing pid ${child.pid ?? "?"} to restart it`);
          killedBecause(why);
          child.kill("SIGKILL");
          return;
        } else {
          this.opts.logger.warn(
            `backend health check ${problem === "timeout" ? `got no answer within ${this.opts.healthTimeoutMs} ms` : `failed: ${problem}`} (${misses} in a row)`,
          );
        }
        this.healthTimer = setTimeout(tick, this.opts.healthIntervalMs);
      });
    };
    this.healthTimer = setTimeout(tick, this.opts.healthIntervalMs);
  }

  private scheduleRestart(reason: string): void {
    this.failures++;
    if (this.failures >= this.opts.maxConsecutiveFailures) {
      this.fail(`${reason} (gave up after ${this.failures} failures in a row)`);
      return;
    }
    const delayMs = Math.min(this.opts.maxBackoffMs, this.opts.initialBackoffMs * 2 ** (this.failures - 1));
    this.phase = "waiting";
    this.opts.logger.warn(`restarting the backend in ${delayMs} ms (failure ${this.failures})`);
    this.emit({ type: "restarting", delayMs, attempt: this.failures, reason });
    const gen = this.generation;
    this.restartTimer = setTimeout(() => {
      if (gen === this.generation) void this.spawnOnce();
    }, delayMs);
  }

  private fail(reason: string): void {
    this.clearTimers();
    this.phase = "failed";
    this.emit({ type: "failed", reason });
  }

  private clearTimers(): void {
    clearTimeout(this.restartTimer);
    clearTimeout(this.readyTimer);
    clearTimeout(this.stableTimer);
    clearTimeout(this.healthTimer);
  }

  private emit(e: SupervisorEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.opts.logger.error(`supervisor listener failed on ${e.type}: ${String(err)}`);
      }
    }
  }
}

/** One `GET /health`: undefined when it answered 200 in time, else "timeout" or what went wrong. */
function checkHealth(port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/health", agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `status ${res.statusCode ?? "?"}`);
    });
    // The timeout covers connect and the wait for the answer; a stopped process accepts (the
    // kernel does) but never answers.
    req.on("timeout", () => {
      resolve("timeout");
      req.destroy();
    });
    req.on("error", (err) => resolve(err.message));
    req.end();
  });
}

export function parseReadyLine(line: string): number | undefined {
  try {
    const parsed = JSON.parse(line.slice(READY_LINE_PREFIX.length)) as Partial<ReadyLine>;
    const port = parsed.port;
    return typeof port === "number" && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** One readable sentence: what happened, plus the backend's own last words when it failed to start. */
function describeExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: string[],
  ready: boolean,
): string {
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? "?"}`;
  if (ready) return `backend ${how}`;
  // Only the backend's own messages, not routine timestamped log lines, explain a failed start.
  const said = stderrTail
    .filter((l) => !/^\d{4}-\d\d-\d\dT\S+ (DEBUG|INFO) /.test(l))
    .join("\n")
    .trim();
  return said === "" ? `backend ${how} before it was ready` : `backend ${how} before it was ready: ${said}`;
}
