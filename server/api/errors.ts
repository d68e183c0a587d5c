/**
 * Errors that cross the HTTP boundary. Every non-2xx response body is an `ApiErrorBody`;
 * clients switch on `code` (stable), show `message` (human) and `hint` (what to do).
 */
export type ErrorCode =
  // transport / security
  | "UNAUTHORIZED"
  | "FORBIDDEN_ORIGIN"
  | "FORBIDDEN_HOST"
  | "PAYLOAD_TOO_LARGE"
  | "NOT_FOUND"
  | "BAD_REQUEST"
  | "INTERNAL"
  // AI providers
  | "NO_PROVIDER"
  | "PROVIDER_AUTH_FAILED"
  | "PROVIDER_MODEL_NOT_FOUND"
  | "PROVIDER_UNREACHABLE"
  | "PROVIDER_RATE_LIMITED"
  | "PROVIDER_TIMEOUT"
  | "PROVIDER_BAD_RESPONSE"
  | "PROVIDER_ERROR"
  | "CANCELLED"
  // Docker / SSH (used by later capabilities)
  | "DOCKER_UNAVAILABLE";

export interface ApiError {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export interface ApiErrorBody {
  error: ApiError;
}

export function isApiErrorBody(v: unknown): v is ApiErrorBody {
  if (typeof v !== "object" || v === null || !("error" in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === "object" && e !== null && typeof (e as ApiError).code === "string" && typeof (e as ApiError).message === "string";
}
