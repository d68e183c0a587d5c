/**
 * The HTTP thread's side of the local-model worker (worker.ts): node-llama-cpp is imported and
 * runs only there, so its seconds of synchronous start-up and model-loading work never hold this
 * loop (measured before: the import held it 0.5–0.8 s, loading a 150k-token-vocabulary model
 * 2 s, on a loaded 2-core box). The module is external to the bundles (esbuild.config.mjs): the
 * backend starts, and serves every other provider, whether or not it or its binary can load on
 * this machine; when it cannot, `reason` says why, once, for /ready, the status route and the
 * error every local request gets.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { log } from "../log";
import type { FromWorker, NativeState, ToWorker } from "./worker-protocol";

export type { NativeState } from "./worker-protocol";

type Listener = (m: FromWorker) => void;

let worker: Worker | undefined;
let nextId = 1;
const listeners = new Map<number, Listener>();
let state: NativeState = { available: null, gpu: null };
let initing: Promise<NativeState> | undefined;

export function nativeState(): NativeState {
  return state;
}

/** The worker's bundle sits next to the backend's shim (dist/server.js → dist/local-model-worker.js); this code runs from a chunk in dist/server/. */
function workerFile(): string {
  return join(__dirname, "..", "local-model-worker.js");
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const file = workerFile();
  if (!existsSync(file)) throw new Error(`${file} is missing from this installation`);
  const w = new Worker(file, { stdout: false, stderr: false });
  // Never keeps the backend alive by itself.
  w.unref();
  w.on("message", (m: FromWorker) => listeners.get(m.id)?.(m));
  const gone = (why: string) => {
    if (worker !== w) return;
    worker = undefined;
    initing = undefined;
    log.warn("local model worker stopped", { why });
    // Every request still waiting learns it now instead of hanging.
    for (const [id, l] of [...listeners]) l({ t: "end", id, tokens: 0, failed: `the model's worker stopped (${why})` });
    listeners.clear();
  };
  w.on("error", (err) => gone(err.message));
  w.on("exit", (code) => gone(`exit ${code}`));
  worker = w;
  return w;
}

/** Sends `msg` (with a fresh id) and calls `on` for each reply until it returns true. */
export function request(msg: DistributiveOmit<ToWorker, "id">, on: (m: FromWorker) => boolean): number {
  const w = ensureWorker();
  const id = nextId++;
  listeners.set(id, (m) => {
    if (on(m)) listeners.delete(id);
  });
  w.postMessage({ ...msg, id } as ToWorker);
  return id;
}

/** Tells the worker something that has no answer (an abort). */
export function tell(msg: ToWorker): void {
  worker?.postMessage(msg);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Starts the worker and node-llama-cpp in it, once. Rejects with a plain-words reason. */
export function loadNative(): Promise<NativeState> {
  initing ??= new Promise<NativeState>((resolve, reject) => {
    try {
      request({ t: "init" }, (m) => {
        if (m.t === "native") {
          state = m.state;
          if (m.state.available) resolve(m.state);
          else reject(new Error(m.state.reason ?? "unknown"));
        } else reject(new Error(m.t === "end" ? (m.failed ?? "no answer") : "unexpected answer"));
        return true;
      });
    } catch (err) {
      state = { available: false, reason: (err as Error).message, gpu: false };
      reject(err as Error);
    }
  });
  // A failure is remembered (the platform will not change), so every request answers at once.
  initing.catch(() => undefined);
  return initing;
}

/** Stops the worker (backend shutdown). */
export async function stopNative(): Promise<void> {
  const w = worker;
  worker = undefined;
  initing = undefined;
  if (w) await w.terminate();
}
