/** `/health`, `/ready` contract. */
export interface HealthResponse {
  status: "ok";
  version: string;
  uptimeSeconds: number;
}

export interface ComponentCheck {
  ok: boolean;
  /** Human-readable reason, present on failure and optionally on success (e.g. model name). */
  reason: string;
  latencyMs?: number;
}

export interface ReadyResponse {
  ready: boolean;
  provider: ComponentCheck & { id: string | null; model: string | null };
  docker: ComponentCheck;
}
