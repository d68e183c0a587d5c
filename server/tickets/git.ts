/**
 * The one way the backend runs git for tickets. Every call:
 * - `-c protocol.ext.allow=never` (no `ext::` transport even if an address slipped through);
 * - `-c core.hooksPath=/dev/null`: hooks in the clone are repository content the agent can
 *   write, and must never run when we commit or push;
 * - GIT_TERMINAL_PROMPT=0 and ssh in batch mode: a missing credential fails, never waits;
 * - the forge token, when given, reaches git only as an `http.extraHeader` through
 *   GIT_CONFIG_COUNT/KEY/VALUE environment variables: not in argv (visible in `ps`), not in a
 *   URL, not in any config file; error text is scrubbed of it anyway.
 * Output is bounded; a timeout or the signal kills git.
 */
import { execFile } from "node:child_process";
import { AppError } from "../errors";

export interface GitOptions {
  cwd: string;
  token?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Extra environment (e.g. GIT_INDEX_FILE for checkpoints). */
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. 1 for `diff --quiet`). */
  okCodes?: number[];
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

const MAX_OUTPUT = 8 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** `Authorization: Basic base64(x-access-token:<token>)` — what GitHub (and GHES, Gitea, GitLab) accept over https. */
export function authHeader(token: string): string {
  return `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
}

export function gitEnv(token: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_TERMINAL_PROMPT: "0",
    GCM_INTERACTIVE: "never",
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
    LC_ALL: "C",
    ...extra,
  };
  delete env.GIT_ASKPASS;
  delete env.SSH_ASKPASS;
  if (token !== undefined) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_0 = authHeader(token);
  }
  return env;
}

export function scrub(text: string, token: string | undefined): string {
  let out = text;
  if (token) {
    out = out.split(token).join("***");
    out = out.split(Buffer.from(`x-access-token:${token}`).toString("base64")).join("***");
  }
  return out.replace(/(https?:\/\/)[^/@\s]+@/g, "$1***@");
}

export function git(args: string[], opts: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null", ...args],
      {
        cwd: opts.cwd,
        env: gitEnv(opts.token, opts.env),
        maxBuffer: MAX_OUTPUT,
        timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        killSignal: "SIGKILL",
        encoding: "utf8",
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0 });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (opts.signal?.aborted) return reject(new AppError("CANCELLED", "The git command was cancelled."));
        if (typeof e.code === "number" && opts.okCodes?.includes(e.code))
          return resolve({ stdout, stderr, code: e.code });
        if (e.code === "ENOENT")
          return reject(new AppError("TICKET_GIT_FAILED", "git is not installed.", "Install git and retry."));
        const what = args.find((a) => !a.startsWith("-")) ?? "git";
        const detail = scrub(stderr.trim() || stdout.trim() || e.message, opts.token).slice(-2_000);
        reject(new AppError("TICKET_GIT_FAILED", `git ${what} failed: ${detail}`));
      },
    );
  });
}
