/** `/health`, `/ready` contract. */
import type { ErrorCode } from "./errors";
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
  /** On failure, the stable error class (e.g. PROVIDER_AUTH_FAILED), so clients can offer the right fix. */
  code?: ErrorCode;
}

export interface ReadyResponse {
  ready: boolean;
  provider: ComponentCheck & { id: string | null; model: string | null };
  docker: ComponentCheck;
}
