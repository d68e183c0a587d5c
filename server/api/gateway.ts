/**
 * AI Command Gateway contract (`POST /api/gateway/execute`), public and stable.
 *
 * A plain-words intent for ONE container becomes exactly one validated `docker` command,
 * run on this machine or on an SSH host, with a structured result. Field names are
 * snake_case in the response (and camelCase in the request) exactly as published.
 *
 * Every gateway outcome is HTTP 200 with `overall_status` in the body; only transport
 * failures (401 token, 403 Origin/Host, 413 size, 400 unparsable JSON) use HTTP codes.
 */
import type { CredentialsByHost } from "./hosts";

export const GATEWAY_STATUSES = [
  "SUCCESS",
  "COMMAND_FAILED",
  "DRY_RUN",
  "CONFIRMATION_REQUIRED",
  "VALIDATION_ERROR",
  "LLM_ERROR",
  "CONFIGURATION_ERROR",
  "TIMEOUT",
  "CONNECTION_ERROR",
] as const;

/**
 * - `SUCCESS`: ran, exit code 0. `COMMAND_FAILED`: ran, non-zero exit.
 * - `DRY_RUN`: `dryRun` was set and the command would run without confirmation (nothing ran;
 *   neither Docker nor SSH was contacted).
 * - `CONFIRMATION_REQUIRED`: nothing ran; repeat the request with `confirmToken` set to
 *   `confirm_token` (valid once, for 120 s, for exactly `argv` on this target).
 * - `VALIDATION_ERROR`: nothing ran and nothing will, confirmed or not; see `reasons`.
 * - `LLM_ERROR`: the AI service failed. `CONFIGURATION_ERROR`: no AI service, unknown host,
 *   no docker CLI. `TIMEOUT`: killed after the time limit. `CONNECTION_ERROR`: Docker or
 *   the SSH host could not be reached.
 */
export type GatewayStatus = (typeof GATEWAY_STATUSES)[number];

export interface GatewayTarget {
  /** `"local"` or the id of a configured SSH host. */
  host: string;
  /** Container name, or an alias (e.g. "market predictor") from the alias table. */
  container: string;
}

export interface GatewayExecuteRequest {
  intent: string;
  target: GatewayTarget;
  /** Validate only: nothing runs and neither Docker nor SSH is contacted. */
  dryRun?: boolean;
  /** From an earlier CONFIRMATION_REQUIRED answer: runs exactly that argv, without asking the model again. */
  confirmToken?: string;
  /**
   * Key passphrase / password per host id (the target and its jump hops) for hosts whose
   * secret lives in the client's SecretStorage. Used to open the SSH connection only: never
   * logged, audited or stored. Without it such a host answers CONFIGURATION_ERROR with
   * error_code HOST_SECRET_REQUIRED.
   */
  credentials?: CredentialsByHost;
}

export interface GatewayErrorDetails {
  error_code: string;
  error_message: string;
}

export interface GatewayExecuteResponse {
  request_id: string;
  gateway_instance_id: string;
  overall_status: GatewayStatus;
  /** The command for display (argv quoted for a POSIX shell), or the model's raw text when it was refused before parsing. */
  command?: string;
  argv?: string[];
  exit_code?: number;
  signal?: string;
  stdout?: string;
  stderr?: string;
  truncated?: { stdout: boolean; stderr: boolean };
  execution_time_ms?: number;
  confirm_token?: string;
  reasons?: string[];
  error_details?: GatewayErrorDetails;
}

export const GATEWAY_LIMITS = {
  intentChars: 2_000,
  containerChars: 128,
  hostChars: 64,
  tokenChars: 16_384,
  /** Per stream; more is cut and `truncated` says so. */
  maxOutputBytes: 1024 * 1024,
  defaultTimeoutMs: 30_000,
  confirmTtlMs: 120_000,
} as const;
