/**
 * Messages between the backend's HTTP thread and the local-model worker thread
 * (server/local-model/worker.ts). node-llama-cpp lives only in the worker: importing it and
 * loading a model run seconds of synchronous JavaScript (module evaluation, the GGUF metadata
 * parser: ~2 s for a 150k-token vocabulary on a loaded 2-core box) that would otherwise hold
 * the HTTP loop, /health included.
 */
import type { ApiError } from "../api/errors";

/** Whether node-llama-cpp and its binary load here (null: not tried yet), and why not. */
export interface NativeState {
  available: boolean | null;
  reason?: string;
  gpu: "cuda" | "vulkan" | "metal" | false | null;
}

export type Lane = "completion" | "chat";

export interface GenerateOptions {
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
}

export interface LocalChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface LoadedInfo {
  modelBytes: number;
  contextBytes: number;
  contextSize: number;
  gpu: string;
}

/** A raw completion (FIM when `suffix` is set and the model has FIM tokens), or a chat answer. */
export type Job =
  { kind: "completion"; prompt: string; suffix?: string } | { kind: "chat"; messages: LocalChatMessage[] };

export type ToWorker =
  | { t: "init"; id: number }
  | { t: "load"; id: number; path: string; threads: number; contextSize: number }
  | { t: "unload"; id: number }
  | {
      t: "generate";
      id: number;
      lane: Lane;
      job: Job;
      opts: GenerateOptions;
    }
  | { t: "abort"; id: number };

export type FromWorker =
  | { t: "native"; id: number; state: NativeState }
  | { t: "loaded"; id: number; info: LoadedInfo }
  | { t: "unloaded"; id: number }
  | { t: "text"; id: number; text: string }
  /** A generation ended: tokens made, and those made after the abort arrived (undefined: not aborted). */
  | { t: "end"; id: number; tokens: number; afterAbort?: number; failed?: string }
  | { t: "error"; id: number; error: ApiError };
