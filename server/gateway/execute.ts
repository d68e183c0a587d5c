/**
 * Runs a validated docker argv: on this machine with `docker` from PATH (never a shell;
 * the local engine's DOCKER_HOST), or on an SSH host through the host layer's exec
 * (`RemoteRunner`, the shape of server/hosts' `SshPool.exec`). Output is capped per
 * stream; a timeout kills the CLI's whole process group.
 *
 * Failures that are not the command's own exit come back as GatewayRunError with the
 * gateway status they mean (CONFIGURATION_ERROR, CONNECTION_ERROR, TIMEOUT).
 */
import type { CredentialsByHost } from "../api/hosts";
import { spawn } from "node:child_process";

export interface RunOptions {
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** For a remote host whose key passphrase / password the client sends; never logged. */
  credentials?: CredentialsByHost;
}

/** Same shape as server/hosts' ExecResult. */
export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  durationMs: number;
}

export interface RemoteRunner {
  exec(hostId: string, argv: readonly string[], opts: RunOptions): Promise<RunResult>;
}

export type RunFailure = "CONFIGURATION_ERROR" | "CONNECTION_ERROR" | "TIMEOUT";

export class GatewayRunError extends Error {
  constructor(
    readonly status: RunFailure,
    readonly code: string,
    message: string,
    /** What the command printed before it was stopped (timeouts). */
    readonly partial?: RunResult,
  ) {
    super(message);
  }
}

/** Keeps at most `max` bytes; the rest is counted, not stored. */
export class CappedBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  add(b: Buffer): void {
    if (this.size >= this.max) {
      if (b.length > 0) this.truncated = true;
      return;
    }
    const take = b.subarray(0, this.max - this.size);
    if (take.length < b.length) this.truncated = true;
    this.parts.push(Buffer.from(take));
    this.size += take.length;
  }
  text(): string {
    return Buffer.concat(this.parts).toString("utf8");
  }
}

const KILL_GRACE_MS = 2_000;

/** `docker …` on this machine. `env` defaults to the backend's own (DOCKER_HOST of the local engine). */
export function runLocal(
  argv: readonly string[],
  opts: RunOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  const started = performance.now();
  return new Promise<RunResult>((resolve, reject) => {
    const [program, ...args] = argv;
    if (program === undefined) throw new Error("runLocal needs a program to run"); // rejects the promise
    // Own process group, so a timeout reaches whatever the CLI started (plugins, helpers).
    const child = spawn(program, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const out = new CappedBuffer(opts.maxOutputBytes);
    const err = new CappedBuffer(opts.maxOutputBytes);
    child.stdout.on("data", (c: Buffer) => out.add(c));
    child.stderr.on("data", (c: Buffer) => err.add(c));
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = () => {
      const pid = child.pid;
      if (pid === undefined) return;
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      killGroup();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.once("error", (e: NodeJS.ErrnoException) => {
      cleanup();
      if (e.code === "ENOENT")
        reject(
          new GatewayRunError(
            "CONFIGURATION_ERROR",
            "DOCKER_CLI_MISSING",
            "The docker CLI is not installed on this machine (no `docker` on PATH).",
            undefined,
          ),
        );
      else
        reject(
          new GatewayRunError(
            "CONFIGURATION_ERROR",
            "DOCKER_CLI_FAILED",
            `The docker CLI could not be started (${e.code ?? e.message}).`,
          ),
        );
    });
    child.once("close", (code, sig) => {
      cleanup();
      const result: RunResult = {
        exitCode: code,
        signal: sig ? sig.replace(/^SIG/, "") : null,
        stdout: out.text(),
        stderr: err.text(),
        truncated: { stdout: out.truncated, stderr: err.truncated },
        durationMs: Math.round(performance.now() - started),
      };
      if (timedOut)
        reject(
          new GatewayRunError(
            "TIMEOUT",
            "TIMEOUT",
            `The command did not finish within ${opts.timeoutMs} ms and was stopped.`,
            result,
          ),
        );
      else if (cancelled)
        reject(
          new GatewayRunError(
            "CONNECTION_ERROR",
            "CANCELLED",
            "The request was cancelled and the command was stopped.",
            result,
          ),
        );
      else resolve(result);
    });
  });
}

/** The docker CLI's own words when it could not reach its engine (it exits 1 then). */
const ENGINE_UNREACHABLE =
  /^(Cannot connect to the Docker daemon|error during connect|failed to connect to the docker API)/im;

export function engineUnreachable(r: RunResult): boolean {
  return r.exitCode !== 0 && r.stdout === "" && ENGINE_UNREACHABLE.test(r.stderr.slice(0, 2_000));
}
