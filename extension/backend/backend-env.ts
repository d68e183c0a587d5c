/**
 * `aicockpit.*` settings + the API key → the backend's environment (server/config/env.ts).
 * Pure, so the mapping is unit-tested. An incomplete provider is left out rather than
 * passed on: the backend refuses to start on an incomplete provider, and a running
 * backend that says "no AI service configured" is the better first-run experience.
 */
import { isHttpUrl } from "../../common/url";
import { PROVIDER_KINDS, type ProviderKind } from "../../server/api/providers";
import { LOCAL_MODEL_ENV } from "../../server/api/local-model";

/** aicockpit.local.* (the embedded model). */
export interface LocalModelSettingsValues {
  /** An absolute path to a .gguf; when set it wins over provider.model (a catalog id). */
  modelPath: string;
  /** 0 = chosen by the backend. */
  threads: number;
  contextSize: number;
  idleUnloadSeconds: number;
}

export interface AiCockpitSettings {
  kind: ProviderKind;
  baseUrl: string;
  model: string;
  azureApiVersion: string;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  httpsProxy: string;
  caFile: string;
  logLevel: "debug" | "info" | "warn" | "error";
  /** aicockpit.workspaces.allowHostNetwork (application scope): a workspace may use Docker's host network. */
  allowHostNetwork?: boolean;
  local?: LocalModelSettingsValues;
  /** aicockpit.tickets.allowLocalRepositories (application scope): tickets may clone local paths / file:// URLs. */
  allowLocalRepositories?: boolean;
}

/** The model a `local` provider runs: the GGUF path when one is set, else the catalog id in provider.model. */
export function localModelOf(settings: Pick<AiCockpitSettings, "model" | "local">): string {
  const path = settings.local?.modelPath.trim() ?? "";
  return path !== "" ? path : settings.model.trim();
}

/** Passed through from the extension host's own environment: a company mirror of the model host, or a test's stand-in. */
const FORWARDED: readonly string[] = [LOCAL_MODEL_ENV.modelBaseUrl, LOCAL_MODEL_ENV.catalog, LOCAL_MODEL_ENV.modelsDir];

const clampInt = (v: number, min: number, max: number): number | undefined =>
  Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : undefined;

export interface BackendEnvResult {
  env: NodeJS.ProcessEnv;
  /** Why the provider was left out, in words for the status tooltip. Empty when it was passed. */
  problems: string[];
}

/**
 * `inherited` is the extension host's environment. Its AICOCKPIT_* variables are dropped
 * so the backend runs with exactly what the settings say (the extension host may have
 * been started with a developer's own AICOCKPIT_LLM_* in its environment).
 */
export function backendEnv(
  settings: AiCockpitSettings,
  apiKey: string | undefined,
  dataDir: string,
  inherited: NodeJS.ProcessEnv,
): BackendEnvResult {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(inherited)) if (!k.startsWith("AICOCKPIT_") || FORWARDED.includes(k)) env[k] = v;
  // VS Code desktop's execPath is Electron; this makes it behave as plain Node (harmless for Node).
  env.ELECTRON_RUN_AS_NODE = "1";
  env.AICOCKPIT_DATA_DIR = dataDir;
  env.AICOCKPIT_LOG_LEVEL = settings.logLevel;
  // Clamped to the backend's accepted range: an out-of-range value would stop it from starting.
  const timeoutMs = Number.isFinite(settings.requestTimeoutMs) ? Math.round(settings.requestTimeoutMs) : 60_000;
  env.AICOCKPIT_LLM_TIMEOUT_MS = String(Math.min(3_600_000, Math.max(100, timeoutMs)));
  const idleMs = Number.isFinite(settings.idleTimeoutMs) ? Math.round(settings.idleTimeoutMs) : 30_000;
  env.AICOCKPIT_LLM_IDLE_TIMEOUT_MS = String(Math.min(3_600_000, Math.max(100, idleMs)));
  const proxy = settings.httpsProxy.trim();
  if (proxy !== "") {
    // The backend reads HTTPS_PROXY before https_proxy; drop the inherited lower-case one too.
    env.HTTPS_PROXY = proxy;
    delete env.https_proxy;
  }
  if (settings.allowHostNetwork === true) env.AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK = "1";
  if (settings.allowLocalRepositories === true) env.AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS = "1";
  const caFile = settings.caFile.trim();
  if (caFile !== "") env.AICOCKPIT_CA_FILE = caFile;

  const local = settings.local;
  if (local !== undefined) {
    // Clamped to the backend's accepted ranges (server/api/schemas/local-model.ts), like the timeouts above.
    const threads = clampInt(local.threads, 0, 64);
    const ctx = clampInt(local.contextSize, 256, 32768);
    const idle = clampInt(local.idleUnloadSeconds, 0, 86400);
    if (threads !== undefined) env[LOCAL_MODEL_ENV.threads] = String(threads);
    if (ctx !== undefined) env[LOCAL_MODEL_ENV.contextSize] = String(ctx);
    if (idle !== undefined) env[LOCAL_MODEL_ENV.idleUnloadSeconds] = String(idle);
  }

  const problems: string[] = [];
  const isLocal = settings.kind === "local";
  const baseUrl = isLocal ? "" : settings.baseUrl.trim();
  const model = isLocal ? localModelOf(settings) : settings.model.trim();
  if (!PROVIDER_KINDS.includes(settings.kind))
    problems.push(`Provider kind "${settings.kind}" is not one of ${PROVIDER_KINDS.join(", ")}.`);
  if (model === "")
    problems.push(
      isLocal
        ? 'No local model is chosen (setting "aicockpit.local.modelPath", or a catalog model in "aicockpit.provider.model").'
        : 'No model is set (setting "aicockpit.provider.model").',
    );
  if (baseUrl !== "" && !isHttpUrl(baseUrl)) problems.push(`Base URL "${baseUrl}" is not an http(s) URL.`);
  if (baseUrl === "" && (settings.kind === "azure" || settings.kind === "custom")) {
    problems.push(`Provider kind "${settings.kind}" needs a base URL (setting "aicockpit.provider.baseUrl").`);
  }
  if (problems.length > 0) return { env, problems };

  env.AICOCKPIT_LLM_KIND = settings.kind;
  env.AICOCKPIT_LLM_MODEL = model;
  if (baseUrl !== "") env.AICOCKPIT_LLM_BASE_URL = baseUrl;
  if (settings.kind === "azure" && settings.azureApiVersion.trim() !== "")
    env.AICOCKPIT_LLM_API_VERSION = settings.azureApiVersion.trim();
  if (apiKey !== undefined && apiKey !== "" && !isLocal) env.AICOCKPIT_LLM_API_KEY = apiKey;
  return { env, problems };
}
