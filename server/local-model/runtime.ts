/**
 * The loaded model and its generations, as the HTTP thread sees them. node-llama-cpp runs in a
 * worker thread (engine.ts, worker.ts; native.ts talks to it), so neither loading nor
 * generating holds the HTTP loop; only the text arriving is handled here.
 *
 * One context with two sequences, one per lane: `completion` (ghost text: FIM, /v1/completions)
 * and `chat` (chat, edit, shell, /v1/chat/completions). Both are evaluated in the same batches
 * and the completion lane has the higher evaluation priority, so a long chat never stalls ghost
 * text. Within a lane requests run one at a time (the completion engine already supersedes stale
 * ones). Loaded on first use, unloaded after `idleUnloadSeconds` without a request.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { LocalModelState } from "../api/local-model";
import { AppError } from "../errors";
import { log } from "../log";
import { loadNative, nativeState, request, tell } from "./native";
import { effectiveThreads } from "./threads";
import type { LocalMetrics } from "./metrics";
import type { FromWorker, GenerateOptions, Job, Lane, LoadedInfo, LocalChatMessage } from "./worker-protocol";

export type { GenerateOptions, Lane, LocalChatMessage } from "./worker-protocol";
export interface LocalSettings {
  threads: number;
  contextSize: number;
  idleUnloadSeconds: number;
}

interface Loaded extends LoadedInfo {
  path: string;
}

/** A generation lane: one at a time, in arrival order. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    return release;
  }
}

export class LocalModelRuntime {
  private loaded: Loaded | undefined;
  private loading: { path: string; promise: Promise<Loaded> } | undefined;
  private lastError: AppError | undefined;
  private stateValue: LocalModelState = "unloaded-idle";
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly lanes: Record<Lane, Mutex> = { completion: new Mutex(), chat: new Mutex() };
  loadMs: number | undefined;

  constructor(
    readonly settings: LocalSettings,
    private readonly metrics: LocalMetrics,
  ) {}

  state(): LocalModelState {
    return this.stateValue;
  }
  error(): AppError | undefined {
    return this.lastError;
  }
  loadedPath(): string | undefined {
    return this.loaded?.path;
  }
  memory(): { modelBytes: number; contextBytes: number } {
    return { modelBytes: this.loaded?.modelBytes ?? 0, contextBytes: this.loaded?.contextBytes ?? 0 };
  }
  contextSize(): number {
    return this.loaded?.contextSize ?? this.settings.contextSize;
  }
  threads(): number {
    return effectiveThreads(this.settings.threads);
  }

  update(s: Partial<LocalSettings>): void {
    Object.assign(this.settings, s);
    this.armIdle();
  }

  /** Loads `path` (unloading another model first). Concurrent callers share one load. */
  async ensureLoaded(path: string): Promise<Loaded> {
    this.clearIdle();
    if (this.loaded?.path === path) return this.loaded;
    if (this.loading?.path === path) return this.loading.promise;
    if (this.loading) await this.loading.promise.catch(() => undefined);
    if (this.loaded && this.loaded.path !== path) await this.unload();
    if (this.loaded?.path === path) return this.loaded;
    const promise = this.load(path);
    this.loading = { path, promise };
    try {
      return await promise;
    } finally {
      if (this.loading?.promise === promise) this.loading = undefined;
    }
  }

  private async load(path: string): Promise<Loaded> {
    this.stateValue = "loading";
    const started = performance.now();
    try {
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile())
        throw new AppError(
          "LOCAL_MODEL_NOT_FOUND",
          `The local model file ${path} does not exist.`,
          "Pick a .gguf file in 'AiCockpit: Select Model' (aicockpit.local.modelPath), or download one from the list there.",
        );
      try {
        await loadNative();
      } catch (err) {
        throw new AppError(
          "LOCAL_MODEL_UNAVAILABLE",
          `The embedded model cannot run here: ${(err as Error).message}.`,
          "Use another AI service (LM Studio, Ollama, an API key); everything else keeps working.",
        );
      }
      const info = await new Promise<LoadedInfo>((resolve, reject) =>
        request({ t: "load", path, threads: this.threads(), contextSize: this.settings.contextSize }, (m) => {
          if (m.t === "loaded") resolve(m.info);
          else if (m.t === "error") reject(new AppError(m.error.code, m.error.message, m.error.hint));
          else reject(new AppError("LOCAL_MODEL_LOAD_FAILED", `Loading ${basename(path)} failed: ${failure(m)}.`));
          return true;
        }),
      );
      const loaded: Loaded = { path, ...info };
      this.loaded = loaded;
      this.loadMs = Math.round(performance.now() - started);
      this.metrics.loadSeconds.observe(this.loadMs / 1000);
      this.lastError = undefined;
      this.stateValue = "loaded";
      log.info("local model loaded", {
        model: basename(path),
        ms: this.loadMs,
        threads: this.threads(),
        contextSize: info.contextSize,
        gpu: String(nativeState().gpu),
      });
      this.armIdle();
      return loaded;
    } catch (err) {
      const e =
        err instanceof AppError
          ? err
          : new AppError("LOCAL_MODEL_LOAD_FAILED", `Loading ${basename(path)} failed: ${firstLine(err)}.`);
      this.lastError = e;
      this.stateValue = "failed";
      log.warn("local model load failed", { model: basename(path), code: e.code, error: e.message });
      throw e;
    }
  }

  async unload(): Promise<void> {
    this.clearIdle();
    const l = this.loaded;
    if (!l) return;
    this.loaded = undefined;
    if (this.stateValue === "loaded") this.stateValue = "unloaded-idle";
    await new Promise<void>((resolve) =>
      request({ t: "unload" }, () => {
        resolve();
        return true;
      }),
    ).catch((err: unknown) => log.warn("local model unload failed", { error: firstLine(err) }));
    log.info("local model unloaded", { model: basename(l.path) });
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private armIdle(): void {
    this.clearIdle();
    const s = this.settings.idleUnloadSeconds;
    if (!this.loaded || this.inFlight > 0 || s <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.inFlight === 0) void this.unload();
    }, s * 1000);
    this.idleTimer.unref();
  }

  /** Raw completion (FIM when `suffix` is given and the model has FIM tokens). */
  completion(
    path: string,
    lane: Lane,
    prompt: string,
    suffix: string | undefined,
    opts: GenerateOptions,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    return this.generate(
      path,
      lane,
      { kind: "completion", prompt, ...(suffix !== undefined ? { suffix } : {}) },
      opts,
      signal,
    );
  }

  /** A chat answer in the model's own chat format (its GGUF chat template). */
  chat(path: string, messages: LocalChatMessage[], opts: GenerateOptions, signal: AbortSignal): AsyncGenerator<string> {
    return this.generate(path, "chat", { kind: "chat", messages }, opts, signal);
  }

  /**
   * The worker's text messages as an async stream. Tokens generated after the caller aborted are
   * counted (aicockpit_local_model_tokens_after_cancel): at most one is the promise of "stops
   * within one token".
   */
  private async *generate(
    path: string,
    lane: Lane,
    job: Job,
    opts: GenerateOptions,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    if (signal.aborted) throw new AppError("CANCELLED", "The request was cancelled.");
    this.inFlight++;
    this.clearIdle();
    const release = await this.lanes[lane].lock();
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let end: Extract<FromWorker, { t: "end" }> | undefined;
    let error: AppError | undefined;
    let id: number | undefined;
    const onAbort = (): void => {
      if (id !== undefined) tell({ t: "abort", id });
      wake?.();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await this.ensureLoaded(path);
      this.clearIdle();
      const started = performance.now();
      id = request({ t: "generate", lane, job, opts }, (m) => {
        if (m.t === "text") queue.push(m.text);
        else if (m.t === "end") end = m;
        else if (m.t === "error") error = new AppError(m.error.code, m.error.message, m.error.hint);
        else return false;
        wake?.();
        return m.t !== "text";
      });
      if (signal.aborted) tell({ t: "abort", id });
      while (true) {
        if (queue.length > 0) {
          yield queue.splice(0).join("");
          continue;
        }
        if (end || error || signal.aborted) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      // Wait for the worker to stop (an abort ends the generation within a token).
      while (!end && !error) await new Promise<void>((r) => (wake = r));
      const done = end as Extract<FromWorker, { t: "end" }> | undefined;
      if (done) {
        this.metrics.tokens.inc({ lane }, done.tokens);
        this.metrics.generationSeconds.observe({ lane }, (performance.now() - started) / 1000);
        if (done.afterAbort !== undefined) this.metrics.tokensAfterCancel.observe(done.afterAbort);
      }
      if (signal.aborted) throw new AppError("CANCELLED", "The request was cancelled.");
      if (error) throw error;
      if (done?.failed !== undefined)
        throw new AppError("PROVIDER_ERROR", `The local model failed while generating: ${done.failed}.`);
      if (queue.length > 0) yield queue.splice(0).join("");
    } finally {
      signal.removeEventListener("abort", onAbort);
      // The consumer stopped reading without aborting: stop the generation so the lane comes free.
      if (id !== undefined && !end && !error) {
        tell({ t: "abort", id });
        while (!end && !error) await new Promise<void>((r) => (wake = r));
      }
      release();
      this.inFlight--;
      this.armIdle();
    }
  }
}

function failure(m: FromWorker): string {
  return m.t === "end" ? (m.failed ?? "no answer") : `unexpected ${m.t}`;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split("\n")[0] ?? "").slice(0, 300);
}
