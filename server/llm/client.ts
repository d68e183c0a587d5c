/**
 * One `openai` client per provider, built once and reused until the provider changes.
 *
 * The SDK is where each kind's wire details live (base path, `Authorization` vs Azure's
 * `api-key`, `/deployments/<model>/…?api-version=…`, its standard headers). upstream.ts asks
 * it to build a request once per provider/path/model (`prepare`) and sends that template
 * itself: the SDK's per-call machinery (option merging, logging, timers) measured at
 * 120-200 µs a request, more than the gateway's whole budget. The SDK is loaded on the
 * first request, not at startup.
 *
 * Every option is passed explicitly so the SDK never falls back to OPENAI_API_KEY /
 * OPENAI_BASE_URL from the environment, and SDK retries are off: retry.ts owns that,
 * because only we know whether a token already reached the user.
 */
import type { ProviderKind } from "../api/providers";
import type { ResolvedProvider } from "./registry";

/** Kinds whose services always need a key: we fail fast instead of sending a request. */
export const KEY_REQUIRED: Record<ProviderKind, boolean> = {
  openai: true,
  azure: true,
  gemini: true,
  custom: false,
  local: false,
};

/** Local servers ignore the key, but the SDK insists on a string; this one is never secret. */
const NO_KEY = "no-key";

/**
 * The SDK only builds requests here; sending is upstream.ts's job (retries, timeouts,
 * metrics, proxy/CA). A stray SDK call would bypass all of that, so it fails loudly.
 */
const refuseFetch = (): Promise<never> =>
  Promise.reject(new Error("AiCockpit sends AI requests through server/llm/upstream.ts, not the SDK's own fetch"));

const loadSdk = () => import("openai");
type Sdk = Awaited<ReturnType<typeof loadSdk>>;
type OpenAIClient = InstanceType<Sdk["OpenAI"]>;
let sdk: Promise<Sdk> | undefined;

/** Loads the SDK ahead of the first request (it is kept off the startup path). */
export async function warmSdk(): Promise<void> {
  await (sdk ??= loadSdk());
}

export async function buildClient(p: ResolvedProvider): Promise<OpenAIClient> {
  const { OpenAI, AzureOpenAI } = await (sdk ??= loadSdk());
  const common = {
    apiKey: p.apiKey ?? NO_KEY,
    maxRetries: 0,
    // Our own timers bound each attempt; the SDK's must not fire first.
    timeout: p.timeoutMs + 60_000,
    fetch: refuseFetch,
    organization: null,
    project: null,
    webhookSecret: null,
    logLevel: "off" as const,
  };
  if (p.kind === "azure") {
    // No `deployment`: the SDK derives /deployments/<model>/ from each request's model.
    // baseURL rather than `endpoint`, so OPENAI_BASE_URL in the environment cannot interfere.
    return new AzureOpenAI({ ...common, baseURL: `${p.baseUrl}/openai`, apiVersion: p.apiVersion ?? "2024-10-21" });
  }
  return new OpenAI({ ...common, baseURL: p.baseUrl });
}

/** What to send for one provider/path/model: the URL and the headers the SDK would use. */
export interface PreparedRequest {
  url: URL;
  headers: Record<string, string>;
}

/** Azure puts the model (deployment) in the path, so templates are per model; bound the cache. */
const MAX_TEMPLATES = 256;

export class ClientCache {
  private readonly clients = new Map<string, { revision: number; client: Promise<OpenAIClient> }>();
  private readonly templates = new Map<string, Promise<PreparedRequest>>();

  prepare(p: ResolvedProvider, method: "get" | "post", path: string, model: string): Promise<PreparedRequest> {
    const key = `${p.id}\u0000${p.revision}\u0000${method}\u0000${path}\u0000${p.kind === "azure" ? model : ""}`;
    let hit = this.templates.get(key);
    if (!hit) {
      if (this.templates.size >= MAX_TEMPLATES) this.templates.clear();
      hit = this.get(p)
        .then((client) => client.buildRequest(method === "post" ? { method, path, body: { model } } : { method, path }))
        .then(({ req, url }) => ({
          url: new URL(url),
          headers: Object.fromEntries(req.headers as unknown as Iterable<[string, string]>),
        }));
      // A failed build must not stick in the cache.
      hit.catch(() => this.templates.delete(key));
      this.templates.set(key, hit);
    }
    return hit;
  }

  private get(p: ResolvedProvider): Promise<OpenAIClient> {
    const hit = this.clients.get(p.id);
    if (hit && hit.revision === p.revision) return hit.client;
    const client = buildClient(p);
    this.clients.set(p.id, { revision: p.revision, client });
    return client;
  }

  forget(id: string): void {
    this.clients.delete(id);
    for (const k of this.templates.keys()) if (k.startsWith(`${id}\u0000`)) this.templates.delete(k);
  }
}
