/** AI provider management contract (`/api/providers*`). */

/**
 * `openai`: api.openai.com (or any base URL with OpenAI auth).
 * `azure`: Azure OpenAI; `baseUrl` is the resource endpoint, `model` is the deployment name.
 * `gemini`: Google's OpenAI-compatible endpoint.
 * `custom`: any OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp); key optional.
 * `local`: the embedded model run by the backend itself (server/api/local-model.ts); `model` is a
 *   catalog id or an absolute path to a .gguf file; no base URL, no key.
 */
export type ProviderKind = "openai" | "azure" | "gemini" | "custom" | "local";

export const PROVIDER_KINDS: readonly ProviderKind[] = ["openai", "azure", "gemini", "custom", "local"];

/** What a client sends to add a provider. `apiKey` is write-only: it is never returned. */
export interface ProviderInput {
  id?: string;
  name: string;
  kind: ProviderKind;
  baseUrl?: string;
  model: string;
  apiKey?: string;
  /** Azure only: the `api-version` query parameter. */
  apiVersion?: string;
  /** Per-request timeout in ms (whole request for non-streaming; until the first streamed event for streaming). */
  timeoutMs?: number;
  /** Retries on 429/5xx/connection errors before the first token. */
  maxRetries?: number;
}

/**
 * `apiKey: ""` removes the key. On the env provider ("default") patches last until restart.
 * A key is bound to where it was entered: a patch that changes `baseUrl` or `kind` drops the
 * stored key unless it carries a new `apiKey` (see ProviderPatchResult.keyDropped).
 */
export type ProviderPatch = Partial<Omit<ProviderInput, "id">>;

/** What the backend returns: never the key itself. */
export interface ProviderView {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  model: string;
  apiVersion?: string;
  timeoutMs: number;
  maxRetries: number;
  hasApiKey: boolean;
  active: boolean;
}

/** The answer to a PATCH: the provider, and whether its key was dropped (the client asks the user again). */
export interface ProviderPatchResult extends ProviderView {
  /** true when the patch moved the provider (baseUrl or kind) and so dropped its key; hasApiKey is then false. */
  keyDropped: boolean;
}

export interface ProviderList {
  providers: ProviderView[];
  activeId: string | null;
}

export interface TestConnectionResult {
  ok: boolean;
  latencyMs: number;
  model: string;
  /** Present when ok is false. */
  error?: import("./errors").ApiError;
}

export interface ModelList {
  models: string[];
}
