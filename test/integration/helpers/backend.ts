/**
 * Spawns the real backend (`node dist/server.js`) for integration tests: builds the bundle
 * when it is missing or older than server/, starts it with a clean environment (nothing of
 * the runner's proxies or keys leaks in), waits for the ready line, and stops it.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";

export const ROOT = resolve(__dirname, "../../..");
export const SERVER_JS = join(ROOT, "dist/server.js");
const READY_PREFIX = "AICOCKPIT_READY ";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

let built: Promise<void> | undefined;

/** Builds only the server bundle (same options as esbuild.config.mjs) when stale. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    let stale: boolean;
    try {
      // The server bundle is built from server/ and common/, with options (and the version) from these files.
      const inputs = [
        newestMtime(join(ROOT, "server")),
        newestMtime(join(ROOT, "common")),
        statSync(join(ROOT, "esbuild.config.mjs")).mtimeMs,
        statSync(join(ROOT, "scripts/server-bundle.mjs")).mtimeMs,
        statSync(join(ROOT, "package.json")).mtimeMs,
      ];
      stale = statSync(SERVER_JS).mtimeMs < Math.max(...inputs);
    } catch {
      stale = true;
    }
    if (!stale && process.env.AICOCKPIT_TEST_REBUILD !== "1") return;
    // The same options as `npm run build`, from the one place they are defined.
    await new Promise<void>((resolveBuild, reject) => {
      execFile(process.execPath, ["esbuild.config.mjs", "--only=server"], { cwd: ROOT }, (err, _out, stderr) =>
        err ? reject(new Error(`building dist/server.js failed: ${stderr}`)) : resolveBuild(),
      );
    });
  })();
  return built;
}

export function randomToken(): string {
  return `tok_${randomBytes(24).toString("hex")}`;
}

export function tempDir(prefix = "aicockpit-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface BackendOptions {
  env?: Record<string, string>;
  token?: string;
  dataDir?: string;
  readyTimeoutMs?: number;
  /** Another build of the backend (e.g. the one inside a packaged .vsix); default dist/server.js. */
  serverJs?: string;
}

export interface Backend {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Authenticated JSON call; returns status and parsed body. */
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "SYSTEMROOT"]) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface ExitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** For config tests: runs the backend expecting it to exit on its own. */
export async function runUntilExit(env: Record<string, string>, timeoutMs = 10_000): Promise<ExitResult> {
  await ensureBuilt();
  const child = spawn(process.execPath, [SERVER_JS], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolvePromise, reject) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`backend did not exit within ${timeoutMs} ms; stdout=${stdout} stderr=${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export async function startBackend(opts: BackendOptions = {}): Promise<Backend> {
  await ensureBuilt();
  const token = opts.token ?? randomToken();
  const dataDir = opts.dataDir ?? tempDir();
  const child = spawn(process.execPath, [opts.serverJs ?? SERVER_JS], {
    env: cleanEnv({
      AICOCKPIT_TOKEN: token,
      AICOCKPIT_PORT: "0",
      AICOCKPIT_DATA_DIR: dataDir,
      AICOCKPIT_LOG_LEVEL: "debug",
      ...opts.env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, signal) => r({ code, signal })),
  );

  const port = await new Promise<number>((resolvePort, reject) => {
    const t = setTimeout(
      () => reject(new Error(`backend not ready within ${opts.readyTimeoutMs ?? 10_000} ms; stderr:\n${stderr}`)),
      opts.readyTimeoutMs ?? 10_000,
    );
    child.stdout!.on("data", (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split("\n").find((l) => l.startsWith(READY_PREFIX));
      if (line) {
        clearTimeout(t);
        resolvePort((JSON.parse(line.slice(READY_PREFIX.length)) as { port: number }).port);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(t);
      reject(new Error(`backend exited (${code}) before ready; stderr:\n${stderr}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    token,
    dataDir,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* non-JSON bodies (e.g. /metrics) stay text */
      }
      return { status: res.status, body: parsed as T };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(t);
    },
    exited,
  };
}

/** Env for the default provider pointing at a scripted AI. */
export function providerEnv(aiUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AICOCKPIT_LLM_KIND: "custom",
    AICOCKPIT_LLM_BASE_URL: `${aiUrl}/v1`,
    AICOCKPIT_LLM_MODEL: "gpt-4o-mini",
    ...extra,
  };
}
