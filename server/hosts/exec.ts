/**
 * One remote command with an argv. The remote side runs `echo $$; exec <quoted argv>`: sshd
 * starts every non-pty session in a new session (setsid), so the shell's pid — which `exec`
 * hands to the command — is the id of a process group holding the command and all its
 * children. Cancel and timeout send TERM to that group over a second (control) channel, then
 * KILL once the grace period is over. Closing the channel alone would leave the process
 * running (no pty, no SIGHUP) — the integration test checks the remote process table.
 */
import type { ClientChannel } from "ssh2";
import { AppError } from "../errors";
import type { PooledConnection } from "./connection";
import { lost } from "./connection";
import { quoteArgv } from "./quote";
import type { ExecOptions, ExecResult } from "./types";

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
const MAX_PID_LINE = 32;

/** Errors thrown before the command reached the host (safe to retry on a new connection). */
export const notStarted = new WeakSet<object>();

/** A failed command (timeout, cancel, connection lost) with what it printed so far. */
export class HostCommandError extends AppError {
  constructor(
    base: AppError,
    readonly partial: ExecResult,
  ) {
    super(base.code, base.message, base.hint);
  }
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;
  constructor(
    private readonly max: number,
    private readonly listener?: (b: Buffer) => void,
  ) {}
  push(b: Buffer): void {
    this.listener?.(b);
    const room = this.max - this.kept;
    if (b.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = b.length > room ? b.subarray(0, room) : b;
    this.chunks.push(part);
    this.kept += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** Remote script for the control channel: TERM the group, wait, KILL what is left. */
export function terminateScript(pgid: number, graceMs: number): string {
  const ticks = Math.max(1, Math.ceil(graceMs / 100));
  // `kill -SIG -PGID`: dash's kill takes neither `--` nor `-s SIG -PGID`; this form works in dash, bash and busybox.
  return `kill -TERM -${pgid} 2>/dev/null; i=0; while kill -0 -${pgid} 2>/dev/null; do if [ $i -ge ${ticks} ]; then kill -KILL -${pgid} 2>/dev/null; exit 0; fi; sleep 0.1; i=$((i+1)); done; exit 0`;
}

export async function runOnConnection(
  conn: PooledConnection,
  argv: readonly string[],
  opts: ExecOptions & { killGraceMs: number; control: (script: string) => Promise<void> },
): Promise<ExecResult> {
  const started = Date.now();
  const command = `echo $$; ${quoteArgv(argv)}`;
  const out = new Capture(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, opts.onStdout);
  const err = new Capture(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, opts.onStderr);
  const result = (exitCode: number | null, signal: string | null): ExecResult => ({
    exitCode,
    signal,
    stdout: out.text(),
    stderr: err.text(),
    truncated: { stdout: out.truncated, stderr: err.truncated },
    durationMs: Date.now() - started,
  });

  if (opts.signal?.aborted) throw new AppError("CANCELLED", "The command was cancelled before it started.");
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeoutError = () =>
    new AppError(
      "HOST_COMMAND_TIMEOUT",
      `The command did not finish within ${timeoutMs} ms on ${conn.hostId}; it was stopped.`,
      "Raise the timeout, or make the command finish sooner.",
    );
  // The timeout covers the whole call, including a wait for a free channel.
  const waitAc = new AbortController();
  const waitTimer = setTimeout(() => waitAc.abort(), timeoutMs);
  const onOuterAbort = () => waitAc.abort();
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  let ch: ClientChannel;
  try {
    await conn.acquire(waitAc.signal);
    ch = await conn.openExec(command);
  } catch (e) {
    const err = waitAc.signal.aborted && !opts.signal?.aborted ? timeoutError() : e;
    if (typeof err === "object" && err !== null) notStarted.add(err);
    throw err;
  } finally {
    clearTimeout(waitTimer);
    opts.signal?.removeEventListener("abort", onOuterAbort);
  }

  return new Promise<ExecResult>((resolve, reject) => {
    let pid: number | undefined;
    let head = Buffer.alloc(0);
    let exit: { code: number | null; signal: string | null } | undefined;
    let stopping: AppError | undefined;
    let done = false;
    const pidWaiters: ((p: number | undefined) => void)[] = [];

    const finish = (e?: AppError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      offLost();
      for (const w of pidWaiters.splice(0)) w(undefined);
      if (e) reject(new HostCommandError(e, result(exit?.code ?? null, exit?.signal ?? null)));
      else resolve(result(exit?.code ?? null, exit?.signal ?? null));
    };

    const stop = (why: AppError) => {
      if (stopping || done) return;
      stopping = why;
      const withPid =
        pid !== undefined ? Promise.resolve(pid) : new Promise<number | undefined>((r) => pidWaiters.push(r));
      void withPid
        .then(async (p) => {
          if (p !== undefined) await opts.control(terminateScript(p, opts.killGraceMs));
        })
        .catch(() => undefined) // the connection is gone: nothing left to kill through it
        .finally(() => {
          ch.close();
          finish(why);
        });
    };

    const timer = setTimeout(() => stop(timeoutError()), Math.max(0, started + timeoutMs - Date.now()));
    const onAbort = () => stop(new AppError("CANCELLED", "The command was cancelled; it was stopped on the host."));
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    // Aborted while the channel was opening: the listener above never fires for a past abort.
    if (opts.signal?.aborted) onAbort();
    const offLost = conn.onLost(() => finish(lost(conn.hostId)));

    ch.on("data", (b: Buffer) => {
      if (pid !== undefined) return out.push(b);
      head = Buffer.concat([head, b]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > MAX_PID_LINE)
          finish(
            new AppError(
              "HOST_UNREACHABLE",
              `The remote shell on ${conn.hostId} did not start the command as expected.`,
              "Its login shell must be a POSIX shell, and must not print anything for non-interactive sessions.",
            ),
          );
        return;
      }
      const line = head.subarray(0, nl).toString("latin1").trim();
      if (!/^\d{1,10}$/.test(line))
        return finish(
          new AppError(
            "HOST_UNREACHABLE",
            `The remote shell on ${conn.hostId} printed something before the command started.`,
            "Its login shell must be a POSIX shell, and must not print anything for non-interactive sessions (check ~/.bashrc).",
          ),
        );
      pid = Number(line);
      for (const w of pidWaiters.splice(0)) w(pid);
      opts.onStarted?.((d) => {
        if (!done && !stopping && opts.keepStdinOpen && opts.stdin === undefined) ch.write(d);
      });
      if (head.length > nl + 1) out.push(head.subarray(nl + 1));
    });
    ch.stderr.on("data", (b: Buffer) => err.push(b));
    // ssh2 reports "SIGTERM"; the SSH protocol (and our contract) says "TERM"
    const noteExit = (code: number | null | undefined, signalName?: string) => {
      exit = { code: signalName ? null : (code ?? null), signal: signalName ? signalName.replace(/^SIG/, "") : null };
    };
    ch.on("exit", noteExit);
    ch.on("close", (code?: number | null, signalName?: string) => {
      // A fast command's exit-status can arrive before this listener exists (the channel opened
      // in an earlier tick; seen through jump hosts): ssh2 repeats it as close's arguments.
      if (!exit && (typeof code === "number" || signalName)) noteExit(code, signalName);
      if (stopping) return; // stop() finishes once the group is gone
      if (!exit) return finish(lost(conn.hostId));
      finish();
    });
    if (opts.stdin !== undefined) ch.end(opts.stdin);
    else if (!opts.keepStdinOpen) ch.end();
  });
}
