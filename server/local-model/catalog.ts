/**
 * The models the first-run prompt and Select Model offer. Official Qwen GGUF files on Hugging
 * Face, pinned to a repository commit (so the bytes behind a URL cannot change) and to the
 * SHA-256 of that file. Why Qwen2.5-Coder: trained with FIM tokens (ghost text) and as an
 * instruct model (chat, Ctrl+K), Apache-2.0, and the 0.5B size runs on a laptop CPU.
 *
 * A catalog file (AICOCKPIT_LOCAL_MODEL_CATALOG) replaces the list: company mirrors, and tests.
 */
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { LocalModelCatalog, LocalModelCatalogFileEntry } from "../api/local-model";
import { LocalModelCatalogFileSchema } from "../api/schemas/local-model";
import { ConfigError, type LocalModelConfig } from "../config/env";

const QWEN_05B = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/ebb2015119c907b064c512bf053e945850b5875f";
const QWEN_15B = "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/f86cb2c1fa58255f8052cc32aeede1b7482d4361";

/** The first entry is the recommended one. */
export const BUILTIN_CATALOG: readonly LocalModelCatalogFileEntry[] = [
  {
    id: "qwen2.5-coder-0.5b-instruct-q8_0",
    name: "Qwen2.5-Coder 0.5B Instruct (Q8_0)",
    sizeBytes: 675_710_848,
    path: `${QWEN_05B}/qwen2.5-coder-0.5b-instruct-q8_0.gguf`,
    sha256: "e1a77721fa97d412f121878223eec81fb4ae6f271e18f922d746711f67b344d1",
    fim: true,
    why: "Recommended: fast on any laptop CPU; 8-bit keeps a small model's quality (4-bit costs a 0.5B model the most).",
  },
  {
    id: "qwen2.5-coder-0.5b-instruct-q4_k_m",
    name: "Qwen2.5-Coder 0.5B Instruct (Q4_K_M)",
    sizeBytes: 491_400_064,
    path: `${QWEN_05B}/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf`,
    sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    fim: true,
    why: "Smallest download and memory; a little weaker than Q8_0.",
  },
  {
    id: "qwen2.5-coder-1.5b-instruct-q4_k_m",
    name: "Qwen2.5-Coder 1.5B Instruct (Q4_K_M)",
    sizeBytes: 1_117_320_768,
    path: `${QWEN_15B}/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`,
    sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    fim: true,
    why: "Better completions and answers; about 3x slower on a CPU, needs ~1.5 GB of memory.",
  },
];

export function loadCatalog(cfg: LocalModelConfig): readonly LocalModelCatalogFileEntry[] {
  if (!cfg.catalogFile) return BUILTIN_CATALOG;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(cfg.catalogFile, "utf8"));
  } catch (err) {
    throw new ConfigError([
      `AICOCKPIT_LOCAL_MODEL_CATALOG cannot be read as JSON: ${cfg.catalogFile} (${String(err)})`,
    ]);
  }
  const parsed = LocalModelCatalogFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError([
      `AICOCKPIT_LOCAL_MODEL_CATALOG ${cfg.catalogFile}: ${i?.path.join(".") || "body"}: ${i?.message ?? "invalid"}`,
    ]);
  }
  return parsed.data.models;
}

export function modelUrl(cfg: LocalModelConfig, e: LocalModelCatalogFileEntry): string {
  return `${cfg.modelBaseUrl}/${e.path.replace(/^\/+/, "")}`;
}

/** Where a catalog model lives once downloaded, and its partial download. */
export function modelFile(cfg: LocalModelConfig, id: string): string {
  return join(cfg.modelsDir, `${id}.gguf`);
}
export function partialFile(cfg: LocalModelConfig, id: string): string {
  return `${modelFile(cfg, id)}.partial`;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function catalogView(cfg: LocalModelConfig, entries: readonly LocalModelCatalogFileEntry[]): LocalModelCatalog {
  return {
    baseUrl: cfg.modelBaseUrl,
    modelsDir: cfg.modelsDir,
    models: entries.map((e, i) => ({
      ...e,
      url: modelUrl(cfg, e),
      downloaded: sizeOf(modelFile(cfg, e.id)) === e.sizeBytes,
      partialBytes: sizeOf(partialFile(cfg, e.id)),
      recommended: i === 0,
    })),
  };
}

/** A provider's `model`: a catalog id, or a path to a .gguf file. */
export function resolveModel(
  cfg: LocalModelConfig,
  entries: readonly LocalModelCatalogFileEntry[],
  model: string,
): { id: string | null; path: string } {
  const entry = entries.find((e) => e.id === model);
  if (entry) return { id: entry.id, path: modelFile(cfg, entry.id) };
  return { id: null, path: isAbsolute(model) ? model : join(cfg.modelsDir, model) };
}
