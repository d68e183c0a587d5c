/**
 * One way to run a shell command line on any task target, streamed, killable as a whole:
 *   local     — `sh -c` spawned detached (its own process group); kill = TERM then KILL to -pgid
 *   host      — the host layer (`SshPool.exec`), whose cancel ends the remote process group
 *   workspace — a workspace exec, whose cancel signals the exec's session in the container
 * On every target the command's stdin stays open while it runs (so `read x` waits, and a hung
 * command can be sent input); input typed before the command has started waits for it.
 */
import { spawn } from "node:child_process";
import type { TaskTarget } from "../api/tasks";
import type { CredentialsByHost } from "../api/hosts";
import type { Hosts } from "../hosts/service";
import type { WorkspaceService } from "../workspaces/service";
import { AppError } from "../errors";

export interface RunOutcome {
  exitCode: number | null;
  signal?: string;
}

export interface Running {
  done: Promise<RunOutcome>;
  kill(): void;
  /** Writes to the command's stdin (queued until the command has started). */
  input: (text: string) => void;
}

export interface RunOptions {
  onOutput: (text: string) => void;
  cwd?: string;
  /** Upper bound for one command (the task's remaining wall clock). */
  timeoutMs: number;
  /** The command is running on the target (an SSH connection may take a while before that). */
  onStarted?: () => void;
}

export interface TargetDeps {
  hosts: () => Promise<Hosts>;
  workspaces: () => Promise<WorkspaceService>;
  /** The task's SSH secrets (memory only), for when the pooled connection has to be reopened. */
  credentials?: CredentialsByHost;
}

const KILL_GRACE_MS = 2_000;

/** Local process groups still running: the backend takes them down when it exits. */
const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
});

function runLocal(command: string, opts: RunOptions): Running {
  const child = spawn("sh", ["-c", command], {
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  const decoder = (b: Buffer) => opts.onOutput(b.toString("utf8"));
  child.stdout.on("data", decoder);
  child.stderr.on("data", decoder);
  child.stdin.on("error", () => undefined); // EPIPE once the command has exited
  if (child.pid !== undefined) liveGroups.add(child.pid);
  let killed = false;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const kill = () => {
    if (killed) return;
    killed = true;
    signalGroup("SIGTERM");
    setTimeout(() => signalGroup("SIGKILL"), KILL_GRACE_MS).unref();
  };
  const timer = setTimeout(kill, opts.timeoutMs);
  opts.onStarted?.();
  const done = new Promise<RunOutcome>((resolve) => {
    child.on("error", (e) => {
      opts.onOutput(`${e.message}\n`);
      resolve({ exitCode: 127 });
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      // The group may outlive sh (a background child): it goes with the command.
      signalGroup("SIGKILL");
      resolve({ exitCode: code, ...(sig ? { signal: sig.replace(/^SIG/, "") } : {}) });
    });
  });
  return { done, kill, input: (text) => child.stdin.write(text) };
}

/**
 * `exec` runs the command and calls `started` with its stdin writer once it runs on the target;
 * input given before that is queued and written then.
 */
function runRemote(
  exec: (signal: AbortSignal, started: (write: (text: string) => void) => void) => Promise<RunOutcome>,
): Running {
  const ac = new AbortController();
  let write: ((text: string) => void) | undefined;
  const early: string[] = [];
  const done = exec(ac.signal, (w) => {
    write = w;
    for (const t of early.splice(0)) w(t);
  }).catch((e: unknown): RunOutcome => {
    const code = e instanceof AppError ? e.code : "INTERNAL";
    if (code === "CANCELLED" || code === "HOST_COMMAND_TIMEOUT") return { exitCode: null, signal: "KILL" };
    throw e;
  });
  return { done, kill: () => ac.abort(), input: (text) => (write ? write(text) : early.push(text)) };
}

export function startCommand(deps: TargetDeps, target: TaskTarget, command: string, opts: RunOptions): Running {
  if (target.kind === "local") return runLocal(command, opts);
  const out = (b: Buffer) => opts.onOutput(b.toString("utf8"));
  if (target.kind === "host") {
    return runRemote(async (signal, started) => {
      const { pool } = await deps.hosts();
      const r = await pool.exec(target.hostId, ["sh", "-c", command], {
        signal,
        timeoutMs: opts.timeoutMs,
        onStdout: out,
        onStderr: out,
        maxOutputBytes: 64 * 1024,
        keepStdinOpen: true,
        ...(deps.credentials ? { credentials: deps.credentials } : {}),
        onStarted: (w) => {
          started(w);
          opts.onStarted?.();
        },
      });
      return { exitCode: r.exitCode, ...(r.signal ? { signal: r.signal } : {}) };
    });
  }
  return runRemote(async (signal, started) => {
    const ws = await deps.workspaces();
    const r = await ws.exec(
      target.workspaceId,
      { cmd: ["sh", "-c", command], timeoutMs: opts.timeoutMs },
      signal,
      (_k, b) => out(b),
      (w) => {
        started(w);
        opts.onStarted?.();
      },
    );
    return r.timedOut ? { exitCode: null, signal: "KILL" } : { exitCode: r.exitCode };
  });
}
