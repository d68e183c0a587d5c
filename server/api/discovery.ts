/** Local model server discovery contract (`GET /api/providers/discover`). */

/** What answered on a port, judged by its answers (Ollama's /api/tags, `owned_by`) and, failing that, by the port. */
export type LocalServerKind = "ollama" | "lmstudio" | "llamacpp" | "vllm" | "openai-compatible";

/** The ports probed when AICOCKPIT_DISCOVER_PORTS is not set: Ollama, LM Studio, llama.cpp server, vLLM. */
export const DEFAULT_DISCOVER_PORTS: readonly number[] = [11434, 1234, 8080, 8000];

export interface DiscoveredServer {
  kind: LocalServerKind;
  /** e.g. "Ollama", "LM Studio", "llama.cpp server". */
  name: string;
  port: number;
  /** OpenAI-compatible base URL to configure, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: string;
  /** Model ids the server lists (at most 200, each validated); may be empty (nothing loaded yet). */
  models: string[];
  /** The server asked for an API key (401 with an OpenAI-style error): it is an AI service, its models are unknown. */
  needsApiKey: boolean;
}

export interface DiscoveryResult {
  servers: DiscoveredServer[];
  /** Every port that was tried, found or not (so a client can say where it looked). */
  probed: number[];
}
