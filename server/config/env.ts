/**
 * Backend configuration, read once from the environment. Anything invalid stops the
 * process before it listens, with one line per problem (see main.ts).
 */
import { isHttpUrl } from "../../common/url";
import { homedir } from "node:os";
import { join } from "node:path";
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
}

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
    if ((kind === "custom" || kind === "azure") && baseUrl === undefined) {
      problems.push(`AICOCKPIT_LLM_BASE_URL is required for provider kind "${kind}"`);
    }
    if (model === undefined) problems.push("AICOCKPIT_LLM_MODEL is required when a default AI provider is configured");
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

  const httpsProxy = env.HTTPS_PROXY || env.https_proxy || undefined;
  if (httpsProxy !== undefined && !isHttpUrl(httpsProxy))
    problems.push(`HTTPS_PROXY must be an http(s) URL (got "${httpsProxy}")`);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    token,
    dataDir: env.AICOCKPIT_DATA_DIR?.trim() || join(homedir(), ".aicockpit"),
    allowedOrigins,
    maxBodyBytes,
    requestTimeoutMs,
    llmIdleTimeoutMs,
    llmMaxResponseBytes,
    llmMaxStreamBytes,
    logLevel,
    allowHostNetwork,
    tasksKeep,
    gateway: { timeoutMs: gatewayTimeoutMs, confirmTtlMs, ...(aliasesJson ? { aliasesJson } : {}) },
    ...(defaultProvider ? { defaultProvider } : {}),
    ...(env.AICOCKPIT_CA_FILE ? { caFile: env.AICOCKPIT_CA_FILE } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(env.NO_PROXY || env.no_proxy ? { noProxy: env.NO_PROXY || env.no_proxy } : {}),
  };
}
