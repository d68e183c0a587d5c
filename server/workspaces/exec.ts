/**
 * One command inside a workspace: stdout, stderr and the exit code, with a timeout and
 * cancellation. Docker has no "kill exec" call, so the command runs under a tiny sh
 * wrapper that first reports its pid on stderr (a marker we strip) and then `exec`s the
 * command; a timeout or cancel signals that pid's session with a second exec.
 */
import { once } from "node:events";
import { PassThrough, Writable } from "node:stream";
import type Docker from "dockerode";
import type DockerModem from "docker-modem";
import type { ExecRequest, ExecResult } from "../api/workspaces";
import { AppError } from "../errors";

const MAX_OUTPUT = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
const MARK = "\u001e";
const WRAPPER = `printf '${MARK}%s${MARK}' $$ >&2; exec "$@"`;

/** A Writable that hands each chunk to `fn` as it is written (demuxStream's outputs). */
function sink(fn: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      fn(chunk);
      cb();
    },
  });
}

/**
 * Splits Docker's multiplexed (non-TTY) stream with dockerode's own demultiplexer;
 * `onChunk` gets 1 for stdout, 2 for stderr, in order, as the frames arrive.
 */
export function demuxDocker(
  modem: DockerModem,
  stream: NodeJS.ReadableStream,
  onChunk: (kind: 1 | 2, chunk: Buffer) => void,
): void {
  modem.demuxStream(
    stream,
    sink((c) => onChunk(1, c)),
    sink((c) => onChunk(2, c)),
  );
}

/** The same for a whole buffer (a finished log); resolves once every frame was handed on. */
export async function demuxDockerBuffer(
  modem: DockerModem,
  buf: Buffer,
  onChunk: (kind: 1 | 2, chunk: Buffer) => void,
): Promise<void> {
  const src = new PassThrough();
  demuxDocker(modem, src, onChunk);
  const done = once(src, "end");
  src.end(buf);
  await done;
}

class Capped {
  private parts: Buffer[] = [];
  private size = 0;
  truncated = false;
  add(b: Buffer): void {
    if (this.size >= MAX_OUTPUT) {
      this.truncated = true;
      return;
    }
    const take = b.subarray(0, MAX_OUTPUT - this.size);
    if (take.length < b.length) this.truncated = true;
    this.parts.push(Buffer.from(take));
    this.size += take.length;
  }
  text(): string {
    return Buffer.concat(this.parts).toString("utf8");
  }
}

const SIGNAL_SESSION = `for p in /proc/[0-9]*; do
  read -r pid comm state ppid pgrp sid rest < "$p/stat" 2>/dev/null || continue
  [ "$sid" = "$1" ] && kill -"$2" "$pid" 2>/dev/null
done; exit 0`;

/**
 * Signals every process of a session inside the container. Docker makes each exec'd
 * process a session leader, so this reaches the command and everything it started
 * (a plain kill of the pid would leave `sh -c "sleep 30; …"`'s sleep holding the output
 * open). Uses /proc only: no pkill needed in the image.
 */
export async function signalSession(
  container: Docker.Container,
  sid: number,
  signal: "TERM" | "HUP" | "KILL",
): Promise<void> {
  try {
    const e = await container.exec({
      Cmd: ["sh", "-c", SIGNAL_SESSION, "sh", String(sid), signal],
      AttachStdout: false,
      AttachStderr: false,
    });
    await e.start({ Detach: true });
  } catch {
    // the container stopped meanwhile: nothing left to signal
  }
}

export async function waitExitCode(exec: Docker.Exec): Promise<number | null> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

/**
 * An exec as the backend's own callers may ask for it: also `user` (Docker's exec `User`,
 * `uid:gid`), never settable through the HTTP route (its schema does not have it).
 */
export interface InternalExecRequest extends ExecRequest {
  user?: string;
}

/**
 * `onChunk` sees every chunk as it arrives (before the cap), for callers that stream (host tasks).
 * `onStdin`, when given, keeps the command's stdin open while it runs (so `read x` waits) and
 * receives the writer once the command has started; stdin is closed when the command ends.
 * It excludes `req.stdin` (a fixed input written and closed at once).
 */
export async function runExec(
  container: Docker.Container,
  req: InternalExecRequest,
  signal?: AbortSignal,
  onChunk?: (kind: 1 | 2, chunk: Buffer) => void,
  onStdin?: (write: (text: string) => void) => void,
): Promise<ExecResult> {
  const started = Date.now();
  const env = Object.entries(req.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const withStdin = req.stdin !== undefined || onStdin !== undefined;
  const exec = await container.exec({
    Cmd: ["sh", "-c", WRAPPER, "sh", ...req.cmd],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: withStdin,
    Tty: false,
    WorkingDir: req.cwd ?? "/workspace",
    ...(env.length > 0 ? { Env: env } : {}),
    ...(req.user ? { User: req.user } : {}),
  });
  const stream = (await exec.start({ hijack: true, stdin: withStdin })) as NodeJS.ReadWriteStream & {
    destroy?: () => void;
  };
  const out = new Capped();
  const err = new Capped();
  let pid: number | undefined;
  let markerBuf = "";
  let markerDone = false;
  const onStderr = (chunk: Buffer): void => {
    if (markerDone) {
      onChunk?.(2, chunk);
      return err.add(chunk);
    }
    markerBuf += chunk.toString("latin1");
    const m = new RegExp(`^${MARK}(\\d+)${MARK}`).exec(markerBuf);
    if (m) {
      pid = Number(m[1]);
      markerDone = true;
      const rest = Buffer.from(markerBuf.slice(m[0].length), "latin1");
      if (rest.length > 0) {
        onChunk?.(2, rest);
        err.add(rest);
      }
    } else if (!markerBuf.startsWith(MARK) || markerBuf.length > 32) {
      markerDone = true; // no marker (e.g. the wrapper itself failed): keep everything
      onChunk?.(2, Buffer.from(markerBuf, "latin1"));
      err.add(Buffer.from(markerBuf, "latin1"));
    }
  };
  // Docker's multiplexed stream (8-byte frame headers) split by dockerode's own demultiplexer.
  (container.modem as DockerModem).demuxStream(
    stream,
    sink((c) => {
      onChunk?.(1, c);
      out.add(c);
    }),
    sink(onStderr),
  );
  if (req.stdin !== undefined) {
    stream.write(req.stdin);
    stream.end();
  } else if (onStdin) {
    stream.on("error", () => undefined); // a write racing the command's end
    let open = true;
    stream.on("end", () => (open = false));
    stream.on("close", () => (open = false));
    onStdin((text) => {
      if (open) stream.write(text);
    });
  }

  let timedOut = false;
  let cancelled = false;
  const ended = new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
    stream.on("error", reject);
  });
  const killTree = async () => {
    if (pid === undefined) return;
    await signalSession(container, pid, "TERM");
    const t = setTimeout(() => void signalSession(container, pid!, "KILL"), 2_000);
    await ended.catch(() => undefined);
    clearTimeout(t);
  };
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => {
    timedOut = true;
    void killTree();
  }, timeoutMs);
  const onAbort = () => {
    cancelled = true;
    void killTree();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await ended;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    // Docker ends only its side of a hijacked exec; our side (stdin) would keep the socket open.
    if (onStdin && req.stdin === undefined) stream.destroy?.();
  }
  if (cancelled) throw new AppError("CANCELLED", "The command was cancelled.");
  const exitCode = timedOut ? null : await waitExitCode(exec);
  return {
    exitCode,
    stdout: out.text(),
    stderr: err.text(),
    timedOut,
    durationMs: Date.now() - started,
    truncated: out.truncated || err.truncated,
  };
}
