/**
 * node-llama-cpp itself, inside the local-model worker thread (worker.ts): the module import,
 * one model with one context of two sequences (one per lane), and generations. Lanes, idle
 * unload, metrics and errors for users live on the HTTP thread (runtime.ts).
 *
 * Both lanes are evaluated in the same batches and the completion lane has the higher
 * evaluation priority, so a long chat never stalls ghost text.
 */
import { basename } from "node:path";
import type {
  ChatHistoryItem,
  Llama,
  LlamaChat,
  LlamaCompletion,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
} from "node-llama-cpp" with { "resolution-mode": "import" };
import { AppError } from "../errors";
import type { GenerateOptions, Job, Lane, LoadedInfo, LocalChatMessage, NativeState } from "./worker-protocol";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

interface Loaded {
  path: string;
  model: LlamaModel;
  context: LlamaContext;
  completion: Record<Lane, LlamaCompletion>;
  chat: LlamaChat;
  sequences: Record<Lane, LlamaContextSequence>;
  contextSize: number;
}

/** Default when a request names none: a completion must not run to the context's end. */
const DEFAULT_MAX_TOKENS = 512;
const PRIORITY: Record<Lane, 1 | 5> = { completion: 5, chat: 1 };

let native: Promise<{ mod: NodeLlamaCpp; llama: Llama }> | undefined;
let nativeState: NativeState = { available: null, gpu: null };

/** Module name override for tests (a name that does not exist proves the backend survives). */
function nativeModuleName(): string {
  return process.env.AICOCKPIT_TEST_LOCAL_NATIVE_MODULE || "node-llama-cpp";
}

/** Imports node-llama-cpp and gets one Llama instance, once; a failure is remembered (the platform will not change). */
export async function initNative(): Promise<NativeState> {
  native ??= (async () => {
    let mod: NodeLlamaCpp;
    try {
      // esbuild keeps a dynamic import() of an external package as is: a real ESM import at run
      // time, resolved from dist/ (the .vsix carries dist/node_modules/node-llama-cpp).
      mod = (await import(nativeModuleName())) as NodeLlamaCpp;
    } catch (err) {
      throw unavailable(`the node-llama-cpp module could not be loaded (${firstLine(err)})`);
    }
    try {
      // build: "never" — a user's machine must never start compiling llama.cpp behind their back.
      const llama = await mod.getLlama({
        build: "never",
        gpu: gpuOption(),
        logLevel: mod.LlamaLogLevel.error,
        progressLogs: false,
        skipDownload: true,
      });
      nativeState = { available: true, gpu: llama.gpu };
      return { mod, llama };
    } catch (err) {
      throw unavailable(
        `no llama.cpp binary for ${process.platform}-${process.arch} could be loaded (${firstLine(err)})`,
      );
    }
  })();
  await native.catch(() => undefined);
  return nativeState;
}

/**
 * Which GPU back end getLlama may try. "auto" probes CUDA and Vulkan on Linux/Windows (looking for
 * their libraries and test-loading each binary): measured on a loaded 2-core box it took ~5x
 * longer than `false`, and the .vsix carries only the CPU binary there anyway
 * (scripts/package-vsix.mjs), so it could never win. macOS's prebuilt binary has Metal built in.
 */
function gpuOption(): "auto" | false {
  return process.platform === "darwin" ? "auto" : false;
}

function unavailable(reason: string): Error {
  nativeState = { available: false, reason, gpu: false };
  return new Error(reason);
}

let loaded: Loaded | undefined;

export async function load(path: string, threads: number, wantedContext: number): Promise<LoadedInfo> {
  if (loaded?.path === path) return info(loaded);
  await unload();
  const state = await initNative();
  if (!state.available || !native)
    throw new AppError(
      "LOCAL_MODEL_UNAVAILABLE",
      `The embedded model cannot run here: ${state.reason ?? "unknown"}.`,
      "Use another AI service (LM Studio, Ollama, an API key); everything else keeps working.",
    );
  const { mod, llama } = await native;
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: path, gpuLayers: llama.gpu === false ? 0 : "auto" });
  } catch (err) {
    throw new AppError(
      "LOCAL_MODEL_LOAD_FAILED",
      `${basename(path)} could not be loaded as a GGUF model: ${firstLine(err)}.`,
      "Check that the file is a complete .gguf model (download it again, or pick another file).",
    );
  }
  const contextSize = Math.min(wantedContext, model.trainContextSize || wantedContext);
  let context: LlamaContext;
  try {
    context = await model.createContext({ contextSize, sequences: 2, threads, batchSize: Math.min(512, contextSize) });
  } catch (err) {
    await model.dispose();
    throw new AppError(
      "LOCAL_MODEL_LOAD_FAILED",
      `No memory for a ${contextSize}-token context of ${basename(path)}: ${firstLine(err)}.`,
      "Lower aicockpit.local.contextSize.",
    );
  }
  const completionSeq = context.getSequence();
  const chatSeq = context.getSequence();
  loaded = {
    path,
    model,
    context,
    completion: {
      completion: new mod.LlamaCompletion({ contextSequence: completionSeq }),
      chat: new mod.LlamaCompletion({ contextSequence: chatSeq }),
    },
    chat: new mod.LlamaChat({
      contextSequence: chatSeq,
      autoDisposeSequence: false,
      // The model's own Jinja chat template, used as is. The default ("auto") first renders that
      // template against every built-in chat format to find an equivalent one: seconds of
      // synchronous work on a loaded 2-core box. Without a template in the GGUF this falls back to
      // the cheap name-based choice.
      chatWrapper: mod.resolveChatWrapper(model, { type: "jinjaTemplate", warningLogs: false }),
    }),
    sequences: { completion: completionSeq, chat: chatSeq },
    contextSize: context.contextSize,
  };
  return info(loaded);
}

async function info(l: Loaded): Promise<LoadedInfo> {
  let contextBytes = 0;
  try {
    contextBytes = (
      await l.model.fileInsights.estimateContextResourceRequirementsV2({
        contextSize: l.context.contextSize,
        modelGpuLayers: l.model.gpuLayers,
        sequences: 2,
        batchSize: l.context.batchSize,
      })
    ).cpuRam;
  } catch {
    /* an estimate only; 0 = unknown */
  }
  return { modelBytes: l.model.size, contextBytes, contextSize: l.contextSize, gpu: String(nativeState.gpu) };
}

export async function unload(): Promise<void> {
  const l = loaded;
  if (!l) return;
  loaded = undefined;
  await l.context.dispose();
  await l.model.dispose();
}

/**
 * Runs one generation, calling `onText` as text is made. Tokens made after `signal` aborted are
 * reported (from llama.cpp's side: onToken may release held-back tokens late, so it cannot tell
 * when a token was made).
 */
export async function generate(
  lane: Lane,
  job: Job,
  opts: GenerateOptions,
  signal: AbortSignal,
  onText: (t: string) => void,
): Promise<{ tokens: number; afterAbort?: number }> {
  const l = loaded;
  if (!l) throw new AppError("LOCAL_MODEL_LOAD_FAILED", "The local model is not loaded.");
  const sequence = l.sequences[lane];
  let atAbort: number | undefined;
  const onAbort = () => (atAbort = sequence.nextTokenIndex);
  signal.addEventListener("abort", onAbort, { once: true });
  let tokens = 0;
  const common = {
    onTextChunk: onText,
    onToken: (t: unknown[]) => {
      tokens += t.length;
    },
    signal,
    stopOnAbortSignal: true,
    maxTokens: Math.min(opts.maxTokens ?? DEFAULT_MAX_TOKENS, l.contextSize),
    evaluationPriority: PRIORITY[lane],
    ...(opts.stop && opts.stop.length > 0 ? { customStopTriggers: opts.stop } : {}),
  };
  try {
    if (job.kind === "chat") {
      await l.chat.generateResponse(toHistory(job.messages), { ...common, temperature: opts.temperature ?? 0.2 });
    } else {
      const c = l.completion[lane];
      const o = { ...common, temperature: opts.temperature ?? 0 };
      await (job.suffix !== undefined && c.infillSupported
        ? c.generateInfillCompletion(job.prompt, job.suffix, o)
        : c.generateCompletion(job.prompt, o));
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return {
    tokens,
    ...(atAbort !== undefined ? { afterAbort: Math.max(0, sequence.nextTokenIndex - atAbort) } : {}),
  };
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

export function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split("\n")[0] ?? "").slice(0, 300);
}
