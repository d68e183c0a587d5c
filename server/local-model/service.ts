/**
 * The embedded local model as a provider kind (`local`) and as the `/api/local-model/*` routes:
 * catalog, download, status, settings, load/unload. LlmService hands every request of a `local`
 * provider here; `model` is a catalog id or a path to a .gguf file.
 */
import { statSync } from "node:fs";
import { basename } from "node:path";
import { memoryUsage } from "node:process";
import type { Registry } from "prom-client";
import type {
  LocalModelCatalog,
  LocalModelCatalogFileEntry,
  LocalModelDownloadEvent,
  LocalModelSettings,
  LocalModelStatus,
} from "../api/local-model";
import type { ComponentCheck } from "../api/health";
import type { LocalModelConfig } from "../config/env";
import { AppError } from "../errors";
import type { Transport } from "../llm/transport";
import { catalogView, loadCatalog, resolveModel } from "./catalog";
import { Downloader } from "./download";
import { createLocalMetrics } from "./metrics";
import { loadNative, nativeState, stopNative } from "./native";
import { DONE_FRAME, OpenAiShaper, readChatBody, readCompletionBody, sseFrame } from "./openai-shape";
import { LocalModelRuntime, type GenerateOptions, type Lane, type LocalChatMessage } from "./runtime";

export type LocalCheck = ComponentCheck & { id: string | null; model: string | null };

/** What the service needs to know about the active provider (kept apart from the registry's types). */
export interface LocalProviderRef {
  id: string;
  model: string;
  active: boolean;
}

function fileSize(path: string | null): number {
  if (!path) return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export class LocalModels {
  readonly runtime: LocalModelRuntime;
  private readonly entries: readonly LocalModelCatalogFileEntry[];
  private readonly downloader: Downloader;
  private current: LocalProviderRef | null = null;

  constructor(
    private readonly cfg: LocalModelConfig,
    transport: Transport,
    registry: Registry,
  ) {
    this.entries = loadCatalog(cfg);
    this.downloader = new Downloader(cfg, transport);
    this.runtime = new LocalModelRuntime(
      { threads: cfg.threads, contextSize: cfg.contextSize, idleUnloadSeconds: cfg.idleUnloadSeconds },
      createLocalMetrics(registry, () => ({
        loaded: () => this.runtime.loadedPath() !== undefined,
        memory: () => ({ fileBytes: fileSize(this.modelRef()?.path ?? null), ...this.runtime.memory() }),
      })),
    );
  }

  /** LlmService tells which `local` provider is configured (the active one, else the first). */
  setProvider(ref: LocalProviderRef | null): void {
    this.current = ref;
  }

  catalog(): LocalModelCatalog {
    return catalogView(this.cfg, this.entries);
  }

  private entry(id: string): LocalModelCatalogFileEntry {
    const e = this.entries.find((x) => x.id === id);
    if (!e)
      throw new AppError(
        "NOT_FOUND",
        `There is no model "${id}" in the catalog.`,
        "GET /api/local-model/catalog lists them.",
      );
    return e;
  }

  /** The first event comes only after the id is known and no other download of it runs. */
  download(modelId: string, signal: AbortSignal): AsyncGenerator<LocalModelDownloadEvent> {
    const e = this.entry(modelId);
    if (this.downloader.isRunning(e.id)) {
      throw new AppError(
        "LOCAL_MODEL_DOWNLOAD_IN_PROGRESS",
        `${e.name} is already being downloaded.`,
        "Wait for it (GET /api/local-model/status shows its progress).",
      );
    }
    return this.downloader.download(e, signal);
  }

  private modelRef(model = this.current?.model): { id: string | null; path: string } | null {
    if (model === undefined || model === "") return null;
    return resolveModel(this.cfg, this.entries, model);
  }

  /** The path to load for `model`, or why it cannot be loaded yet. */
  private pathFor(model: string): string {
    const ref = this.modelRef(model);
    if (!ref)
      throw new AppError("LOCAL_MODEL_NOT_FOUND", "No local model is set.", "Pick one in 'AiCockpit: Select Model'.");
    if (ref.id !== null && fileSize(ref.path) === 0) {
      const e = this.entry(ref.id);
      const running = this.downloader.isRunning(e.id);
      throw new AppError(
        "LOCAL_MODEL_NOT_DOWNLOADED",
        running ? `${e.name} is still downloading.` : `${e.name} has not been downloaded yet.`,
        running
          ? "Wait for the download to finish."
          : `Download it (${Math.round(e.sizeBytes / 1e6)} MB) with 'AiCockpit: Select Model', or point aicockpit.local.modelPath at a .gguf file.`,
      );
    }
    return ref.path;
  }

  status(): LocalModelStatus {
    const ref = this.modelRef();
    const dl = this.downloader.progress();
    const rt = this.runtime;
    const native = nativeState();
    let state = rt.state();
    const loadedPath = rt.loadedPath();
    const error = rt.error();
    if (!ref) state = "not-downloaded";
    else if (state !== "loading" && state !== "failed" && loadedPath !== ref.path) {
      if (ref.id !== null && fileSize(ref.path) === 0)
        state = dl?.modelId === ref.id ? "downloading" : "not-downloaded";
      else state = "unloaded-idle";
    }
    if (native.available === false) state = "failed";
    return {
      state,
      active: this.current?.active ?? false,
      modelId: ref?.id ?? null,
      modelPath: ref?.path ?? null,
      displayName: ref ? (ref.id ?? basename(ref.path).replace(/\.gguf$/i, "")) : null,
      ...(error ? { error: error.toApiError() } : {}),
      ...(native.available === false && !error
        ? {
            error: {
              code: "LOCAL_MODEL_UNAVAILABLE" as const,
              message: `The embedded model cannot run here: ${native.reason ?? "unknown"}.`,
            },
          }
        : {}),
      ...(dl ? { download: { ...dl } } : {}),
      native: { available: native.available, gpu: native.gpu, ...(native.reason ? { reason: native.reason } : {}) },
      threads: rt.threads(),
      contextSize: rt.contextSize(),
      idleUnloadSeconds: rt.settings.idleUnloadSeconds,
      ...(rt.loadMs !== undefined ? { loadMs: rt.loadMs } : {}),
      memory: { rssBytes: memoryUsage.rss(), fileBytes: fileSize(ref?.path ?? null), ...rt.memory() },
    };
  }

  updateSettings(s: LocalModelSettings): LocalModelStatus {
    this.runtime.update({
      ...(s.threads !== undefined ? { threads: s.threads } : {}),
      ...(s.contextSize !== undefined ? { contextSize: s.contextSize } : {}),
      ...(s.idleUnloadSeconds !== undefined ? { idleUnloadSeconds: s.idleUnloadSeconds } : {}),
    });
    return this.status();
  }

  async load(model?: string): Promise<LocalModelStatus> {
    const m = model ?? this.current?.model;
    if (m === undefined)
      throw new AppError("NO_PROVIDER", "No local model is configured.", 'Add a provider of kind "local" first.');
    await this.runtime.ensureLoaded(this.pathFor(m));
    return this.status();
  }

  async unload(): Promise<LocalModelStatus> {
    await this.runtime.unload();
    return this.status();
  }

  /** For /ready: cheap, never loads the model, never throws. */
  async probe(p: { id: string; model: string }): Promise<LocalCheck> {
    const base = { id: p.id, model: p.model };
    try {
      const path = this.pathFor(p.model);
      if (fileSize(path) === 0)
        throw new AppError("LOCAL_MODEL_NOT_FOUND", `The local model file ${path} does not exist.`);
      await loadNative().catch(() => undefined);
      const native = nativeState();
      if (native.available === false)
        return {
          ...base,
          ok: false,
          code: "LOCAL_MODEL_UNAVAILABLE",
          reason: `The embedded model cannot run here: ${native.reason ?? "unknown"}.`,
        };
      const err = this.runtime.error();
      if (this.runtime.state() === "failed" && err) return { ...base, ok: false, code: err.code, reason: err.message };
      const where = this.runtime.loadedPath() === path ? "loaded" : "loads on the first request";
      return { ...base, ok: true, reason: `Local model ${basename(path)} (${where}).` };
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError("INTERNAL", String(err));
      return { ...base, ok: false, code: e.code, reason: `${e.message}${e.hint ? ` ${e.hint}` : ""}` };
    }
  }

  streamChat(
    model: string,
    messages: LocalChatMessage[],
    opts: GenerateOptions,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    return this.runtime.chat(this.pathFor(model), messages, opts, signal);
  }

  streamCompletion(
    model: string,
    prompt: string,
    suffix: string | undefined,
    opts: GenerateOptions,
    signal: AbortSignal,
    lane: Lane = "completion",
  ): AsyncGenerator<string> {
    return this.runtime.completion(this.pathFor(model), lane, prompt, suffix, opts, signal);
  }

  private gen(
    path: "/chat/completions" | "/completions",
    model: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
  ) {
    if (path === "/chat/completions") {
      const { messages, opts } = readChatBody(body);
      return this.streamChat(model, messages, opts, signal);
    }
    const { prompt, suffix, opts } = readCompletionBody(body);
    return this.streamCompletion(model, prompt, suffix, opts, signal);
  }

  /** /v1 streaming: OpenAI SSE frames; the last chunk carries [DONE]. */
  async *forwardRaw(
    path: "/chat/completions" | "/completions",
    model: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
  ): AsyncGenerator<{ bytes: Uint8Array; last: boolean }> {
    const shaper = new OpenAiShaper(path === "/chat/completions" ? "chat" : "completion", displayModel(model));
    let first = true;
    for await (const text of this.gen(path, model, body, signal)) {
      yield { bytes: sseFrame(shaper.chunk(text, first)), last: false };
      first = false;
    }
    yield { bytes: Buffer.concat([sseFrame(shaper.last()), DONE_FRAME]), last: true };
  }

  async forwardJson(
    path: "/chat/completions" | "/completions",
    model: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<{ text: string; json: Record<string, unknown> }> {
    let out = "";
    for await (const t of this.gen(path, model, body, signal)) out += t;
    const json = new OpenAiShaper(path === "/chat/completions" ? "chat" : "completion", displayModel(model)).whole(out);
    return { text: JSON.stringify(json), json };
  }

  models(model: string): Record<string, unknown> {
    return { object: "list", data: [{ id: displayModel(model), object: "model", created: 0, owned_by: "local" }] };
  }

  async close(): Promise<void> {
    await this.runtime.unload();
    await stopNative();
  }
}

/** What /v1 answers call the model: a catalog id, or the file name without .gguf. */
function displayModel(model: string): string {
  return model.includes("/") ? basename(model).replace(/\.gguf$/i, "") : model;
}
