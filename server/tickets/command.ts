/**
 * Runs one command for an agent: inside the ticket's Docker workspace when one is attached,
 * else on this machine in the ticket's folder (only after the user confirmed it — the caller's
 * job). Locally it is `sh -c` in its own process group: no output for `idleMs` (120 s) or
 * `hardMs` (600 s) in all, or the run's signal, kills the whole group. Output is kept bounded
 * (the tail, which is where failures are).
 */
import { spawn } from "node:child_process";
import type { WorkspaceService } from "../workspaces/service";
import { AppError } from "../errors";
import { TICKET_EXEC_HOME } from "./exec-user";

export interface CommandOutcome {
  exitCode: number | null;
  /** stdout+stderr interleaved, the last `maxChars`. */
  output: string;
  truncated: boolean;
  /** Why it was killed, when it was. */
  killed?: "idle" | "timeout" | "cancelled";
}

export interface CommandOptions {
  cwd: string;
  signal: AbortSignal;
  idleMs?: number;
  hardMs?: number;
  maxChars?: number;
  env?: Record<string, string>;
}

export const COMMAND_IDLE_MS = 120_000;
export const COMMAND_HARD_MS = 600_000;
const KILL_GRACE_MS = 2_000;

/** A run's command limits (its budgets), as CommandOptions. */
export function commandLimits(b: { commandIdleMs?: number; commandMaxMs?: number }): {
  idleMs: number;
  hardMs: number;
} {
  return { idleMs: b.commandIdleMs ?? COMMAND_IDLE_MS, hardMs: b.commandMaxMs ?? COMMAND_HARD_MS };
}

class Tail {
  text = "";
  truncated = false;
  constructor(private readonly max: number) {}
  add(s: string): void {
    this.text += s;
    if (this.text.length > this.max * 2) this.cut();
  }
  cut(): string {
    if (this.text.length > this.max) {
      this.text = this.text.slice(-this.max);
      this.truncated = true;
    }
    return this.text;
  }
}

/** Process groups still running: they go down with the backend. */
const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const g of liveGroups) {
    try {
      process.kill(-g, "SIGKILL");
    } catch {
      /* gone */
    }
  }
});

export function runLocalCommand(command: string, opts: CommandOptions): Promise<CommandOutcome> {
  const tail = new Tail(opts.maxChars ?? 16_384);
  const child = spawn("sh", ["-c", command], {
    cwd: opts.cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", CI: "1", ...opts.env },
  });
  const pgid = child.pid;
  if (pgid !== undefined) liveGroups.add(pgid);
  let killed: CommandOutcome["killed"];
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (pgid !== undefined) process.kill(-pgid, sig);
    } catch {
      /* already gone */
    }
  };
  const kill = (why: NonNullable<CommandOutcome["killed"]>) => {
    if (killed) return;
    killed = why;
    signalGroup("SIGTERM");
    setTimeout(() => signalGroup("SIGKILL"), KILL_GRACE_MS).unref();
  };
  const idleMs = opts.idleMs ?? COMMAND_IDLE_MS;
  let idle = setTimeout(() => kill("idle"), idleMs);
  const hard = setTimeout(() => kill("timeout"), opts.hardMs ?? COMMAND_HARD_MS);
  const onAbort = () => kill("cancelled");
  opts.signal.addEventListener("abort", onAbort, { once: true });
  if (opts.signal.aborted) onAbort();
  const onData = (b: Buffer) => {
    tail.add(b.toString("utf8"));
    clearTimeout(idle);
    idle = setTimeout(() => kill("idle"), idleMs);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  return new Promise((resolve) => {
    const finish = (exitCode: number | null) => {
      clearTimeout(idle);
      clearTimeout(hard);
      opts.signal.removeEventListener("abort", onAbort);
      if (pgid !== undefined) liveGroups.delete(pgid);
      // Background children of the command go with it.
      signalGroup("SIGKILL");
      resolve({ exitCode, output: tail.cut(), truncated: tail.truncated, ...(killed ? { killed } : {}) });
    };
    child.on("error", (e) => {
      tail.add(`${e.message}\n`);
      finish(127);
    });
    child.on("close", (code) => finish(code));
  });
}

/**
 * The same inside the ticket's workspace container (`sh -c` in the mounted repository). Docker
 * has no exec kill: runExec (server/workspaces/exec.ts) signals the command's whole session
 * inside the container — TERM, then KILL — on the hard limit or an abort; the idle limit here
 * aborts it the same way.
 */
export async function runWorkspaceCommand(
  ws: WorkspaceService,
  workspace: { id: string; user?: string | undefined },
  command: string,
  opts: CommandOptions,
): Promise<CommandOutcome> {
  const tail = new Tail(opts.maxChars ?? 16_384);
  const stop = new AbortController();
  let killed: CommandOutcome["killed"];
  const end = (why: NonNullable<CommandOutcome["killed"]>) => {
    killed ??= why;
    stop.abort();
  };
  const idleMs = opts.idleMs ?? COMMAND_IDLE_MS;
  let idle = setTimeout(() => end("idle"), idleMs);
  const onAbort = () => end("cancelled");
  opts.signal.addEventListener("abort", onAbort, { once: true });
  if (opts.signal.aborted) onAbort();
  try {
    // As the backend's user (exec-user.ts), so what the command writes into the clone stays the user's.
    const user = workspace.user;
    const r = await ws.exec(
      workspace.id,
      {
        cmd: user ? ["sh", "-c", `mkdir -p "$HOME" 2>/dev/null\n${command}`] : ["sh", "-c", command],
        cwd: opts.cwd,
        timeoutMs: opts.hardMs ?? COMMAND_HARD_MS,
        env: { GIT_TERMINAL_PROMPT: "0", CI: "1", ...(user ? { HOME: TICKET_EXEC_HOME } : {}), ...opts.env },
        ...(user ? { user } : {}),
      },
      stop.signal,
      (_k, b) => {
        tail.add(b.toString("utf8"));
        clearTimeout(idle);
        idle = setTimeout(() => end("idle"), idleMs);
      },
    );
    return {
      exitCode: r.exitCode,
      output: tail.cut(),
      truncated: tail.truncated,
      ...(r.timedOut ? { killed: "timeout" as const } : {}),
    };
  } catch (e) {
    // runExec ends an aborted command with CANCELLED once the session is gone.
    if (killed && e instanceof AppError && e.code === "CANCELLED")
      return { exitCode: null, output: tail.cut(), truncated: tail.truncated, killed };
    throw e;
  } finally {
    clearTimeout(idle);
    opts.signal.removeEventListener("abort", onAbort);
  }
}
