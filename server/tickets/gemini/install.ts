/**
 * Where the pinned Gemini CLI comes from: a `gemini` on PATH when it is exactly the pinned
 * version, else the copy in AiCockpit's cache folder (`<cache>/gemini-cli-<version>`, the
 * same folder `scripts/install-deps.sh` fills for CI), installed there on demand with npm.
 * It is never bundled in the .vsix nor a dependency of the extension (~100 MB).
 *
 * We run the CLI's own JS entry with our Node (`process.execPath`) rather than its shebang,
 * so a wrong `node` earlier on the user's PATH cannot break it.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { AppError } from "../../errors";

/** Pinned: stream-json's shape and the hidden `--fake-responses-non-strict` flag (tests) are checked against it. */
export const GEMINI_CLI_PACKAGE = "@google/gemini-cli";
export const GEMINI_CLI_VERSION = "0.61.0";

const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface GeminiCli {
  /** The CLI's JS entry (`…/@google/gemini-cli/bundle/gemini.js`), run with our Node. */
  entry: string;
  source: "path" | "cache";
}

type Env = Record<string, string | undefined>;

/** Same rule as scripts/lib.sh: AICOCKPIT_CACHE, else ~/.cache/aicockpit. */
export function cacheDir(env: Env = process.env): string {
  return env.AICOCKPIT_CACHE?.trim() || join(homedir(), ".cache", "aicockpit");
}

export function cachedCliDir(env: Env = process.env): string {
  return join(cacheDir(env), `gemini-cli-${GEMINI_CLI_VERSION}`);
}

function entryIn(packageDir: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      name?: unknown;
      version?: unknown;
      bin?: unknown;
    };
    if (pkg.name !== GEMINI_CLI_PACKAGE || pkg.version !== GEMINI_CLI_VERSION) return undefined;
    const bin =
      typeof pkg.bin === "object" && pkg.bin !== null ? (pkg.bin as Record<string, unknown>).gemini : undefined;
    const entry = join(packageDir, typeof bin === "string" ? bin : "bundle/gemini.js");
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** A `gemini` on PATH whose package is exactly the pinned version (its bin is a symlink into the package). */
function onPath(env: Env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const bin = join(dir, "gemini");
    if (!existsSync(bin)) continue;
    try {
      const real = realpathSync(bin); // …/@google/gemini-cli/bundle/gemini.js
      const found = entryIn(dirname(dirname(real)));
      if (found) return found;
    } catch {
      /* dangling link */
    }
  }
  return undefined;
}

export function findGeminiCli(env: Env = process.env): GeminiCli | undefined {
  const path = onPath(env);
  if (path) return { entry: path, source: "path" };
  const cached = entryIn(join(cachedCliDir(env), "node_modules", ...GEMINI_CLI_PACKAGE.split("/")));
  return cached ? { entry: cached, source: "cache" } : undefined;
}

let installing: Promise<GeminiCli> | undefined;

/** The CLI, installed into the cache first when neither PATH nor the cache has it. One install at a time. */
export async function ensureGeminiCli(env: Env = process.env, signal?: AbortSignal): Promise<GeminiCli> {
  const found = findGeminiCli(env);
  if (found) return found;
  installing ??= install(env, signal).finally(() => {
    installing = undefined;
  });
  return installing;
}

async function install(env: Env, signal?: AbortSignal): Promise<GeminiCli> {
  const dir = cachedCliDir(env);
  const staging = `${dir}.partial.${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, "package.json"), '{"name":"aicockpit-gemini-cli","private":true}\n');
  // --ignore-scripts: the CLI is one prebuilt bundle; its optional native addons (a pty, a
  // keychain) are not used headless, and no install script of a dependency runs here.
  const args = ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"];
  const out = await runNpm([...args, `${GEMINI_CLI_PACKAGE}@${GEMINI_CLI_VERSION}`], staging, env, signal);
  if (out.code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new AppError(
      "AGENT_UNAVAILABLE",
      `Installing the Gemini CLI ${GEMINI_CLI_VERSION} failed (npm exit ${out.code ?? "signal"}): ${out.tail}`,
      `Install it yourself: npm install -g ${GEMINI_CLI_PACKAGE}@${GEMINI_CLI_VERSION}, or check the npm registry and proxy settings.`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  const cli = findGeminiCli(env);
  if (!cli)
    throw new AppError("AGENT_UNAVAILABLE", `The Gemini CLI was installed into ${dir} but its entry is missing.`);
  return cli;
}

function runNpm(
  args: string[],
  cwd: string,
  env: Env,
  signal?: AbortSignal,
): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, {
      cwd,
      env: { ...env, npm_config_update_notifier: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      signal,
      timeout: INSTALL_TIMEOUT_MS,
    });
    let tail = "";
    const keep = (b: Buffer) => {
      tail = (tail + b.toString("utf8")).slice(-2_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT")
        reject(
          new AppError(
            "AGENT_UNAVAILABLE",
            "The Gemini CLI is not installed and npm is not on PATH to install it.",
            `Install Node.js with npm, or run: npm install -g ${GEMINI_CLI_PACKAGE}@${GEMINI_CLI_VERSION}`,
          ),
        );
      else resolve({ code: null, tail: e.message });
    });
    child.on("close", (code) => resolve({ code, tail: tail.trim().split("\n").slice(-3).join(" ") }));
  });
}
