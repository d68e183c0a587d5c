/**
 * node-llama-cpp, loaded on first use. It is ESM with a native addon per platform, so the
 * backend bundle keeps it external (esbuild.config.mjs) and imports it here with a real dynamic
 * `import()`: the backend starts, and serves every other provider, whether or not the module or
 * its binary can load on this machine. When it cannot, `reason` says why, once, for /ready,
 * the status route and the error every local request gets.
 */
import type { Llama } from "node-llama-cpp" with { "resolution-mode": "import" };

export type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

export interface NativeState {
  available: boolean | null;
  reason?: string;
  gpu: "cuda" | "vulkan" | "metal" | false | null;
}

let loading: Promise<{ mod: NodeLlamaCpp; llama: Llama }> | undefined;
let state: NativeState = { available: null, gpu: null };

export function nativeState(): NativeState {
  return state;
}

/** Module name override for tests (a name that does not exist proves the backend survives). */
export function nativeModuleName(): string {
  return process.env.AICOCKPIT_TEST_LOCAL_NATIVE_MODULE || "node-llama-cpp";
}

/**
 * The module and one Llama instance (CPU only, except Metal on macOS: see gpuOption). Rejects with a plain-words reason.
 */
export function loadNative(): Promise<{ mod: NodeLlamaCpp; llama: Llama }> {
  loading ??= (async () => {
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
      state = { available: true, gpu: llama.gpu };
      return { mod, llama };
    } catch (err) {
      throw unavailable(
        `no llama.cpp binary for ${process.platform}-${process.arch} could be loaded (${firstLine(err)})`,
      );
    }
  })();
  // A failure is remembered (the platform will not change), so every request answers at once.
  loading.catch(() => undefined);
  return loading;
}

/**
 * Which GPU back end getLlama may try. "auto" probes CUDA and Vulkan on Linux/Windows (looking for
 * their libraries and test-loading each binary): measured on a loaded 2-core box it held the
 * event loop ~5x longer than `false` (0.5 s vs 0.1 s, seconds more in total), and the .vsix
 * carries only the CPU binary there anyway (scripts/package-vsix.mjs), so it could never win.
 * macOS's prebuilt binary has Metal built in: "auto" there costs nothing and uses the GPU.
 */
function gpuOption(): "auto" | false {
  return process.platform === "darwin" ? "auto" : false;
}

function unavailable(reason: string): Error {
  state = { available: false, reason, gpu: false };
  return new Error(reason);
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split("\n")[0] ?? "").slice(0, 300);
}
