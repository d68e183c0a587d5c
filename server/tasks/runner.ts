/**
 * One way to run a shell command line on any task target, streamed, killable as a whole:
 *   local     — `sh -c` spawned detached (its own process group); kill = TERM then KILL to -pgid
 *   host      — the host layer (`SshPool.exec`), whose cancel ends the remote process group
 *   workspace — a workspace exec, whose cancel signals the exec's session in the container
 * A command on this machine or an SSH host keeps stdin open (so `read x` waits, and a hung
 * command can be sent input); a workspace exec has no stdin.
 */
import { spawn } from "node:child_process";
import type { TaskTarget } from "../api/tasks";
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
  /** Undefined when the target cannot take input while the command runs. */
  input?: (text: string) => void;
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

function runRemote(exec: (signal: AbortSignal) => Promise<RunOutcome>, input?: (text: string) => void): Running {
  const ac = new AbortController();
  const done = exec(ac.signal).catch((e: unknown): RunOutcome => {
    const code = e instanceof AppError ? e.code : "INTERNAL";
    if (code === "CANCELLED" || code === "HOST_COMMAND_TIMEOUT") return { exitCode: null, signal: "KILL" };
    throw e;
  });
  return { done, kill: () => ac.abort(), ...(input ? { input } : {}) };
}

export function startCommand(deps: TargetDeps, target: TaskTarget, command: string, opts: RunOptions): Running {
  if (target.kind === "local") return runLocal(command, opts);
  const out = (b: Buffer) => opts.onOutput(b.toString("utf8"));
  if (target.kind === "host") {
    // Input typed before the command has started on the host waits for it.
    let write: ((d: string) => void) | undefined;
    const early: string[] = [];
    return runRemote(
      async (signal) => {
        const { pool } = await deps.hosts();
        const r = await pool.exec(target.hostId, ["sh", "-c", command], {
          signal,
          timeoutMs: opts.timeoutMs,
          onStdout: out,
          onStderr: out,
          maxOutputBytes: 64 * 1024,
          keepStdinOpen: true,
          onStarted: (w) => {
            write = w;
            for (const t of early.splice(0)) w(t);
            opts.onStarted?.();
          },
        });
        return { exitCode: r.exitCode, ...(r.signal ? { signal: r.signal } : {}) };
      },
      (text) => (write ? write(text) : early.push(text)),
    );
  }
  opts.onStarted?.();
  return runRemote(async (signal) => {
    const ws = await deps.workspaces();
    const r = await ws.exec(
      target.workspaceId,
      { cmd: ["sh", "-c", command], timeoutMs: opts.timeoutMs },
      signal,
      (_k, b) => out(b),
    );
    return r.timedOut ? { exitCode: null, signal: "KILL" } : { exitCode: r.exitCode };
  });
}
