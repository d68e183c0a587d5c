/**
 * The configured AI providers and which one is active.
 *
 * Settings persist in <dataDir>/providers.json; API keys never do. Keys are pushed by the
 * extension from VS Code SecretStorage and live only in this process's memory, so after a
 * restart a provider reports `hasApiKey: false` until the extension pushes the key again.
 * The provider from AICOCKPIT_LLM_* has id "default", is rebuilt from the environment on
 * every start (never persisted) and is active whenever no other provider is.
 */
import { join } from "node:path";
import { renameSync } from "node:fs";
import { z } from "zod";
import {
  PROVIDER_KINDS,
  type ProviderInput,
  type ProviderKind,
  type ProviderList,
  type ProviderPatch,
  type ProviderPatchResult,
  type ProviderView,
} from "../api/providers";
import type { DefaultProviderEnv } from "../config/env";
import { AppError } from "../errors";
import { log, registerSecret } from "../log";
import { readJsonFile, writeJsonFileAtomic } from "../store/json-file";

export const DEFAULT_PROVIDER_ID = "default";

/** A provider's settings: everything but the key. This is what goes to disk. */
export type ProviderSettings = Omit<ProviderView, "hasApiKey" | "active">;

/** Settings plus the in-memory key: what the client layer needs. Never serialise this. */
export interface ResolvedProvider extends ProviderSettings {
  apiKey?: string;
  /** Bumped on every change so cached clients know they are stale. */
  revision: number;
}

interface Entry {
  settings: ProviderSettings;
  apiKey?: string;
  fromEnv: boolean;
  revision: number;
}

interface StoredFile {
  version: 1;
  activeId: string | null;
  providers: ProviderSettings[];
}

export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

const DEFAULT_BASE: Partial<Record<ProviderKind, string>> = {
  openai: "https://api.openai.com/v1",
  gemini: "https://generativelanguage.googleapis.com/v1beta/openai",
};

/** OpenAI-compatible servers serve under /v1; a bare host is almost always a typo for that. */
export function normalizeBaseUrl(kind: ProviderKind, raw: string | undefined): string {
  // The embedded model has no address: it runs in this process.
  if (kind === "local") return "";
  const given = raw?.trim() || DEFAULT_BASE[kind];
  if (!given)
    throw new AppError(
      "BAD_REQUEST",
      `A base URL is required for a provider of kind "${kind}".`,
      kind === "azure"
        ? "Use your resource endpoint, e.g. https://my-resource.openai.azure.com."
        : "E.g. http://localhost:11434/v1 for Ollama.",
    );
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new AppError("BAD_REQUEST", `The base URL "${given}" is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new AppError("BAD_REQUEST", `The base URL must start with http:// or https:// (got "${given}").`);
  if (url.username || url.password)
    throw new AppError("BAD_REQUEST", "Put credentials in the API key, not in the base URL.");
  let path = url.pathname.replace(/\/+$/, "");
  if (path === "" && (kind === "custom" || kind === "openai")) path = "/v1";
  if (kind === "azure") path = path.replace(/\/openai$/, "");
  return `${url.origin}${path}${url.search}`;
}

const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "ids are lowercase letters, digits, '-' or '_' (max 64)");
const inputSchema = z.strictObject({
  id: idSchema.optional(),
  name: z.string().trim().min(1).max(100),
  kind: z.enum(PROVIDER_KINDS as [ProviderKind, ...ProviderKind[]]),
  baseUrl: z.string().max(2000).optional(),
  model: z.string().trim().min(1).max(200),
  apiKey: z.string().max(10_000).optional(),
  apiVersion: z.string().trim().min(1).max(50).optional(),
  timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
});
const patchSchema = inputSchema.omit({ id: true }).partial();

function invalid(err: z.ZodError): AppError {
  const first = err.issues[0];
  const where = first?.path.join(".") || "body";
  return new AppError("BAD_REQUEST", `Invalid provider settings: ${where}: ${first?.message ?? "invalid"}.`);
}

export interface RegistryOptions {
  /** Folder for providers.json; omit for a purely in-memory registry (tests). */
  dataDir?: string;
  defaultProvider?: DefaultProviderEnv;
  defaultTimeoutMs: number;
  defaultMaxRetries: number;
}

export class ProviderRegistry {
  private readonly entries = new Map<string, Entry>();
  private activeIdValue: string | null = null;
  private readonly listeners = new Set<(id: string) => void>();
  private readonly file: string | undefined;
  private revisions = 0;

  constructor(private readonly opts: RegistryOptions) {
    this.file = opts.dataDir ? join(opts.dataDir, "providers.json") : undefined;
    if (opts.defaultProvider) {
      const d = opts.defaultProvider;
      registerSecret(d.apiKey);
      this.entries.set(DEFAULT_PROVIDER_ID, {
        fromEnv: true,
        revision: ++this.revisions,
        ...(d.apiKey ? { apiKey: d.apiKey } : {}),
        settings: {
          id: DEFAULT_PROVIDER_ID,
          name: "Default (environment)",
          kind: d.kind,
          baseUrl: normalizeBaseUrl(d.kind, d.baseUrl),
          model: d.model,
          ...(d.kind === "azure" ? { apiVersion: d.apiVersion ?? AZURE_DEFAULT_API_VERSION } : {}),
          timeoutMs: opts.defaultTimeoutMs,
          maxRetries: opts.defaultMaxRetries,
        },
      });
    }
    this.load();
  }

  private load(): void {
    if (!this.file) return;
    let raw: unknown;
    try {
      raw = readJsonFile(this.file);
    } catch (err) {
      // Keep the unreadable file for the user instead of overwriting it with an empty list.
      const aside = `${this.file}.corrupt-${Date.now()}`;
      log.warn(`providers.json is not valid JSON; moved aside to ${aside}`, { error: String(err) });
      try {
        renameSync(this.file, aside);
      } catch {
        /* nothing more we can do; starting empty is still safe */
      }
      return;
    }
    if (raw === undefined) return;
    const stored = raw as Partial<StoredFile>;
    for (const p of Array.isArray(stored.providers) ? stored.providers : []) {
      const parsed = inputSchema.safeParse(p);
      if (!parsed.success || !parsed.data.id || parsed.data.id === DEFAULT_PROVIDER_ID) {
        log.warn("ignoring an invalid provider entry in providers.json");
        continue;
      }
      try {
        this.entries.set(parsed.data.id, {
          settings: this.settingsFrom({ ...parsed.data, id: parsed.data.id }),
          fromEnv: false,
          revision: ++this.revisions,
        });
      } catch (err) {
        log.warn(`ignoring provider "${parsed.data.id}" from providers.json: ${(err as Error).message}`);
      }
    }
    if (typeof stored.activeId === "string" && this.entries.has(stored.activeId)) this.activeIdValue = stored.activeId;
  }

  private persist(): void {
    if (!this.file) return;
    writeJsonFileAtomic(this.file, this.serialize());
  }

  /** The document written to disk. Keys are left out by construction: only settings are copied. */
  serialize(): StoredFile {
    const providers: ProviderSettings[] = [];
    for (const e of this.entries.values()) if (!e.fromEnv) providers.push({ ...e.settings });
    return { version: 1, activeId: this.activeIdValue, providers };
  }

  private settingsFrom(input: ProviderInput & { id: string }, prev?: ProviderSettings): ProviderSettings {
    const kind = input.kind;
    return {
      id: input.id,
      name: input.name,
      kind,
      baseUrl: normalizeBaseUrl(kind, input.baseUrl),
      model: input.model,
      ...(kind === "azure" ? { apiVersion: input.apiVersion ?? prev?.apiVersion ?? AZURE_DEFAULT_API_VERSION } : {}),
      timeoutMs: input.timeoutMs ?? prev?.timeoutMs ?? this.opts.defaultTimeoutMs,
      maxRetries: input.maxRetries ?? prev?.maxRetries ?? this.opts.defaultMaxRetries,
    };
  }

  onChange(listener: (id: string) => void): void {
    this.listeners.add(listener);
  }

  private changed(id: string): void {
    for (const l of this.listeners) l(id);
  }

  /** The active id: the chosen one, else the env default, else null. */
  activeId(): string | null {
    if (this.activeIdValue !== null && this.entries.has(this.activeIdValue)) return this.activeIdValue;
    return this.entries.has(DEFAULT_PROVIDER_ID) ? DEFAULT_PROVIDER_ID : null;
  }

  view(id: string): ProviderView {
    const e = this.entry(id);
    const s = e.settings;
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      baseUrl: s.baseUrl,
      model: s.model,
      ...(s.apiVersion !== undefined ? { apiVersion: s.apiVersion } : {}),
      timeoutMs: s.timeoutMs,
      maxRetries: s.maxRetries,
      hasApiKey: e.apiKey !== undefined,
      active: this.activeId() === s.id,
    };
  }

  list(): ProviderList {
    return { providers: [...this.entries.keys()].map((id) => this.view(id)), activeId: this.activeId() };
  }

  /** Settings and key for the client layer. Throws NOT_FOUND for unknown ids. */
  resolve(id: string): ResolvedProvider {
    const e = this.entry(id);
    return { ...e.settings, ...(e.apiKey !== undefined ? { apiKey: e.apiKey } : {}), revision: e.revision };
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e)
      throw new AppError(
        "NOT_FOUND",
        `There is no AI provider with id "${id}".`,
        "List providers with GET /api/providers.",
      );
    return e;
  }

  private freshId(name: string): string {
    const base =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 48) || "provider";
    let id = base === DEFAULT_PROVIDER_ID ? `${base}-2` : base;
    for (let n = 2; this.entries.has(id); n++) id = `${base}-${n}`;
    return id;
  }

  add(body: unknown): ProviderView {
    const parsed = inputSchema.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const input = parsed.data;
    if (input.id !== undefined && this.entries.has(input.id)) {
      throw new AppError(
        "BAD_REQUEST",
        `A provider with id "${input.id}" already exists.`,
        "Update it with PATCH, or choose another id.",
      );
    }
    const id = input.id ?? this.freshId(input.name);
    const settings = this.settingsFrom({ ...input, id });
    const apiKey = input.apiKey?.trim() ? input.apiKey.trim() : undefined;
    registerSecret(apiKey);
    this.entries.set(id, { settings, fromEnv: false, revision: ++this.revisions, ...(apiKey ? { apiKey } : {}) });
    // The first provider a user adds becomes active unless they already chose one.
    if (this.activeId() === null) this.activeIdValue = id;
    this.persist();
    this.changed(id);
    return this.view(id);
  }

  /**
   * `apiKey: ""` removes the key. Patches to the env "default" provider apply in memory only:
   * the environment is its source of truth at the next start.
   *
   * A key belongs to the address it was entered for: a patch that moves the provider (another
   * baseUrl or kind) drops the stored key unless it brings its own, so a changed address can
   * never receive a key the user gave to a different service.
   */
  update(id: string, body: unknown): ProviderPatchResult {
    const e = this.entry(id);
    const parsed = patchSchema.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const patch: ProviderPatch = parsed.data;
    const merged = { ...e.settings, ...stripUndefined(patch), id } as ProviderInput & { id: string };
    const settings = this.settingsFrom(merged, e.settings);
    let apiKey = e.apiKey;
    let keyDropped = false;
    if (patch.apiKey !== undefined) {
      apiKey = patch.apiKey.trim() === "" ? undefined : patch.apiKey.trim();
      registerSecret(apiKey);
    } else if (apiKey !== undefined && (settings.baseUrl !== e.settings.baseUrl || settings.kind !== e.settings.kind)) {
      apiKey = undefined;
      keyDropped = true;
      log.info(`provider "${id}" moved to another address; its API key was dropped`, { provider: id });
    }
    const next: Entry = { settings, fromEnv: e.fromEnv, revision: ++this.revisions };
    if (apiKey !== undefined) next.apiKey = apiKey;
    this.entries.set(id, next);
    if (!e.fromEnv) this.persist();
    this.changed(id);
    return { ...this.view(id), keyDropped };
  }

  remove(id: string): void {
    const e = this.entry(id);
    if (e.fromEnv) {
      throw new AppError(
        "BAD_REQUEST",
        'The "default" provider comes from the AICOCKPIT_LLM_* environment variables and cannot be removed here.',
        "Unset those variables, or activate another provider.",
      );
    }
    this.entries.delete(id);
    if (this.activeIdValue === id) this.activeIdValue = null;
    this.persist();
    this.changed(id);
  }

  activate(id: string): ProviderList {
    this.entry(id);
    this.activeIdValue = id;
    this.persist();
    this.changed(id);
    return this.list();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o) as [keyof T, T[keyof T]][]) if (v !== undefined) out[k] = v;
  return out;
}
