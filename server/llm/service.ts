/**
 * LlmService: the one place the backend talks to AI services. Capabilities (completion,
 * edit, chat, shell) call streamChat/chat/streamCompletion; the /v1 gateway forwards raw
 * OpenAI requests through forwardRaw/forwardJson. Every call throws AppError only.
 */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { CompletionCreateParamsBase } from "openai/resources/completions";
import type { ServerConfig } from "../config/env";
import type { Metrics } from "../metrics";
import type { ComponentCheck } from "../api/health";
import type { ProviderKind, TestConnectionResult } from "../api/providers";
import { AppError } from "../errors";
import { ClientCache, warmSdk } from "./client";
import { BadResponse, classifyUpstreamError, type ErrorContext } from "./errors";
import { ProviderRegistry, type ResolvedProvider } from "./registry";
import type { RetryPolicy } from "./retry";
import { createTransport } from "./transport";
import { LocalModels } from "../local-model/service";
import { loadNative } from "../local-model/native";
import { Upstream, assertKey, type RawChunk, type UpstreamBody, type UpstreamPath } from "./upstream";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatParams {
  messages: ChatMessage[];
  /** Defaults to the provider's configured model (for Azure: the deployment). */
  model?: string;
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  /** Defaults to the active provider. */
  providerId?: string;
}

/** Legacy /v1/completions: `prompt` (+ `suffix` for fill-in-the-middle models). */
export interface CompletionParams {
  prompt: string;
  suffix?: string;
  model?: string;
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  providerId?: string;
}

export interface ActiveProvider {
  id: string;
  kind: ProviderKind;
  model: string;
}

export type ProviderCheck = ComponentCheck & { id: string | null; model: string | null };

export interface LlmService {
  readonly registry: ProviderRegistry;
  /** The embedded model (provider kind `local`) and the /api/local-model/* routes. */
  readonly local: LocalModels;
  active(): ActiveProvider | null;
  /** Content deltas as they arrive. Retries only before the first token. */
  streamChat(params: ChatParams, signal: AbortSignal): AsyncGenerator<string>;
  chat(params: ChatParams, signal: AbortSignal): Promise<string>;
  /** Text deltas from /completions (FIM when `suffix` is set). */
  streamCompletion(params: CompletionParams, signal: AbortSignal): AsyncGenerator<string>;
  complete(params: CompletionParams, signal: AbortSignal): Promise<string>;
  /** For GET /ready: cheap (GET /models, short timeout), never throws. */
  probeActive(): Promise<ProviderCheck>;
  /** A tiny real request; never throws for upstream failures (they are in `error`). */
  testConnection(id: string): Promise<TestConnectionResult>;
  listModels(id: string, signal: AbortSignal): Promise<string[]>;
  /** Gateway: the service's stream as raw bytes (see Upstream.streamRaw); the last chunk carries [DONE]. */
  forwardRaw(
    path: UpstreamPath,
    body: Record<string, unknown>,
    providerId: string | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<RawChunk>;
  /** Gateway: non-streaming; `text` is the service's JSON body, forwarded as is. */
  forwardJson(
    path: UpstreamPath,
    body: Record<string, unknown>,
    providerId: string | undefined,
    signal: AbortSignal,
  ): Promise<{ text: string; json: Record<string, unknown> }>;
  /** Gateway: GET /models of a provider as OpenAI's list object. */
  forwardModels(providerId: string | undefined, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Loads the network stack ahead of the first request (called after the ready line). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface LlmServiceOptions {
  /** Tests shorten backoff; production uses DEFAULT_RETRY. */
  retry?: Omit<RetryPolicy, "maxRetries">;
  /** In-memory registry when omitted (unit tests). */
  dataDir?: string;
}

const PROBE_TIMEOUT_MS = 3_000;
const NO_PROVIDER_HINT =
  "Set the AI service in the AiCockpit settings (aicockpit.provider.*), or add one with POST /api/providers.";
const TEST_TIMEOUT_MS = 15_000;

/** Names a model in a /models list the way services actually spell it. */
export function modelListed(ids: string[], model: string): boolean {
  const m = model.toLowerCase();
  return ids.some((raw) => {
    const id = raw.toLowerCase().replace(/^models\//, "");
    return id === m || id === `${m}:latest` || id.endsWith(`/${m}`);
  });
}

function modelIds(json: Record<string, unknown>): string[] {
  const data = json.data;
  if (!Array.isArray(data)) throw new BadResponse("models list has no data array");
  return data.flatMap((m) =>
    typeof m === "object" && m !== null && typeof (m as { id?: unknown }).id === "string"
      ? [(m as { id: string }).id]
      : [],
  );
}

function errorCtx(p: ResolvedProvider, timeoutMs = p.timeoutMs): ErrorContext {
  return {
    providerName: p.name,
    kind: p.kind,
    model: p.model,
    baseUrl: p.baseUrl,
    hasKey: p.apiKey !== undefined,
    timeoutMs,
  };
}

function firstChoice(json: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const choices = json?.choices;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const c = choices[0] as unknown;
  return typeof c === "object" && c !== null ? (c as Record<string, unknown>) : undefined;
}

export function createLlmService(config: ServerConfig, metrics: Metrics, opts: LlmServiceOptions = {}): LlmService {
  const transport = createTransport({
    ...(config.httpsProxy ? { httpsProxy: config.httpsProxy } : {}),
    ...(config.noProxy ? { noProxy: config.noProxy } : {}),
    ...(config.caFile ? { caFile: config.caFile } : {}),
  });
  const dataDir = opts.dataDir ?? config.dataDir;
  const registry = new ProviderRegistry({
    ...(dataDir ? { dataDir } : {}),
    ...(config.defaultProvider ? { defaultProvider: config.defaultProvider } : {}),
    defaultTimeoutMs: config.requestTimeoutMs,
    defaultMaxRetries: 2,
  });
  const clients = new ClientCache();
  /** The network stack (undici, the OpenAI SDK): loaded once, in the background right after the ready line. */
  const stackLoaded = async (): Promise<void> => {
    await transport.warm();
    await warmSdk();
  };
  const local = new LocalModels(config.local, transport, metrics.registry);
  /** The local model the status route describes: the active `local` provider, else the first one. */
  const syncLocal = (): void => {
    const all = registry.list().providers.filter((p) => p.kind === "local");
    const pick = all.find((p) => p.active) ?? all[0];
    local.setProvider(pick ? { id: pick.id, model: pick.model, active: pick.active } : null);
  };
  syncLocal();
  registry.onChange((id) => {
    clients.forget(id);
    syncLocal();
  });
  const upstream = new Upstream({
    metrics,
    clients,
    transport,
    limits: {
      idleTimeoutMs: config.llmIdleTimeoutMs,
      maxResponseBytes: config.llmMaxResponseBytes,
      maxStreamBytes: config.llmMaxStreamBytes,
    },
    ...(opts.retry ? { retry: opts.retry } : {}),
  });

  function provider(id: string | undefined): ResolvedProvider {
    const pid = id ?? registry.activeId();
    if (pid === null) {
      throw new AppError("NO_PROVIDER", "No AI provider is configured.", NO_PROVIDER_HINT);
    }
    return registry.resolve(pid);
  }

  /** OpenAI's newer models refuse max_tokens; local servers only know max_tokens. */
  function tokenLimit(
    p: ResolvedProvider,
    n: number | undefined,
  ): { max_completion_tokens: number } | { max_tokens: number } | Record<string, never> {
    if (n === undefined) return {};
    return p.kind === "openai" || p.kind === "azure" ? { max_completion_tokens: n } : { max_tokens: n };
  }

  function chatBody(p: ResolvedProvider, params: ChatParams): ChatCompletionCreateParamsBase {
    return {
      model: params.model ?? p.model,
      messages: params.messages,
      ...tokenLimit(p, params.maxTokens),
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.stop && params.stop.length > 0 ? { stop: params.stop } : {}),
    };
  }

  function completionBody(p: ResolvedProvider, params: CompletionParams): CompletionCreateParamsBase {
    return {
      model: params.model ?? p.model,
      prompt: params.prompt,
      ...(params.suffix !== undefined ? { suffix: params.suffix } : {}),
      // The legacy endpoint only ever knew max_tokens.
      ...(params.maxTokens !== undefined ? { max_tokens: params.maxTokens } : {}),
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.stop && params.stop.length > 0 ? { stop: params.stop } : {}),
    };
  }

  function bad(p: ResolvedProvider): AppError {
    return classifyUpstreamError(new BadResponse("unexpected shape"), errorCtx(p)).error;
  }

  async function* deltas(
    p: ResolvedProvider,
    path: UpstreamPath,
    body: UpstreamBody,
    signal: AbortSignal,
    pick: (c: Record<string, unknown>) => unknown,
  ): AsyncGenerator<string> {
    for await (const ev of upstream.stream({ provider: p, path, body }, signal)) {
      if (ev.done) continue; // the stream ends right after; reading on keeps the socket reusable
      const c = firstChoice(ev.json);
      // Azure opens with a chunk whose choices are empty (prompt filter results).
      if (!c) continue;
      const text = pick(c);
      if (typeof text === "string" && text !== "") yield text;
    }
  }

  let probing: Promise<ProviderCheck> | undefined;
  async function probe(): Promise<ProviderCheck> {
    const id = registry.activeId();
    if (id === null) {
      return {
        ok: false,
        id: null,
        model: null,
        code: "NO_PROVIDER",
        reason: `No AI provider is configured. ${NO_PROVIDER_HINT}`,
      };
    }
    const p = registry.resolve(id);
    if (p.kind === "local") return local.probe(p);
    const base = { id: p.id, model: p.model };
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      assertKey(p);
      const timeoutMs = Math.min(PROBE_TIMEOUT_MS, p.timeoutMs);
      await stackLoaded(); // the deadline below is the AI service's, not our first-use loading's
      const { json } = await upstream.json(
        { provider: p, path: "/models", body: {}, maxRetries: 0, timeoutMs, probe: true },
        AbortSignal.timeout(timeoutMs + 1_000),
        "get",
      );
      const ids = modelIds(json);
      // Azure lists base models, not deployments, so a deployment name cannot be checked there.
      if (p.kind !== "azure" && ids.length > 0 && !modelListed(ids, p.model)) {
        const some = ids.slice(0, 5).join(", ");
        return {
          ...base,
          ok: false,
          code: "PROVIDER_MODEL_NOT_FOUND",
          latencyMs: ms(),
          reason: `"${p.name}" is reachable but does not offer model "${p.model}" (it lists ${ids.length}: ${some}${ids.length > 5 ? ", …" : ""}).`,
        };
      }
      return {
        ...base,
        ok: true,
        latencyMs: ms(),
        reason: `"${p.name}" (${p.kind}) is reachable; model "${p.model}".`,
      };
    } catch (err) {
      const e = err instanceof AppError ? err : classifyUpstreamError(err, errorCtx(p)).error;
      // Some OpenAI-compatible servers have no /models; having answered at all, they are up.
      if (e.code === "PROVIDER_ERROR" && /\(40[45]\)/.test(e.message)) {
        return {
          ...base,
          ok: true,
          latencyMs: ms(),
          reason: `"${p.name}" (${p.kind}) is reachable (it does not list models, so model "${p.model}" is unchecked).`,
        };
      }
      // The code lets clients point at the fix (set key, pick model…) without parsing prose.
      return { ...base, ok: false, code: e.code, latencyMs: ms(), reason: e.message };
    }
  }

  return {
    registry,
    local,
    active() {
      const id = registry.activeId();
      if (id === null) return null;
      const p = registry.resolve(id);
      return { id: p.id, kind: p.kind, model: p.model };
    },

    streamChat(params, signal) {
      const p = provider(params.providerId);
      if (p.kind === "local") return lazy(() => local.streamChat(p.model, params.messages, localOpts(params), signal));
      return deltas(
        p,
        "/chat/completions",
        chatBody(p, params),
        signal,
        (c) => (c.delta as { content?: unknown } | undefined)?.content,
      );
    },

    async chat(params, signal) {
      const p = provider(params.providerId);
      if (p.kind === "local") return collect(local.streamChat(p.model, params.messages, localOpts(params), signal));
      const { json } = await upstream.json(
        { provider: p, path: "/chat/completions", body: chatBody(p, params) },
        signal,
      );
      const content = (firstChoice(json)?.message as { content?: unknown } | undefined)?.content;
      if (typeof content !== "string") {
        if (content === null) return "";
        throw bad(p);
      }
      return content;
    },

    streamCompletion(params, signal) {
      const p = provider(params.providerId);
      if (p.kind === "local")
        return lazy(() => local.streamCompletion(p.model, params.prompt, params.suffix, localOpts(params), signal));
      return deltas(p, "/completions", completionBody(p, params), signal, (c) => c.text);
    },

    async complete(params, signal) {
      const p = provider(params.providerId);
      if (p.kind === "local")
        return collect(local.streamCompletion(p.model, params.prompt, params.suffix, localOpts(params), signal));
      const { json } = await upstream.json(
        { provider: p, path: "/completions", body: completionBody(p, params) },
        signal,
      );
      const text = firstChoice(json)?.text;
      if (typeof text !== "string") throw bad(p);
      return text;
    },

    probeActive() {
      // /ready may be polled by several clients; one probe at a time is plenty.
      probing ??= probe().finally(() => {
        probing = undefined;
      });
      return probing;
    },

    async testConnection(id) {
      const p = registry.resolve(id);
      const started = performance.now();
      if (p.kind === "local") {
        try {
          await local.load(p.model);
          return { ok: true, latencyMs: Math.round(performance.now() - started), model: p.model };
        } catch (err) {
          const e = err instanceof AppError ? err : new AppError("INTERNAL", String(err));
          return {
            ok: false,
            latencyMs: Math.round(performance.now() - started),
            model: p.model,
            error: e.toApiError(),
          };
        }
      }
      try {
        const timeoutMs = Math.min(TEST_TIMEOUT_MS, p.timeoutMs);
        await stackLoaded(); // the deadline below is the AI service's, not our first-use loading's
        await upstream.json(
          {
            provider: p,
            path: "/chat/completions",
            body: {
              model: p.model,
              messages: [{ role: "user", content: "Reply with the single word OK." }],
              ...tokenLimit(p, 1),
            },
            maxRetries: 0,
            timeoutMs,
          },
          AbortSignal.timeout(timeoutMs + 1_000),
        );
        return { ok: true, latencyMs: Math.round(performance.now() - started), model: p.model };
      } catch (err) {
        const e = err instanceof AppError ? err : classifyUpstreamError(err, errorCtx(p)).error;
        return { ok: false, latencyMs: Math.round(performance.now() - started), model: p.model, error: e.toApiError() };
      }
    },

    async listModels(id, signal) {
      const p = registry.resolve(id);
      if (p.kind === "local") {
        const downloaded = local.catalog().models.flatMap((m) => (m.downloaded ? [m.id] : []));
        return [...new Set([p.model, ...downloaded])];
      }
      const { json } = await upstream.json({ provider: p, path: "/models", body: {}, maxRetries: 0 }, signal, "get");
      try {
        return modelIds(json);
      } catch {
        throw bad(p);
      }
    },

    forwardRaw(path, body, providerId, signal) {
      const p = provider(providerId);
      if (p.kind === "local") {
        if (path === "/models") throw new AppError("BAD_REQUEST", "/models is not a stream.");
        return lazy(() => local.forwardRaw(path, p.model, body, signal));
      }
      return upstream.streamRaw({ provider: p, path, body: withModel(body, p) }, signal);
    },

    async forwardJson(path, body, providerId, signal) {
      const p = provider(providerId);
      if (p.kind === "local") {
        if (path === "/models") return { text: JSON.stringify(local.models(p.model)), json: local.models(p.model) };
        return local.forwardJson(path, p.model, body, signal);
      }
      return upstream.json({ provider: p, path, body: withModel(body, p) }, signal);
    },

    async forwardModels(providerId, signal) {
      const p = provider(providerId);
      if (p.kind === "local") return local.models(p.model);
      try {
        const { json } = await upstream.json({ provider: p, path: "/models", body: {}, maxRetries: 0 }, signal, "get");
        modelIds(json);
        return json;
      } catch (err) {
        // A server without /models still has the configured model: say so rather than fail.
        if (err instanceof AppError && err.code === "PROVIDER_ERROR" && /\(404\)/.test(err.message)) {
          return { object: "list", data: [{ id: p.model, object: "model", created: 0, owned_by: p.kind }] };
        }
        if (err instanceof BadResponse) throw bad(p);
        throw err;
      }
    },

    warm: async () => {
      // The native module takes seconds to import on a busy machine: start it now if it will be needed.
      if (registry.list().providers.some((p) => p.kind === "local")) void loadNative().catch(() => undefined);
      await stackLoaded();
    },
    close: async () => {
      await local.close();
      await transport.close();
    },
  };
}

/** Defers a generator's creation to its first read, so its synchronous errors reach the reader as any other. */
async function* lazy<T>(make: () => AsyncGenerator<T>): AsyncGenerator<T> {
  yield* make();
}

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let out = "";
  for await (const t of gen) out += t;
  return out;
}

function localOpts(p: { maxTokens?: number; temperature?: number; stop?: string[] }): {
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
} {
  return {
    ...(p.maxTokens !== undefined ? { maxTokens: p.maxTokens } : {}),
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    ...(p.stop ? { stop: p.stop } : {}),
  };
}

/** Tools pointed at the gateway may not know the provider's model: "" / "default" mean "the configured one". */
function withModel(body: Record<string, unknown>, p: ResolvedProvider): Record<string, unknown> {
  const m = body.model;
  if (typeof m === "string" && m.trim() !== "" && m !== "default") return body;
  return { ...body, model: p.model };
}
