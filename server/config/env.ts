/**
 * Backend configuration, read once from the environment. Anything invalid stops the
 * process before it listens, with one line per problem (see main.ts).
 */
import { isHttpUrl } from "../../common/url";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { PROVIDER_KINDS, type ProviderKind } from "../api/providers";
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_STREAM_BYTES } from "../llm/limits";

export interface DefaultProviderEnv {
  kind: ProviderKind;
  baseUrl?: string;
  apiKey?: string;
  model: string;
  apiVersion?: string;
}

export interface ServerConfig {
  port: number;
  token: string;
  dataDir: string;
  /** Exact Origin header values that may call the API (browsers send Origin; our extension does not). */
  allowedOrigins: string[];
  maxBodyBytes: number;
  defaultProvider?: DefaultProviderEnv;
  requestTimeoutMs: number;
  /** Longest gap between two streamed events once a stream has started (AICOCKPIT_LLM_IDLE_TIMEOUT_MS). */
  llmIdleTimeoutMs: number;
  /** Largest non-streamed answer read from an AI service (AICOCKPIT_LLM_MAX_RESPONSE_BYTES). */
  llmMaxResponseBytes: number;
  /** Largest streamed answer, in wire bytes (AICOCKPIT_LLM_MAX_STREAM_BYTES). */
  llmMaxStreamBytes: number;
  /** PEM file with extra CA certificates for AI services behind a corporate TLS proxy. */
  caFile?: string;
  /** HTTPS proxy for outbound AI traffic (HTTPS_PROXY / https_proxy); NO_PROXY honoured. */
  httpsProxy?: string;
  noProxy?: string;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Workspaces may use Docker's `host` network (AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK; off by default). */
  allowHostNetwork: boolean;
  /** Loopback ports probed for local model servers (AICOCKPIT_DISCOVER_PORTS); default DEFAULT_DISCOVER_PORTS. */
  discoverPorts?: number[];
  local: LocalModelConfig;
  /** Finished host tasks kept in history (AICOCKPIT_TASKS_KEEP, default 200); older logs are deleted. */
  tasksKeep: number;
  /** Command gateway (server/gateway/). */
  gateway: {
    /** Per command (AICOCKPIT_GATEWAY_TIMEOUT_MS, default 30 000). */
    timeoutMs: number;
    /** How long a confirm token stays valid (AICOCKPIT_GATEWAY_CONFIRM_TTL_MS, default 120 000). */
    confirmTtlMs: number;
    /** Container aliases as a JSON object (AICOCKPIT_GATEWAY_ALIASES), on top of <dataDir>/gateway-aliases.json. */
    aliasesJson?: string;
  };
  /** Ticket agents (server/tickets/). */
  tickets: {
    /** Where ticket clones live (AICOCKPIT_TICKETS_ROOT, default <dataDir>/ticket-repos). */
    root: string;
    /** Local paths and file:// URLs as repositories (AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS; off by default). */
    allowLocalRepos: boolean;
    /** GitHub REST API base for pull requests (AICOCKPIT_GITHUB_API_URL, default https://api.github.com). */
    forgeApiUrl: string;
    /** uid:gid the commands in a ticket's workspace run as (AICOCKPIT_TICKETS_EXEC_USER; default: the backend's, see tickets/exec-user.ts). */
    execUser?: string;
  };
}

/** The embedded local model (server/local-model/; names in server/api/local-model.ts LOCAL_MODEL_ENV). */
export interface LocalModelConfig {
  /** 0 = chosen from the machine (see local-model/threads.ts). */
  threads: number;
  contextSize: number;
  idleUnloadSeconds: number;
  modelsDir: string;
  /** The model host catalog paths are joined to. */
  modelBaseUrl: string;
  /** A catalog file replacing the built-in list. */
  catalogFile?: string;
}

export const DEFAULT_MODEL_BASE_URL = "https://huggingface.co";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

type Env = Record<string, string | undefined>;

function intIn(env: Env, name: string, dflt: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return dflt;
  if (!/^\d+$/.test(raw.trim())) {
    problems.push(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
    return dflt;
  }
  const n = Number(raw);
  if (n < min || n > max) problems.push(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

export function loadConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];

  const token = env.AICOCKPIT_TOKEN ?? "";
  if (token === "") problems.push("AICOCKPIT_TOKEN is required (the bearer token clients must send)");
  else if (token.length < 16) problems.push("AICOCKPIT_TOKEN must be at least 16 characters");

  const port = intIn(env, "AICOCKPIT_PORT", 0, 0, 65535, problems);
  const maxBodyBytes = intIn(env, "AICOCKPIT_MAX_BODY_BYTES", 4 * 1024 * 1024, 1024, 64 * 1024 * 1024, problems);
  const requestTimeoutMs = intIn(env, "AICOCKPIT_LLM_TIMEOUT_MS", 60_000, 100, 3_600_000, problems);
  const llmIdleTimeoutMs = intIn(
    env,
    "AICOCKPIT_LLM_IDLE_TIMEOUT_MS",
    DEFAULT_IDLE_TIMEOUT_MS,
    100,
    3_600_000,
    problems,
  );
  const llmMaxResponseBytes = intIn(
    env,
    "AICOCKPIT_LLM_MAX_RESPONSE_BYTES",
    DEFAULT_MAX_RESPONSE_BYTES,
    64 * 1024,
    256 * 1024 * 1024,
    problems,
  );
  const llmMaxStreamBytes = intIn(
    env,
    "AICOCKPIT_LLM_MAX_STREAM_BYTES",
    DEFAULT_MAX_STREAM_BYTES,
    64 * 1024,
    1024 * 1024 * 1024,
    problems,
  );

  const gatewayTimeoutMs = intIn(env, "AICOCKPIT_GATEWAY_TIMEOUT_MS", 30_000, 100, 3_600_000, problems);
  const confirmTtlMs = intIn(env, "AICOCKPIT_GATEWAY_CONFIRM_TTL_MS", 120_000, 100, 3_600_000, problems);
  const tasksKeep = intIn(env, "AICOCKPIT_TASKS_KEEP", 200, 1, 100_000, problems);
  const aliasesJson = env.AICOCKPIT_GATEWAY_ALIASES?.trim() || undefined;
  if (aliasesJson !== undefined) {
    let ok: boolean;
    try {
      const v = JSON.parse(aliasesJson) as unknown;
      ok = typeof v === "object" && v !== null && !Array.isArray(v);
    } catch {
      ok = false;
    }
    if (!ok)
      problems.push('AICOCKPIT_GATEWAY_ALIASES must be a JSON object such as {"market predictor":"market-predictor"}');
  }

  const allowedOrigins = (env.AICOCKPIT_ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

  const logLevel = (env.AICOCKPIT_LOG_LEVEL ?? "info") as ServerConfig["logLevel"];
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    problems.push(`AICOCKPIT_LOG_LEVEL must be one of debug, info, warn, error (got "${logLevel}")`);
  }

  let defaultProvider: DefaultProviderEnv | undefined;
  const baseUrl = env.AICOCKPIT_LLM_BASE_URL?.trim() || undefined;
  const model = env.AICOCKPIT_LLM_MODEL?.trim() || undefined;
  const kindRaw = env.AICOCKPIT_LLM_KIND?.trim() || undefined;
  if (baseUrl !== undefined || model !== undefined || kindRaw !== undefined) {
    const kind = (kindRaw ?? (baseUrl === undefined ? "openai" : "custom")) as ProviderKind;
    if (!PROVIDER_KINDS.includes(kind)) {
      problems.push(`AICOCKPIT_LLM_KIND must be one of ${PROVIDER_KINDS.join(", ")} (got "${kindRaw}")`);
    }
    if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
      problems.push(`AICOCKPIT_LLM_BASE_URL must be an http(s) URL (got "${baseUrl}")`);
    }
    if (kind === "local" && baseUrl !== undefined) {
      problems.push("AICOCKPIT_LLM_BASE_URL is not used with AICOCKPIT_LLM_KIND=local (the model runs in the backend)");
    }
    if ((kind === "custom" || kind === "azure") && baseUrl === undefined) {
      problems.push(`AICOCKPIT_LLM_BASE_URL is required for provider kind "${kind}"`);
    }
    if (model === undefined)
      problems.push(
        kind === "local"
          ? "AICOCKPIT_LLM_MODEL is required with AICOCKPIT_LLM_KIND=local: a path to a .gguf file or a catalog id"
          : "AICOCKPIT_LLM_MODEL is required when a default AI provider is configured",
      );
    defaultProvider = {
      kind,
      model: model ?? "",
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      ...(env.AICOCKPIT_LLM_API_KEY ? { apiKey: env.AICOCKPIT_LLM_API_KEY } : {}),
      ...(env.AICOCKPIT_LLM_API_VERSION ? { apiVersion: env.AICOCKPIT_LLM_API_VERSION } : {}),
    };
  }

  const hostNetRaw = (env.AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK ?? "").trim().toLowerCase();
  if (!["", "0", "1", "false", "true"].includes(hostNetRaw)) {
    problems.push(
      `AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK must be 1/true or 0/false (got "${env.AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK}")`,
    );
  }
  const allowHostNetwork = hostNetRaw === "1" || hostNetRaw === "true";

  let discoverPorts: number[] | undefined;
  const portsRaw = env.AICOCKPIT_DISCOVER_PORTS?.trim();
  if (portsRaw !== undefined && portsRaw !== "") {
    const parts = portsRaw.split(",").map((s) => s.trim());
    if (parts.length > 16 || !parts.every((s) => /^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65535))
      problems.push(`AICOCKPIT_DISCOVER_PORTS must be up to 16 comma-separated ports (got "${portsRaw}")`);
    else discoverPorts = parts.map(Number);
  }
  const localRaw = (env.AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS ?? "").trim().toLowerCase();
  if (!["", "0", "1", "false", "true"].includes(localRaw))
    problems.push(`AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS must be 1/true or 0/false (got "${localRaw}")`);
  const forgeApiUrl = env.AICOCKPIT_GITHUB_API_URL?.trim() || "https://api.github.com";
  if (!isHttpUrl(forgeApiUrl)) problems.push(`AICOCKPIT_GITHUB_API_URL must be an http(s) URL (got "${forgeApiUrl}")`);
  const execUser = env.AICOCKPIT_TICKETS_EXEC_USER?.trim() || undefined;
  if (execUser !== undefined && !/^\d{1,10}:\d{1,10}$/.test(execUser))
    problems.push(`AICOCKPIT_TICKETS_EXEC_USER must be <uid>:<gid> in digits, such as 1000:1000 (got "${execUser}")`);
  const ticketsRoot = env.AICOCKPIT_TICKETS_ROOT?.trim() || undefined;
  if (ticketsRoot !== undefined && !isAbsolute(ticketsRoot))
    problems.push(`AICOCKPIT_TICKETS_ROOT must be an absolute path (got "${ticketsRoot}")`);

  const httpsProxy = env.HTTPS_PROXY || env.https_proxy || undefined;
  if (httpsProxy !== undefined && !isHttpUrl(httpsProxy))
    problems.push(`HTTPS_PROXY must be an http(s) URL (got "${httpsProxy}")`);

  const dataDir = env.AICOCKPIT_DATA_DIR?.trim() || join(homedir(), ".aicockpit");
  const modelBaseUrl = (env.AICOCKPIT_LOCAL_MODEL_BASE_URL?.trim() || DEFAULT_MODEL_BASE_URL).replace(/\/+$/, "");
  if (!isHttpUrl(modelBaseUrl))
    problems.push(`AICOCKPIT_LOCAL_MODEL_BASE_URL must be an http(s) URL (got "${modelBaseUrl}")`);
  const catalogFile = env.AICOCKPIT_LOCAL_MODEL_CATALOG?.trim() || undefined;
  const local: LocalModelConfig = {
    threads: intIn(env, "AICOCKPIT_LOCAL_THREADS", 0, 0, 64, problems),
    contextSize: intIn(env, "AICOCKPIT_LOCAL_CONTEXT_SIZE", 4096, 256, 32768, problems),
    idleUnloadSeconds: intIn(env, "AICOCKPIT_LOCAL_IDLE_UNLOAD_SECONDS", 600, 0, 86400, problems),
    modelsDir: env.AICOCKPIT_LOCAL_MODELS_DIR?.trim() || join(dataDir, "models"),
    modelBaseUrl,
    ...(catalogFile ? { catalogFile } : {}),
  };

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    token,
    dataDir,
    allowedOrigins,
    local,
    maxBodyBytes,
    requestTimeoutMs,
    llmIdleTimeoutMs,
    llmMaxResponseBytes,
    llmMaxStreamBytes,
    logLevel,
    allowHostNetwork,
    ...(discoverPorts ? { discoverPorts } : {}),
    tasksKeep,
    gateway: { timeoutMs: gatewayTimeoutMs, confirmTtlMs, ...(aliasesJson ? { aliasesJson } : {}) },
    tickets: {
      root: ticketsRoot ?? join(dataDir, "ticket-repos"),
      allowLocalRepos: localRaw === "1" || localRaw === "true",
      forgeApiUrl: forgeApiUrl.replace(/\/+$/, ""),
      ...(execUser ? { execUser } : {}),
    },
    ...(defaultProvider ? { defaultProvider } : {}),
    ...(env.AICOCKPIT_CA_FILE ? { caFile: env.AICOCKPIT_CA_FILE } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(env.NO_PROXY || env.no_proxy ? { noProxy: env.NO_PROXY || env.no_proxy } : {}),
  };
}
