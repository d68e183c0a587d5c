/**
 * The rows of the setup quick pick ("AiCockpit: Set Up a Model…", the status item, the
 * walkthrough), as a pure function of what the backend found: model servers on this machine,
 * the built-in model catalog, and the AI services that need a key. No `vscode` import, so
 * every wording is unit-tested; setup/flow.ts renders the rows and acts on the pick.
 */
import type { DiscoveredServer, DiscoveryResult } from "../../server/api/discovery";
import type { LocalModelCatalog, LocalModelCatalogEntry } from "../../server/api/local-model";
import { formatBytes } from "../../common/bytes";

export type ServiceKind = "openai" | "azure" | "gemini" | "custom";

export type SetupChoice =
  | { kind: "server"; server: DiscoveredServer }
  | { kind: "catalog"; entry: LocalModelCatalogEntry }
  | { kind: "gguf" }
  | { kind: "service"; service: ServiceKind }
  | { kind: "rescan" };

export interface SetupRow {
  label: string;
  description?: string;
  detail?: string;
  /** A separator row (label = section title) when absent and `separator` is set. */
  separator?: boolean;
  choice?: SetupChoice;
}

/** Something being fetched, fetched, or failed with a sentence. */
export type Loadable<T> = { state: "loading" } | { state: "ok"; value: T } | { state: "failed"; message: string };

const SERVICES: { service: ServiceKind; label: string; detail: string }[] = [
  { service: "openai", label: "$(key) OpenAI", detail: "An OpenAI API key." },
  {
    service: "gemini",
    label: "$(key) Google Gemini",
    detail: "A Gemini API key (Google's OpenAI-compatible endpoint).",
  },
  { service: "azure", label: "$(key) Azure OpenAI", detail: "Your resource address, a deployment name and its key." },
  {
    service: "custom",
    label: "$(globe) Another OpenAI-compatible server…",
    detail: "Any address that speaks the OpenAI API (a key only if it asks for one).",
  },
];

/** "qwen2.5-coder:7b, llama3.2:3b and 4 more" */
export function modelSummary(models: readonly string[], shown = 3): string {
  if (models.length <= shown) return models.join(", ");
  return `${models.slice(0, shown).join(", ")} and ${models.length - shown} more`;
}

export function serverRow(server: DiscoveredServer): SetupRow {
  const n = server.models.length;
  const description = server.needsApiKey
    ? "asks for an API key"
    : n === 0
      ? "no model loaded"
      : `${n} model${n === 1 ? "" : "s"}`;
  return {
    label: `$(vm-running) ${server.name} on 127.0.0.1:${server.port}`,
    description,
    detail: n > 0 ? modelSummary(server.models) : server.needsApiKey ? "Enter its key, then pick a model." : undefined,
    choice: { kind: "server", server },
  };
}

/** "531 MB · recommended · from huggingface.co" — what and how big, before anything downloads. */
export function catalogRow(entry: LocalModelCatalogEntry): SetupRow {
  let host = entry.url;
  try {
    host = new URL(entry.url).host;
  } catch {
    // shown as given
  }
  const state = entry.downloaded
    ? "downloaded"
    : entry.partialBytes > 0
      ? `${formatBytes(entry.partialBytes)} already downloaded`
      : `download from ${host}`;
  return {
    label: `$(cloud-download) ${entry.name}`,
    description: [formatBytes(entry.sizeBytes), entry.recommended ? "recommended" : undefined, state]
      .filter((s) => s !== undefined)
      .join(" · "),
    detail: entry.why,
    choice: { kind: "catalog", entry },
  };
}

function discoveryRows(discovery: Loadable<DiscoveryResult>): SetupRow[] {
  if (discovery.state === "loading") {
    return [{ label: "$(loading~spin) Looking for model servers on this machine…" }];
  }
  if (discovery.state === "failed") {
    return [
      {
        label: "$(refresh) Look for model servers again",
        description: discovery.message,
        choice: { kind: "rescan" },
      },
    ];
  }
  const { servers, probed } = discovery.value;
  if (servers.length > 0) return servers.map(serverRow);
  return [
    {
      label: "$(refresh) No model server found — look again",
      description: `ports ${probed.join(", ")}`,
      detail: "Start Ollama, LM Studio, llama.cpp server or vLLM, then pick this.",
      choice: { kind: "rescan" },
    },
  ];
}

function catalogRows(catalog: Loadable<LocalModelCatalog>): SetupRow[] {
  if (catalog.state === "loading") return [{ label: "$(loading~spin) Reading the built-in model list…" }];
  if (catalog.state === "failed")
    return [{ label: "$(warning) The built-in model list is not available", description: catalog.message }];
  // The recommended model first: it is the one-click answer for a newcomer.
  const models = [...catalog.value.models].sort((a, b) => Number(b.recommended) - Number(a.recommended));
  return models.map(catalogRow);
}

export function setupRows(discovery: Loadable<DiscoveryResult>, catalog: Loadable<LocalModelCatalog>): SetupRow[] {
  return [
    { label: "On this machine", separator: true },
    ...discoveryRows(discovery),
    { label: "Built-in model (nothing else to install)", separator: true },
    ...catalogRows(catalog),
    {
      label: "$(file) Choose a GGUF file…",
      detail: "A model file you already have, e.g. downloaded on another machine.",
      choice: { kind: "gguf" },
    },
    { label: "AI service", separator: true },
    ...SERVICES.map(
      (s) => ({ label: s.label, detail: s.detail, choice: { kind: "service", service: s.service } }) as const,
    ),
  ];
}
