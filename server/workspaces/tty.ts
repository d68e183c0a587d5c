/** Interactive TTY exec in a workspace: a raw duplex stream, resize, and the exit code at the end. */
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { waitExitCode } from "./exec";

/** bash when the image has it (python/node/go/java images do), else sh (busybox, alpine). */
export const DEFAULT_SHELL = ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi"];

export interface TtyOptions {
  cmd?: string[];
  cols: number;
  rows: number;
  env?: Record<string, string>;
}

export interface TtySession {
  execId: string;
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves once the stream has ended: the process's exit code. */
  exitCode(): Promise<number | null>;
}

export async function openTty(container: Docker.Container, opts: TtyOptions): Promise<TtySession> {
  const env = { TERM: "xterm-256color", ...(opts.env ?? {}) };
  const exec = await container.exec({
    Cmd: opts.cmd ?? DEFAULT_SHELL,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    WorkingDir: "/workspace",
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  const resize = async (cols: number, rows: number) => {
    try {
      await exec.resize({ h: rows, w: cols });
    } catch {
      // the process may have exited between the client's resize and ours
    }
  };
  await resize(opts.cols, opts.rows);
  const ended = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  return {
    execId: exec.id,
    stream,
    resize,
    exitCode: async () => {
      await ended;
      return waitExitCode(exec).catch(() => null);
    },
  };
}
