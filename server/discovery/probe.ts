/**
 * Finds OpenAI-compatible model servers already running on this machine (Ollama, LM Studio,
 * llama.cpp server, vLLM) by asking their default ports on 127.0.0.1, all at once, each
 * with a short time limit. Whatever answers is untrusted: a response counts only when it
 * parses as the model list such a server sends (size-capped, ids checked), so a web app
 * that happens to sit on port 8080 is not offered as an AI service.
 *
 * Plain node:http on purpose: a configured HTTPS proxy must never see loopback probes.
 */
import { request } from "node:http";
import type { DiscoveredServer, DiscoveryResult, LocalServerKind } from "../api/discovery";

export interface ProbeOptions {
  ports: readonly number[];
  /** Per request (connect + answer); a server slower than this on loopback is not usable anyway. */
  timeoutMs?: number;
  /** Ports never probed (the backend's own). */
  skip?: readonly number[];
  signal?: AbortSignal;
}

export const PROBE_LIMITS = {
  timeoutMs: 1_500,
  maxBodyBytes: 1024 * 1024,
  maxModels: 200,
  maxModelIdChars: 200,
} as const;

const NAMES: Record<LocalServerKind, string> = {
  ollama: "Ollama",
  lmstudio: "LM Studio",
  llamacpp: "llama.cpp server",
  vllm: "vLLM",
  "openai-compatible": "OpenAI-compatible server",
};

/** The usual tenant of a default port, when the answer itself does not say. */
const BY_PORT: Record<number, LocalServerKind> = { 11434: "ollama", 1234: "lmstudio", 8080: "llamacpp", 8000: "vllm" };

interface Answer {
  status: number;
  json: unknown;
}

/** GET http://127.0.0.1:<port><path> → status and parsed JSON (undefined when not JSON); undefined when nothing usable answered. */
function getJson(port: number, path: string, timeoutMs: number, signal?: AbortSignal): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Answer | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      req.destroy();
      resolve(a);
    };
    const onAbort = () => done(undefined);
    const req = request(
      { host: "127.0.0.1", port, path, method: "GET", headers: { accept: "application/json" }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > PROBE_LIMITS.maxBodyBytes) return done(undefined);
          chunks.push(c);
        });
        res.on("end", () => {
          let json: unknown;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            json = undefined;
          }
          done({ status: res.statusCode ?? 0, json });
        });
        res.on("error", () => done(undefined));
      },
    );
    const timer = setTimeout(() => done(undefined), timeoutMs);
    req.on("error", () => done(undefined));
    if (signal?.aborted) return done(undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
    req.end();
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A model id as servers name them ("qwen2.5-coder:7b", "lmstudio-community/…gguf"); nothing with control characters. */
function validId(v: unknown): v is string {
  return (
    typeof v === "string" &&
    v.trim() !== "" &&
    v.length <= PROBE_LIMITS.maxModelIdChars &&
    !/[\u0000-\u001f\u007f]/.test(v)
  );
}

/** OpenAI's `{object: "list", data: [{id, …}]}`; undefined when the body is not that. */
export function parseOpenAiModels(json: unknown): { ids: string[]; ownedBy: string[] } | undefined {
  if (!isRecord(json) || json.object !== "list" || !Array.isArray(json.data)) return undefined;
  const ids: string[] = [];
  const ownedBy: string[] = [];
  for (const m of json.data.slice(0, PROBE_LIMITS.maxModels)) {
    if (!isRecord(m) || !validId(m.id)) return undefined;
    ids.push(m.id);
    if (typeof m.owned_by === "string") ownedBy.push(m.owned_by.toLowerCase());
  }
  return { ids, ownedBy };
}

/** Ollama's `{models: [{name, …}]}`; undefined when the body is not that. */
export function parseOllamaTags(json: unknown): string[] | undefined {
  if (!isRecord(json) || !Array.isArray(json.models)) return undefined;
  const ids: string[] = [];
  for (const m of json.models.slice(0, PROBE_LIMITS.maxModels)) {
    if (!isRecord(m) || !validId(m.name)) return undefined;
    ids.push(m.name);
  }
  return ids;
}

/** OpenAI's error body (`{error: {message}}`), as a server with `--api-key` sends on 401. */
function isOpenAiError(json: unknown): boolean {
  return isRecord(json) && isRecord(json.error) && typeof json.error.message === "string";
}

function kindFrom(port: number, ownedBy: string[], ollama: boolean): LocalServerKind {
  if (ollama) return "ollama";
  const owners = ownedBy.join(" ");
  if (owners.includes("llamacpp")) return "llamacpp";
  if (owners.includes("vllm")) return "vllm";
  if (owners.includes("organization_owner") || owners.includes("lmstudio")) return "lmstudio";
  return BY_PORT[port] ?? "openai-compatible";
}

async function probePort(port: number, timeoutMs: number, signal?: AbortSignal): Promise<DiscoveredServer | undefined> {
  const [openai, tags] = await Promise.all([
    getJson(port, "/v1/models", timeoutMs, signal),
    // Only Ollama answers /api/tags; asked on every port so Ollama on another port is still named right.
    getJson(port, "/api/tags", timeoutMs, signal),
  ]);
  const ollamaModels = tags?.status === 200 ? parseOllamaTags(tags.json) : undefined;
  const list = openai?.status === 200 ? parseOpenAiModels(openai.json) : undefined;
  const needsApiKey = list === undefined && openai?.status === 401 && isOpenAiError(openai.json);
  if (list === undefined && ollamaModels === undefined && !needsApiKey) return undefined;
  const kind = kindFrom(port, list?.ownedBy ?? [], ollamaModels !== undefined);
  // Ollama's own list has every pulled model; its /v1/models shows the same ids.
  const models = [...new Set([...(list?.ids ?? []), ...(ollamaModels ?? [])])].slice(0, PROBE_LIMITS.maxModels);
  return { kind, name: NAMES[kind], port, baseUrl: `http://127.0.0.1:${port}/v1`, models, needsApiKey };
}

/** Probes every port in parallel; the whole call takes at most about `timeoutMs`. */
export async function discoverLocalServers(opts: ProbeOptions): Promise<DiscoveryResult> {
  const timeoutMs = opts.timeoutMs ?? PROBE_LIMITS.timeoutMs;
  const ports = [...new Set(opts.ports)].filter((p) => !(opts.skip ?? []).includes(p));
  const found = await Promise.all(ports.map((p) => probePort(p, timeoutMs, opts.signal)));
  return { servers: found.filter((s): s is DiscoveredServer => s !== undefined), probed: ports };
}
