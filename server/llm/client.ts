/**
 * One `openai` client per provider, built once and reused until the provider changes:
 * constructing clients per request would cost time on the hot path and lose pooling.
 *
 * Every option is passed explicitly so the SDK never falls back to OPENAI_API_KEY /
 * OPENAI_BASE_URL from the environment, and SDK retries are off: retry.ts owns that,
 * because only we know whether a token already reached the user.
 */
import OpenAI, { AzureOpenAI } from "openai";
import type { ProviderKind } from "../api/providers";
import type { ResolvedProvider } from "./registry";
import type { Transport } from "./transport";

/** Kinds whose services always need a key: we fail fast instead of sending a request. */
export const KEY_REQUIRED: Record<ProviderKind, boolean> = { openai: true, azure: true, gemini: true, custom: false };

/** Local servers ignore the key, but the SDK insists on a string; this one is never secret. */
const NO_KEY = "no-key";

export function buildClient(p: ResolvedProvider, transport: Transport): OpenAI {
  const common = {
    apiKey: p.apiKey ?? NO_KEY,
    maxRetries: 0,
    // Our own timers bound each attempt; the SDK's must not fire first.
    timeout: p.timeoutMs + 60_000,
    fetch: transport.fetchFor(p.baseUrl),
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

export class ClientCache {
  private readonly clients = new Map<string, { revision: number; client: OpenAI }>();
  constructor(private readonly transport: Transport) {}

  get(p: ResolvedProvider): OpenAI {
    const hit = this.clients.get(p.id);
    if (hit && hit.revision === p.revision) return hit.client;
    const client = buildClient(p, this.transport);
    this.clients.set(p.id, { revision: p.revision, client });
    return client;
  }

  forget(id: string): void {
    this.clients.delete(id);
  }
}
