/**
 * `aicockpit.*` settings + the API key → the backend's environment (server/config/env.ts).
 * Pure, so the mapping is unit-tested. An incomplete provider is left out rather than
 * passed on: the backend refuses to start on an incomplete provider, and a running
 * backend that says "no AI service configured" is the better first-run experience.
 */
import { isHttpUrl } from "../../common/url";
import { PROVIDER_KINDS, type ProviderKind } from "../../server/api/providers";

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
  /** aicockpit.tickets.allowLocalRepositories (application scope): tickets may clone local paths / file:// URLs. */
  allowLocalRepositories?: boolean;
}

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
  for (const [k, v] of Object.entries(inherited)) if (!k.startsWith("AICOCKPIT_")) env[k] = v;
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

  const problems: string[] = [];
  const baseUrl = settings.baseUrl.trim();
  const model = settings.model.trim();
  if (!PROVIDER_KINDS.includes(settings.kind))
    problems.push(`Provider kind "${settings.kind}" is not one of ${PROVIDER_KINDS.join(", ")}.`);
  if (model === "") problems.push('No model is set (setting "aicockpit.provider.model").');
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
  if (apiKey !== undefined && apiKey !== "") env.AICOCKPIT_LLM_API_KEY = apiKey;
  return { env, problems };
}
