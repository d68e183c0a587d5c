/**
 * Interactive TTY exec in a workspace: terminal bytes both ways, resize, the exit code at
 * the end, and a hangup for terminals closed without `exit`. Docker sends no SIGHUP when
 * the attach connection goes away (a shell in the middle of `sleep` would live on), so the
 * shell first reports its pid — with a TTY it leads its own session — and hangup signals
 * every process of that session through /proc (no pkill needed in the image).
 */
import type Docker from "dockerode";
import { signalSession, waitExitCode } from "./exec";

/** bash when the image has it (python/node/go/java images do), else sh (busybox, alpine). */
export const DEFAULT_SHELL = ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi"];

const MARK = "\u001e";
const WRAPPER = `printf '${MARK}%s${MARK}' $$; exec "$@"`;
export interface TtyOptions {
  cmd?: string[];
  cols: number;
  rows: number;
  env?: Record<string, string>;
  /** Where the shell starts; the image's own working directory when left out. */
  workingDir?: string;
}

export interface TtySession {
  execId: string;
  write(data: Buffer): void;
  onData(cb: (chunk: Buffer) => void): void;
  resize(cols: number, rows: number): Promise<void>;
  /**
   * Resolves true once the wrapper shell ran (it printed its pid), false when it never did —
   * typically an image without `sh`, where Docker answers with its own error text instead.
   */
  started(): Promise<boolean>;
  /** Resolves once the stream has ended: the process's exit code. */
  exitCode(): Promise<number | null>;
  /** The terminal went away: SIGHUP (then SIGKILL) to the whole session, close the stream. */
  hangup(): Promise<void>;
}

export async function openTty(container: Docker.Container, opts: TtyOptions): Promise<TtySession> {
  const env = { TERM: "xterm-256color", ...(opts.env ?? {}) };
  const exec = await container.exec({
    Cmd: ["sh", "-c", WRAPPER, "sh", ...(opts.cmd ?? DEFAULT_SHELL)],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    ...(opts.workingDir !== undefined ? { WorkingDir: opts.workingDir } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as NodeJS.ReadWriteStream & {
    destroy(): void;
  };
  const resize = async (cols: number, rows: number) => {
    try {
      await exec.resize({ h: rows, w: cols });
    } catch {
      // the process may have exited between the client's resize and ours
    }
  };
  await resize(opts.cols, opts.rows);

  let sid: number | undefined;
  let markStarted: (ok: boolean) => void = () => undefined;
  const started = new Promise<boolean>((r) => (markStarted = r));
  let head = "";
  let listener: ((chunk: Buffer) => void) | undefined;
  const early: Buffer[] = [];
  const deliver = (b: Buffer) => {
    if (b.length === 0) return;
    if (listener) listener(b);
    else early.push(b);
  };
  stream.on("data", (chunk: Buffer) => {
    if (sid !== undefined) return deliver(chunk);
    head += chunk.toString("latin1");
    const m = new RegExp(`^${MARK}(\\d+)${MARK}`).exec(head);
    if (m) {
      sid = Number(m[1]);
      markStarted(true);
      deliver(Buffer.from(head.slice(m[0].length), "latin1"));
      head = "";
    } else if (!head.startsWith(MARK) || head.length > 32) {
      sid = -1; // no marker (the wrapper failed): pass everything through
      markStarted(false);
      deliver(Buffer.from(head, "latin1"));
      head = "";
    }
  });
  const ended = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  let done = false;
  void ended.then(() => {
    done = true;
    markStarted(sid !== undefined && sid > 0);
  });

  return {
    execId: exec.id,
    write: (b) => void stream.write(b),
    onData(cb) {
      listener = cb;
      for (const b of early.splice(0)) cb(b);
    },
    resize,
    started: () => started,
    exitCode: async () => {
      await ended;
      return waitExitCode(exec).catch(() => null);
    },
    async hangup() {
      if (!done && sid !== undefined && sid > 0) {
        await signalSession(container, sid, "HUP");
        const t = setTimeout(() => void signalSession(container, sid!, "KILL"), 2_000);
        await Promise.race([ended, new Promise((r) => setTimeout(r, 3_000))]);
        clearTimeout(t);
      }
      stream.destroy();
    },
  };
}
