/**
 * The completion engine: prefilter → cache → in-flight reuse → context → template →
 * streamed generation with early-stop filters → postprocess → cache.
 * It knows nothing of HTTP or of a particular AI client: the route hands it a request and
 * an abort signal, and it talks to the model through `CompletionUpstream`.
 */
import { randomUUID } from "node:crypto";
import type {
  CompletionFeedback,
  CompletionFeedbackResponse,
  CompletionRequest,
  CompletionResponse,
  CompletionSource,
  CompletionOutcome,
} from "../api/completion";
import { AppError } from "../errors";
import { CompletionCache, contextKey } from "./cache";
import { buildWindows, DEFAULT_BUDGET, safeSnippets, type ContextBudget, type Snippet } from "./context";
import { timeBoxed } from "../../common/time-boxed";
import { Generation, InflightRegistry, type GenerationObserver, type GenerationOutcome } from "./inflight";
import { IgnoreLoader, matcherFor, relativeTo } from "./ignore-loader";
import { syntaxHints, type SyntaxHints } from "./syntax-hints";
import { findCut, postprocess, type PostprocessContext, type Postprocessed } from "./postprocess";
import { prefilter } from "./prefilter";
import { importedDefinitions } from "./definitions";
import { importBindings } from "../../common/imports";
import { directoryLister, WorkspaceFiles } from "./workspace-reader";
import { renderPrompt, templateForModel, type ChatMessage, type RenderedPrompt } from "./templates";

export interface UpstreamCompletionParams {
  prompt: string;
  suffix?: string;
  maxTokens: number;
  temperature: number;
  stop: string[];
}

export interface UpstreamChatParams {
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  stop: string[];
}

/** The model as the engine sees it; the route adapts LlmService to this, tests fake it. */
export interface CompletionUpstream {
  /** Name of the model requests go to, or null when no provider is configured. */
  model(): string | null;
  /**
   * True when the service applies the model's own FIM template to `prompt` + `suffix`
   * (Ollama does, and wraps a raw prompt in a chat template for instruct models), so
   * FIM families go through the `suffix` template there instead of raw FIM tokens.
   */
  appliesFimTemplate?(): boolean;
  /** The provider fills in the middle itself whatever the model's name (the embedded local model). */
  nativeFim?(): boolean;
  complete(params: UpstreamCompletionParams, signal: AbortSignal): AsyncIterable<string>;
  chat(params: UpstreamChatParams, signal: AbortSignal): AsyncIterable<string>;
}

export interface EngineObserver extends GenerationObserver {
  served(source: CompletionSource, shown: boolean): void;
  feedback(outcome: CompletionOutcome): void;
}

export interface EngineOptions {
  /** Default hard limit per request (ms); a request may set its own `timeoutMs`. */
  timeLimitMs: number;
  budget: ContextBudget;
  /** Each context source (ignore file, …) gets at most this long. */
  sourceTimeBoxMs: number;
  cacheSize: number;
  maxTokensSingleLine: number;
  maxTokensMultiLine: number;
  temperature: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  timeLimitMs: 2_500,
  budget: DEFAULT_BUDGET,
  sourceTimeBoxMs: 50,
  cacheSize: 500,
  maxTokensSingleLine: 64,
  maxTokensMultiLine: 256,
  temperature: 0.1,
};

/** OpenAI rejects more than four stop sequences; the postprocessor applies the rest locally. */
const MAX_UPSTREAM_STOPS = 4;

interface Final {
  outcome: GenerationOutcome;
  result: Postprocessed | null;
  upstreamMs: number;
  error?: unknown;
}

interface Tracked {
  final: Promise<Final>;
}

export class CompletionEngine {
  readonly cache: CompletionCache;
  readonly inflight: InflightRegistry;
  private readonly options: EngineOptions;
  private readonly ignoreLoader = new IgnoreLoader();
  private readonly files = new WorkspaceFiles();
  private readonly tracked = new WeakMap<Generation, Tracked>();
  /** Ids of shown completions awaiting feedback (bounded, oldest dropped first). */
  private readonly shown = new Map<string, true>();

  constructor(
    private readonly upstream: CompletionUpstream,
    options: Partial<EngineOptions> = {},
    private readonly observer?: EngineObserver,
  ) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.cache = new CompletionCache(this.options.cacheSize);
    this.inflight = new InflightRegistry(observer);
  }

  async complete(req: CompletionRequest, signal: AbortSignal): Promise<CompletionResponse> {
    const started = performance.now();
    const id = randomUUID();
    const respond = (
      source: CompletionSource,
      r: Partial<CompletionResponse> & { completion: string | null },
    ): CompletionResponse => {
      const shown = r.completion !== null && r.completion !== "";
      const completion = shown ? r.completion : null;
      this.observer?.served(source, shown);
      if (shown) this.remember(id);
      return {
        ...r,
        id,
        completion,
        replaceSuffixChars: shown ? (r.replaceSuffixChars ?? 0) : 0,
        source,
        timings: {
          totalMs: Math.round((performance.now() - started) * 100) / 100,
          ...(r.timings?.upstreamMs !== undefined ? { upstreamMs: r.timings.upstreamMs } : {}),
        },
      };
    };

    const relativePath = req.relativePath ?? relativeTo(req.workspaceRoot, req.filepath);
    // null: the rules were not read in time (not known, so nothing is read from the workspace's disk below).
    const loadedRules = req.workspaceRoot
      ? await timeBoxed<string | null>(this.ignoreLoader.rules(req.workspaceRoot), this.options.sourceTimeBoxMs, null)
      : "";
    const fileRules = loadedRules ?? "";
    const ignore = matcherFor(fileRules, req.ignorePatterns);
    const pre = prefilter({
      filepath: req.filepath,
      relativePath,
      languageId: req.languageId,
      prefix: req.prefix,
      suffix: req.suffix,
      multiline: req.multiline ?? "auto",
      ignore,
    });
    if (pre.skip) return respond("skipped", { completion: null, reason: pre.reason });

    const model = this.upstream.model();
    if (model === null)
      throw new AppError(
        "NO_PROVIDER",
        "No AI provider is configured.",
        "Set the AI service in the AiCockpit settings (aicockpit.provider.*) and run 'AiCockpit: Test Connection'.",
      );
    const family = templateForModel(model);
    const template =
      req.template ??
      (this.upstream.nativeFim?.() || (family !== "chat" && this.upstream.appliesFimTemplate?.()) ? "suffix" : family);
    const ck = contextKey(req.filepath, req.suffix, template, model);
    const docKey = req.documentId ?? req.filepath;
    const meta = { template, model };

    const reusable = this.inflight.reusable(docKey, ck, req.prefix);
    const hit = this.cache.get(ck, req.prefix);
    if (hit) {
      // The user moved on from whatever was generating (unless it may still serve the next keystroke).
      if (!reusable) this.inflight.supersede(docKey);
      return respond("cache", {
        completion: hit.completion,
        replaceSuffixChars: hit.replaceSuffixChars,
        ...(hit.completion === "" ? { reason: "empty" } : {}),
        ...meta,
      });
    }

    if (reusable) {
      const tracked = this.tracked.get(reusable.generation);
      if (tracked) {
        const final = await this.wait(reusable.generation, tracked, signal);
        const r = final.result;
        if (
          final.outcome !== "error" &&
          final.outcome !== "superseded" &&
          final.outcome !== "client" &&
          r?.completion
        ) {
          const typed = reusable.typed;
          if (typed === "")
            return respond("inflight", {
              completion: r.completion,
              replaceSuffixChars: r.replaceSuffixChars,
              partial: final.outcome === "timeout",
              ...meta,
            });
          if (r.completion.startsWith(typed) && r.completion.length > typed.length) {
            return respond("inflight", {
              completion: r.completion.slice(typed.length),
              replaceSuffixChars: r.replaceSuffixChars,
              partial: final.outcome === "timeout",
              ...meta,
            });
          }
        }
        // The generation went elsewhere than the user typed: fall through to a fresh one.
      }
    }
    if (signal.aborted) throw new AppError("CANCELLED", "The client cancelled the completion request.");

    // Definitions of the imported names used near the cursor come first: they say what the code calls.
    // The parse tree's hints (where the cursor's statement starts) are looked up meanwhile; both
    // are time-boxed and, when late, go on into the backend's caches for the next keystroke.
    const [definitions, hints] = await Promise.all([
      !importsSomething(req.prefix, req.languageId)
        ? []
        : timeBoxed(
            importedDefinitions({
              prefix: req.prefix,
              suffix: req.suffix,
              languageId: req.languageId,
              filepath: req.filepath,
              ...(req.workspaceRoot !== undefined ? { workspaceRoot: req.workspaceRoot } : {}),
              known: req.snippets ?? [],
              read:
                loadedRules === null ? () => Promise.resolve(undefined) : this.files.reader(req.workspaceRoot, ignore),
              list:
                loadedRules === null ? () => Promise.resolve(undefined) : directoryLister(req.workspaceRoot, ignore),
            }),
            this.options.sourceTimeBoxMs,
            [],
          ),
      !pre.situation.multiline
        ? {}
        : timeBoxed<SyntaxHints>(
            syntaxHints({
              languageId: req.languageId,
              prefix: req.prefix,
              suffix: req.suffix,
              uri: docKey,
              filename: req.filepath,
            }),
            this.options.sourceTimeBoxMs,
            {},
          ),
    ]);
    // A file the definitions came from is better told by them than by its first lines.
    const defined = new Set(definitions.map((d) => d.filepath));
    const others = (req.snippets ?? []).filter((s) => !defined.has(s.filepath.replace(/\\/g, "/")));
    const snippets = safeSnippets([...definitions, ...others], {
      ignore,
      relativize: (p) => relativeTo(req.workspaceRoot, p),
    });
    const { generation, tracked } = this.startGeneration(req, snippets, pre.situation, hints, template, ck, docKey);
    const final = await this.wait(generation, tracked, signal);
    if (final.outcome === "error")
      throw final.error instanceof AppError
        ? final.error
        : new AppError("PROVIDER_ERROR", "The AI service failed to complete.");
    if (final.outcome === "superseded")
      return respond("model", {
        completion: null,
        reason: "superseded",
        ...meta,
        timings: { totalMs: 0, upstreamMs: final.upstreamMs },
      });
    if (final.outcome === "client") throw new AppError("CANCELLED", "The client cancelled the completion request.");
    const r = final.result!;
    return respond("model", {
      completion: r.completion,
      replaceSuffixChars: r.replaceSuffixChars,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(final.outcome === "timeout" ? { partial: true } : {}),
      ...meta,
      timings: { totalMs: 0, upstreamMs: final.upstreamMs },
    });
  }

  feedback(fb: CompletionFeedback): CompletionFeedbackResponse {
    if (!this.shown.delete(fb.id)) return { recorded: false };
    this.observer?.feedback(fb.outcome);
    return { recorded: true };
  }

  private remember(id: string): void {
    this.shown.set(id, true);
    if (this.shown.size > 5_000) this.shown.delete(this.shown.keys().next().value!);
  }

  /** Waits for a generation as one of its subscribers; the client leaving detaches (and aborts if it was the last). */
  private async wait(g: Generation, tracked: Tracked, signal: AbortSignal): Promise<Final> {
    const detach = g.attach();
    let onAbort: (() => void) | undefined;
    const gone = new Promise<Final>((resolve) => {
      onAbort = () => resolve({ outcome: "client", result: null, upstreamMs: 0 });
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([tracked.final, gone]);
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
      detach();
    }
  }

  private startGeneration(
    req: CompletionRequest,
    snippets: Snippet[],
    situation: PostprocessContext["situation"],
    hints: SyntaxHints,
    template: RenderedPrompt["template"],
    ck: string,
    docKey: string,
  ): { generation: Generation; tracked: Tracked } {
    const windows = buildWindows(req.prefix, req.suffix, snippets, this.options.budget);
    const rendered = renderPrompt(template, {
      ...windows,
      filepath: req.filepath,
      languageId: req.languageId,
      multiline: situation.multiline,
    });
    const ppctx: PostprocessContext = {
      prefix: req.prefix,
      suffix: req.suffix,
      languageId: req.languageId,
      situation,
      template,
      stop: rendered.stop,
      hints,
    };
    const maxTokens = situation.multiline ? this.options.maxTokensMultiLine : this.options.maxTokensSingleLine;
    const stop = rendered.stop.slice(0, MAX_UPSTREAM_STOPS);
    const temperature = this.options.temperature;
    const stream =
      rendered.kind === "chat"
        ? (s: AbortSignal) => this.upstream.chat({ messages: rendered.messages, maxTokens, temperature, stop }, s)
        : (s: AbortSignal) =>
            this.upstream.complete(
              {
                prompt: rendered.prompt,
                ...(rendered.suffix !== undefined ? { suffix: rendered.suffix } : {}),
                maxTokens,
                temperature,
                stop,
              },
              s,
            );
    const generation = this.inflight.start({
      docKey,
      contextKey: ck,
      prefix: req.prefix,
      timeLimitMs: clampTimeout(req.timeoutMs ?? this.options.timeLimitMs),
      stream,
      shouldStop: (raw) => findCut(raw, ppctx, false).rule !== null,
      visible: (raw) => {
        const shown = postprocess(raw, ppctx, { partial: true }).completion ?? "";
        // Postprocessing trims trailing spaces, but a user who typed "return " agrees with "return a".
        const trailing = /[ \t]*$/.exec(findCut(raw, ppctx, false).text)![0];
        return shown === "" ? "" : shown + trailing;
      },
    });
    const final = generation.result.then((r): Final => {
      if (r.outcome === "error") return { outcome: r.outcome, result: null, upstreamMs: r.upstreamMs, error: r.error };
      if (r.outcome === "client" || r.outcome === "superseded")
        return { outcome: r.outcome, result: null, upstreamMs: r.upstreamMs };
      const pp = postprocess(r.raw, ppctx, { partial: r.outcome === "timeout" });
      // A cut-short answer is fine to show once, but the full one may differ: do not cache it.
      if (r.outcome !== "timeout") this.cache.put(ck, req.prefix, pp.completion ?? "", pp.replaceSuffixChars);
      return { outcome: r.outcome, result: pp, upstreamMs: r.upstreamMs };
    });
    const tracked: Tracked = { final };
    this.tracked.set(generation, tracked);
    return { generation, tracked };
  }
}

function clampTimeout(ms: number): number {
  return Math.min(30_000, Math.max(50, ms));
}

/** Most documents import nothing local: then there is nothing to look up, and no await on the way to the model. */
function importsSomething(prefix: string, languageId: string): boolean {
  // Java classes of the file's own package are used without an import.
  return languageId === "java" || importBindings(prefix, languageId).length > 0;
}
