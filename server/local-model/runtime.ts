/**
 * The loaded model and its generations. node-llama-cpp evaluates on its own native threads and
 * resolves promises, so the HTTP loop stays free while tokens are computed (bench/local-model.ts
 * measures /health during generation); only the per-token callbacks run on the loop.
 *
 * One context with two sequences, one per lane: `completion` (ghost text: FIM, /v1/completions)
 * and `chat` (chat, edit, shell, /v1/chat/completions). Both are evaluated in the same batches
 * and the completion lane has the higher evaluation priority, so a long chat never stalls ghost
 * text. Within a lane requests run one at a time (the completion engine already supersedes stale
 * ones). Loaded on first use, unloaded after `idleUnloadSeconds` without a request.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type {
  ChatHistoryItem,
  LlamaChat,
  LlamaCompletion,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  Token,
} from "node-llama-cpp" with { "resolution-mode": "import" };
import type { LocalModelState } from "../api/local-model";
import { AppError } from "../errors";
import { log } from "../log";
import { loadNative, nativeState } from "./native";
import { effectiveThreads } from "./threads";
import type { LocalMetrics } from "./metrics";

export type Lane = "completion" | "chat";

export interface LocalSettings {
  threads: number;
  contextSize: number;
  idleUnloadSeconds: number;
}

export interface GenerateOptions {
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
}

export interface LocalChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

interface Loaded {
  path: string;
  model: LlamaModel;
  context: LlamaContext;
  completion: Record<Lane, LlamaCompletion>;
  chat: LlamaChat;
  sequences: Record<Lane, LlamaContextSequence>;
  contextBytes: number;
  contextSize: number;
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

/** Default when a request names none: a completion must not run to the context's end. */
const DEFAULT_MAX_TOKENS = 512;
const PRIORITY: Record<Lane, 1 | 5> = { completion: 5, chat: 1 };

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
    return { modelBytes: this.loaded?.model.size ?? 0, contextBytes: this.loaded?.contextBytes ?? 0 };
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
      let native;
      try {
        native = await loadNative();
      } catch (err) {
        throw new AppError(
          "LOCAL_MODEL_UNAVAILABLE",
          `The embedded model cannot run here: ${(err as Error).message}.`,
          "Use another AI service (LM Studio, Ollama, an API key); everything else keeps working.",
        );
      }
      let model: LlamaModel;
      try {
        model = await native.llama.loadModel({ modelPath: path, gpuLayers: native.llama.gpu === false ? 0 : "auto" });
      } catch (err) {
        throw new AppError(
          "LOCAL_MODEL_LOAD_FAILED",
          `${basename(path)} could not be loaded as a GGUF model: ${firstLine(err)}.`,
          "Check that the file is a complete .gguf model (download it again, or pick another file).",
        );
      }
      const contextSize = Math.min(this.settings.contextSize, model.trainContextSize || this.settings.contextSize);
      let context: LlamaContext;
      try {
        context = await model.createContext({
          contextSize,
          sequences: 2,
          threads: this.threads(),
          batchSize: Math.min(512, contextSize),
        });
      } catch (err) {
        await model.dispose();
        throw new AppError(
          "LOCAL_MODEL_LOAD_FAILED",
          `No memory for a ${contextSize}-token context of ${basename(path)}: ${firstLine(err)}.`,
          "Lower aicockpit.local.contextSize.",
        );
      }
      const seq = (): LlamaContextSequence => context.getSequence();
      const completionSeq = seq();
      const chatSeq = seq();
      const { LlamaCompletion, LlamaChat } = native.mod;
      let contextBytes = 0;
      try {
        contextBytes = (
          await model.fileInsights.estimateContextResourceRequirementsV2({
            contextSize: context.contextSize,
            modelGpuLayers: model.gpuLayers,
            sequences: 2,
            batchSize: context.batchSize,
          })
        ).cpuRam;
      } catch {
        /* an estimate only; 0 = unknown */
      }
      const loaded: Loaded = {
        path,
        model,
        context,
        completion: {
          completion: new LlamaCompletion({ contextSequence: completionSeq }),
          chat: new LlamaCompletion({ contextSequence: chatSeq }),
        },
        chat: new LlamaChat({
          contextSequence: chatSeq,
          autoDisposeSequence: false,
          // The model's own Jinja chat template, used as is. The default ("auto") first renders that
          // template against every built-in chat format to find an equivalent one: synchronous work
          // that held the event loop 2.8 s on a 2-core box (more under load), so /health went
          // unanswered and the extension's supervisor killed the backend. Without a template in
          // the GGUF this falls back to the cheap name-based choice.
          chatWrapper: native.mod.resolveChatWrapper(model, { type: "jinjaTemplate", warningLogs: false }),
        }),
        sequences: { completion: completionSeq, chat: chatSeq },
        contextBytes,
        contextSize: context.contextSize,
      };
      this.loaded = loaded;
      this.loadMs = Math.round(performance.now() - started);
      this.metrics.loadSeconds.observe(this.loadMs / 1000);
      this.lastError = undefined;
      this.stateValue = "loaded";
      log.info("local model loaded", {
        model: basename(path),
        ms: this.loadMs,
        threads: this.threads(),
        contextSize: context.contextSize,
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
    try {
      await l.context.dispose();
      await l.model.dispose();
    } catch (err) {
      log.warn("local model unload failed", { error: firstLine(err) });
    }
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

  /** Never more than the context holds: beyond it llama.cpp would have to shift the context for an answer nobody reads. */
  private maxTokens(l: Loaded, opts: GenerateOptions): number {
    return Math.min(opts.maxTokens ?? DEFAULT_MAX_TOKENS, l.contextSize);
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
    return this.generate(path, lane, signal, (l, hooks, signal) => {
      const c = l.completion[lane];
      const common = {
        ...hooks,
        signal,
        stopOnAbortSignal: true,
        maxTokens: this.maxTokens(l, opts),
        temperature: opts.temperature ?? 0,
        evaluationPriority: PRIORITY[lane],
        ...(opts.stop && opts.stop.length > 0 ? { customStopTriggers: opts.stop } : {}),
      };
      return suffix !== undefined && c.infillSupported
        ? c.generateInfillCompletion(prompt, suffix, common)
        : c.generateCompletion(prompt, common);
    });
  }

  /** A chat answer in the model's own chat format (its GGUF chat template). */
  chat(path: string, messages: LocalChatMessage[], opts: GenerateOptions, signal: AbortSignal): AsyncGenerator<string> {
    return this.generate(path, "chat", signal, (l, hooks, signal) =>
      l.chat.generateResponse(toHistory(messages), {
        ...hooks,
        signal,
        stopOnAbortSignal: true,
        maxTokens: this.maxTokens(l, opts),
        temperature: opts.temperature ?? 0.2,
        evaluationPriority: PRIORITY.chat,
        ...(opts.stop && opts.stop.length > 0 ? { customStopTriggers: opts.stop } : {}),
      }),
    );
  }

  /**
   * Turns node-llama-cpp's callbacks into an async stream of text. Tokens generated after the
   * caller aborted are counted (aicockpit_local_model_tokens_after_cancel): at most one is the
   * promise of "stops within one token".
   */
  private async *generate(
    path: string,
    lane: Lane,
    signal: AbortSignal,
    run: (
      l: Loaded,
      hooks: { onTextChunk(t: string): void; onToken(t: Token[]): void },
      signal: AbortSignal,
    ) => Promise<unknown>,
  ): AsyncGenerator<string> {
    if (signal.aborted) throw new AppError("CANCELLED", "The request was cancelled.");
    this.inFlight++;
    this.clearIdle();
    const release = await this.lanes[lane].lock();
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    let tokens = 0;
    // Tokens evaluated in the sequence, read from llama.cpp's side: onToken may release held-back
    // tokens late (stop-trigger detection), so it cannot tell when a token was made.
    let sequence: LlamaContextSequence | undefined;
    let evaluatedAtAbort: number | undefined;
    const onAbort = (): void => {
      evaluatedAtAbort = sequence?.nextTokenIndex;
      wake?.();
    };
    // Text is handed on two turns of the event loop after llama.cpp made it, not at once. Waking
    // the reader at once ran the whole path to the socket (generator hops, JSON, SSE frame, write)
    // in microtasks *before* node-llama-cpp's batch dispatch (a setImmediate) sent the next token
    // to the native thread, so that cost was added to every token. Deferred, it runs while the next
    // token is computed, and the tokens that are ready by then go out as one chunk (one SSE frame).
    let flushing = false;
    const flushSoon = (): void => {
      if (flushing) return;
      flushing = true;
      setImmediate(() =>
        setImmediate(() => {
          flushing = false;
          wake?.();
        }),
      );
    };
    signal.addEventListener("abort", onAbort, { once: true });
    // Also stopped when the consumer stops reading without aborting (the lane must come free).
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    let done: Promise<void> | undefined;
    try {
      const l = await this.ensureLoaded(path);
      sequence = l.sequences[lane];
      this.clearIdle();
      const started = performance.now();
      done = run(
        l,
        {
          onTextChunk: (t) => {
            queue.push(t);
            flushSoon();
          },
          onToken: (t) => {
            tokens += t.length;
          },
        },
        both,
      ).then(
        () => undefined,
        (err: unknown) => {
          failure = err;
        },
      );
      void done.finally(() => {
        finished = true;
        wake?.();
      });
      while (true) {
        if (queue.length > 0) {
          yield queue.splice(0).join("");
          continue;
        }
        if (finished || signal.aborted) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      await done;
      this.metrics.tokens.inc({ lane }, tokens);
      this.metrics.generationSeconds.observe({ lane }, (performance.now() - started) / 1000);
      if (evaluatedAtAbort !== undefined)
        this.metrics.tokensAfterCancel.observe(Math.max(0, sequence.nextTokenIndex - evaluatedAtAbort));
      if (signal.aborted) throw new AppError("CANCELLED", "The request was cancelled.");
      if (failure !== undefined)
        throw new AppError("PROVIDER_ERROR", `The local model failed while generating: ${firstLine(failure)}.`);
      if (queue.length > 0) yield queue.splice(0).join("");
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (!finished && done) {
        stop.abort();
        await done;
      }
      release();
      this.inFlight--;
      this.armIdle();
    }
  }
}

function toHistory(messages: LocalChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === "system"
      ? { type: "system", text: m.content }
      : m.role === "user"
        ? { type: "user", text: m.content }
        : { type: "model", response: [m.content] },
  );
  history.push({ type: "model", response: [] });
  return history;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split("\n")[0] ?? "").slice(0, 300);
}
