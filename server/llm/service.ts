// PLACEHOLDER — replaced by the LLM provider layer.
import type { ServerConfig } from "../config/env";
import type { Metrics } from "../metrics";
import type { ComponentCheck } from "../api/health";

export interface LlmService {
  probeActive(): Promise<ComponentCheck & { id: string | null; model: string | null }>;
}

export function createLlmService(_config: ServerConfig, _metrics: Metrics): LlmService {
  return { probeActive: async () => ({ ok: false, reason: "not implemented", id: null, model: null }) };
}
