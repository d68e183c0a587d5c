/**
 * Embedded local model contract (`/api/local-model/*`): a small GGUF code model run by the
 * backend itself (node-llama-cpp), for people with no AI service at all.
 *
 * How a client sets it up (the VS Code first-run prompt, Select Model, the walkthrough):
 * 1. `GET /api/local-model/catalog` → what can be downloaded: name, size, where from, FIM or not.
 *    Nothing downloads before the user has seen `name`, `sizeBytes` and `url`.
 * 2. `POST /api/local-model/download {modelId}` → an SSE stream of `LocalModelDownloadEvent`s:
 *    `start`, then `progress` (at most ~4 a second), then `done` — or `error`. Cancel = abort the
 *    request: the partial file is kept, and the next download of that model resumes it (HTTP Range).
 *    A SHA-256 mismatch is refused (`LOCAL_MODEL_CHECKSUM_MISMATCH`) and the partial file removed.
 *    A model already in the cache answers `start` (resumedFrom = size) and `done` at once.
 * 3. Make it the provider: `POST /api/providers {name, kind: "local", model: <catalog id or absolute
 *    path to a .gguf>}` then `POST /api/providers/:id/activate` — or, at spawn, the environment
 *    `AICOCKPIT_LLM_KIND=local AICOCKPIT_LLM_MODEL=<catalog id | /path/to/model.gguf>`.
 *    `baseUrl` is not used for `local` (the view shows "").
 * 4. The model loads on the first request (or `POST /api/local-model/load` to warm it), unloads
 *    after `idleUnloadSeconds` without requests and loads again on demand. `GET /api/local-model/status`
 *    says where it is; `/ready` reports it as the provider check; `/metrics` has its memory.
 *
 * Everything the other providers serve works with `local`: /api/complete (FIM with the model's own
 * FIM tokens), /api/chat, /api/edit, /api/shell/suggest, /v1/chat/completions and /v1/completions
 * (OpenAI-shaped answers generated locally, streaming or not), GET /v1/models.
 *
 * Settings (VS Code) → backend environment (set by the extension at spawn; PUT …/settings changes
 * them at runtime without a restart):
 * | setting                              | env                                  | default                 |
 * | aicockpit.provider.kind = "local"    | AICOCKPIT_LLM_KIND=local             |                         |
 * | aicockpit.local.modelPath (or model) | AICOCKPIT_LLM_MODEL=<id or path>     | (catalog default id)    |
 * | aicockpit.local.threads              | AICOCKPIT_LOCAL_THREADS              | 0 = chosen by backend   |
 * | aicockpit.local.contextSize          | AICOCKPIT_LOCAL_CONTEXT_SIZE         | 4096 (256 … 32768)      |
 * | aicockpit.local.idleUnloadSeconds    | AICOCKPIT_LOCAL_IDLE_UNLOAD_SECONDS  | 600 (0 = never unload)  |
 * | (none; where models go)              | AICOCKPIT_LOCAL_MODELS_DIR           | <data dir>/models       |
 * Test / company-mirror hooks (the extension forwards them from its own environment if set):
 * | AICOCKPIT_LOCAL_MODEL_BASE_URL  | the model host; catalog URLs are `<base>/<entry path>` (default https://huggingface.co) |
 * | AICOCKPIT_LOCAL_MODEL_CATALOG   | path to a JSON file `{ "models": LocalModelCatalogFileEntry[] }` replacing the built-in list |
 * Proxy and CA: the download honours HTTPS_PROXY / NO_PROXY / AICOCKPIT_CA_FILE like every AI request.
 */
import type { z } from "zod";
import type { ApiError } from "./errors";
import type {
  LocalModelDownloadRequestSchema,
  LocalModelLoadRequestSchema,
  LocalModelSettingsSchema,
} from "./schemas/local-model";

/** An entry as written in the catalog (built in, or AICOCKPIT_LOCAL_MODEL_CATALOG). */
export interface LocalModelCatalogFileEntry {
  /** Stable id, e.g. "qwen2.5-coder-0.5b-instruct-q8_0"; usable as `model` of a `local` provider. */
  id: string;
  /** Human name for pickers, e.g. "Qwen2.5-Coder 0.5B Instruct (Q8_0)". */
  name: string;
  /** Exact size of the file in bytes (shown before download, checked after). */
  sizeBytes: number;
  /** Path on the model host (joined to the base URL), e.g. "Qwen/…-GGUF/resolve/main/….gguf". */
  path: string;
  /** Lower-case hex SHA-256 of the file; a download that does not match is refused. */
  sha256: string;
  /** The model has fill-in-the-middle tokens (ghost text uses them). */
  fim: boolean;
  /** Why this model is in the list, one line (speed / quality / memory trade-off). */
  why: string;
}

export interface LocalModelCatalogEntry extends LocalModelCatalogFileEntry {
  /** Full download URL (base URL + path): show it to the user before downloading. */
  url: string;
  /** The file is complete in the models folder (verified when it was downloaded). */
  downloaded: boolean;
  /** Bytes of a partial download already on disk (a download resumes from here); 0 when none. */
  partialBytes: number;
  /** The catalog's suggestion for first runs. Exactly one entry has it. */
  recommended: boolean;
}

export interface LocalModelCatalog {
  models: LocalModelCatalogEntry[];
  /** The model host in use (AICOCKPIT_LOCAL_MODEL_BASE_URL or the default). */
  baseUrl: string;
  /** Where models are stored (AICOCKPIT_LOCAL_MODELS_DIR or <data dir>/models). */
  modelsDir: string;
}

/** `{ modelId }`: a catalog id. */
export type LocalModelDownloadRequest = z.infer<typeof LocalModelDownloadRequestSchema>;

export type LocalModelDownloadEvent =
  | {
      type: "start";
      modelId: string;
      url: string;
      /** Total size in bytes (from the catalog). */
      total: number;
      /** Bytes already on disk from an earlier, interrupted download (0 = from scratch). */
      resumedFrom: number;
    }
  | {
      type: "progress";
      /** Bytes on disk so far (including resumedFrom). */
      received: number;
      total: number;
      /** Average over the last few seconds. */
      bytesPerSecond: number;
    }
  | {
      type: "done";
      modelId: string;
      /** Absolute path of the verified .gguf. */
      path: string;
      sizeBytes: number;
      sha256: string;
    }
  | {
      type: "error";
      /**
       * LOCAL_MODEL_CHECKSUM_MISMATCH (partial removed), LOCAL_MODEL_DOWNLOAD_FAILED (network / HTTP
       * status; partial kept for a resume; `hint` says what to do offline: download the file elsewhere
       * and set aicockpit.local.modelPath), LOCAL_MODEL_DOWNLOAD_IN_PROGRESS, NOT_FOUND (unknown id).
       */
      error: ApiError;
    };

/**
 * `not-downloaded`: the configured catalog model is not in the models folder (or no model is set).
 * `downloading`: a download of it is running (see `download`).
 * `unloaded-idle`: the file is there but not in memory (never loaded yet, unloaded after the idle
 *   period, or unloaded on request); the next request loads it.
 * `loading` → `loaded`.
 * `failed`: see `error` — LOCAL_MODEL_UNAVAILABLE (the native module cannot load on this platform;
 *   the backend serves the other providers), LOCAL_MODEL_LOAD_FAILED (not a usable GGUF, out of
 *   memory …), LOCAL_MODEL_NOT_FOUND (the path does not exist). The next request tries again.
 */
export type LocalModelState = "not-downloaded" | "downloading" | "loading" | "loaded" | "unloaded-idle" | "failed";

export interface LocalModelMemory {
  /** The backend process' resident set size. */
  rssBytes: number;
  /** Size of the GGUF file on disk (0 when unknown). */
  fileBytes: number;
  /** Weights in memory as reported by llama.cpp (0 when not loaded). */
  modelBytes: number;
  /** Context (KV cache + compute buffers) in memory (0 when not loaded). */
  contextBytes: number;
}

export interface LocalModelStatus {
  state: LocalModelState;
  /** A `local` provider is the active provider. */
  active: boolean;
  /** The configured model: a catalog id, or null for a path / nothing. */
  modelId: string | null;
  /** Absolute path of the .gguf in use (null when none configured). */
  modelPath: string | null;
  /** Short display name for the status bar, e.g. "qwen2.5-coder-0.5b-instruct-q8_0". */
  displayName: string | null;
  /** Present when state is `failed` (and as the last error otherwise, until a success). */
  error?: ApiError;
  /** Present while downloading. */
  download?: { modelId: string; received: number; total: number; bytesPerSecond: number };
  /** Whether node-llama-cpp and its native binary load here; `reason` when not. */
  native: { available: boolean | null; reason?: string; gpu: "cuda" | "vulkan" | "metal" | false | null };
  threads: number;
  contextSize: number;
  idleUnloadSeconds: number;
  /** How long the last load took (ms). */
  loadMs?: number;
  memory: LocalModelMemory;
}

/**
 * `PUT /api/local-model/settings`, all optional (what is not given keeps its value):
 * `threads` 0 = chosen by the backend (0 … 64); `contextSize` tokens 256 … 32768, applies at the
 * next load; `idleUnloadSeconds` 0 = never unload (0 … 86400).
 */
export type LocalModelSettings = z.infer<typeof LocalModelSettingsSchema>;

/** `POST /api/local-model/load`: loads the local provider's model now; `model` (catalog id or .gguf path) only checks/loads that one instead. */
export type LocalModelLoadRequest = z.infer<typeof LocalModelLoadRequestSchema>;

/** Prometheus names in /metrics (values in bytes unless noted). */
export const LOCAL_MODEL_METRICS = {
  loaded: "aicockpit_local_model_loaded",
  memory: "aicockpit_local_model_memory_bytes",
  loadSeconds: "aicockpit_local_model_load_seconds",
  tokens: "aicockpit_local_model_tokens_total",
} as const;

/** Environment names the backend reads for the local model (see the table at the top). */
export const LOCAL_MODEL_ENV = {
  threads: "AICOCKPIT_LOCAL_THREADS",
  contextSize: "AICOCKPIT_LOCAL_CONTEXT_SIZE",
  idleUnloadSeconds: "AICOCKPIT_LOCAL_IDLE_UNLOAD_SECONDS",
  modelsDir: "AICOCKPIT_LOCAL_MODELS_DIR",
  modelBaseUrl: "AICOCKPIT_LOCAL_MODEL_BASE_URL",
  catalog: "AICOCKPIT_LOCAL_MODEL_CATALOG",
} as const;

/** VS Code settings of the local model (contributed by the extension; listed here so both sides agree). */
export const LOCAL_MODEL_SETTINGS = {
  modelPath: "aicockpit.local.modelPath",
  threads: "aicockpit.local.threads",
  contextSize: "aicockpit.local.contextSize",
  idleUnloadSeconds: "aicockpit.local.idleUnloadSeconds",
} as const;
