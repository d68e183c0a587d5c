/**
 * How one Gemini CLI turn is started: its argv, its approval mode, and an environment built
 * from nothing (never the backend's own): its own HOME per ticket, the API key and nothing
 * else secret.
 *
 * The clone is untrusted (bytes from a git remote). `--skip-trust` makes the CLI load the
 * repository's `.gemini/` folder — settings (MCP servers, hooks, discovery commands, auto-
 * approved tools), policies and a `.gemini/.env` that may set variables such as the API base
 * URL, which would send the key elsewhere. Array settings merge by union, so no override of
 * ours can take such entries away: a repository with a `.gemini/` folder is refused instead
 * (checked before every turn, since the agent itself may have written one). Our system
 * settings file (highest precedence) also turns hooks, MCP, extensions, telemetry and
 * auto-update off, as a second fence.
 */
import { lstat, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ApiError } from "../../api/errors";
import type { AgentStep } from "../agent";

export type ApprovalMode = "default" | "plan" | "auto_edit" | "yolo";

/**
 * `answer` → default (read-only tools; writes and shell are not even registered headless),
 * `plan` → plan, editing steps → yolo only inside the ticket's workspace container (where a
 * shell command cannot reach this machine), else auto_edit (edits yes, shell never).
 */
export function approvalModeFor(step: AgentStep, insideContainer: boolean): ApprovalMode {
  if (step === "answer") return "default";
  if (step === "plan") return "plan";
  return insideContainer ? "yolo" : "auto_edit";
}

export interface LaunchOptions {
  prompt: string;
  model: string;
  approvalMode: ApprovalMode;
  sessionId: string;
  /** Resume the saved session (follow-ups) instead of starting it. */
  resume: boolean;
  /** Tests only: scripted model responses for the CLI's hidden offline mode. */
  fakeResponsesFile?: string;
}

export function cliArgs(o: LaunchOptions): string[] {
  const args = ["-p", o.prompt, "-o", "stream-json", "-m", o.model, "--skip-trust", "--approval-mode", o.approvalMode];
  args.push(o.resume ? "--resume" : "--session-id", o.sessionId);
  if (o.fakeResponsesFile) args.push("--fake-responses-non-strict", o.fakeResponsesFile);
  return args;
}

/** What the CLI may inherit from the backend: the path, locale and the network's proxy/CA settings. */
const PASSED_THROUGH = [
  "PATH",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "NO_PROXY",
  "no_proxy",
  "NODE_EXTRA_CA_CERTS",
];

export function cliEnv(opts: {
  home: string;
  systemSettings: string;
  apiKey?: string;
  inherited?: Record<string, string | undefined>;
}): Record<string, string> {
  const from = opts.inherited ?? process.env;
  const env: Record<string, string> = {};
  for (const k of PASSED_THROUGH) {
    const v = from[k];
    if (v !== undefined) env[k] = v;
  }
  env.HOME = opts.home;
  env.USERPROFILE = opts.home;
  env.GEMINI_CLI_SYSTEM_SETTINGS_PATH = opts.systemSettings;
  env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH = join(opts.home, "no-system-defaults.json");
  env.NO_COLOR = "1";
  env.TERM = "dumb";
  if (opts.apiKey) env.GEMINI_API_KEY = opts.apiKey;
  return env;
}

export const SYSTEM_SETTINGS = {
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, checkpointing: { enabled: false } },
  privacy: { usageStatisticsEnabled: false },
  telemetry: { enabled: false },
  hooksConfig: { enabled: false },
  admin: { extensions: { enabled: false }, mcp: { enabled: false }, skills: { enabled: false } },
  security: { auth: { selectedType: "gemini-api-key" } },
  advanced: { ignoreLocalEnv: true },
} as const;

/** Creates the per-ticket HOME and the system settings file; returns their paths. */
export async function prepareHome(stateDir: string): Promise<{ home: string; systemSettings: string }> {
  const home = join(stateDir, "gemini-home");
  await mkdir(home, { recursive: true, mode: 0o700 });
  const systemSettings = join(stateDir, "gemini-system-settings.json");
  await writeFile(systemSettings, JSON.stringify(SYSTEM_SETTINGS, null, 2) + "\n", { mode: 0o600 });
  return { home, systemSettings };
}

/** Refuses a clone with a `.gemini/` folder (see the top of this file). */
export async function repoConfigProblem(repoPath: string): Promise<ApiError | undefined> {
  const dir = join(repoPath, ".gemini");
  try {
    await lstat(dir);
  } catch {
    return undefined;
  }
  let names: string[] = [];
  try {
    names = (await readdir(dir)).slice(0, 5);
  } catch {
    /* a file named .gemini is refused all the same */
  }
  return {
    code: "AGENT_UNAVAILABLE",
    message:
      `This repository has a .gemini/ folder${names.length ? ` (${names.join(", ")})` : ""}: the Gemini CLI would load its ` +
      "settings, policies and environment with your API key, so AiCockpit does not run the CLI on it.",
    hint: "Use the built-in agent for this ticket, or remove .gemini/ on the ticket branch.",
  };
}

/** Whether the CLI has saved the session under this HOME (only then can `--resume` find it). */
export async function sessionSaved(home: string, sessionId: string): Promise<boolean> {
  const tmp = join(home, ".gemini", "tmp");
  const prefix = sessionId.slice(0, 8);
  let projects: string[];
  try {
    projects = await readdir(tmp);
  } catch {
    return false;
  }
  for (const p of projects) {
    try {
      const chats = await readdir(join(tmp, p, "chats"));
      if (chats.some((f) => f.startsWith("session-") && f.includes(prefix))) return true;
    } catch {
      /* no chats there */
    }
  }
  return false;
}
