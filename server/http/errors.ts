import type { ApiError, ApiErrorBody, ErrorCode } from "../api/errors";

const STATUS: Record<ErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN_ORIGIN: 403,
  FORBIDDEN_HOST: 403,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  INTERNAL: 500,
  NO_PROVIDER: 409,
  PROVIDER_AUTH_FAILED: 502,
  PROVIDER_MODEL_NOT_FOUND: 502,
  PROVIDER_UNREACHABLE: 502,
  PROVIDER_RATE_LIMITED: 429,
  PROVIDER_TIMEOUT: 504,
  PROVIDER_BAD_RESPONSE: 502,
  PROVIDER_ERROR: 502,
  CANCELLED: 499,
  DOCKER_UNAVAILABLE: 503,
  DOCKER_PERMISSION_DENIED: 503,
  DOCKER_TIMEOUT: 504,
  DOCKER_ERROR: 502,
  IMAGE_NOT_FOUND: 404,
  REGISTRY_UNREACHABLE: 502,
  WORKSPACE_NAME_TAKEN: 409,
  WORKSPACE_NOT_FOUND: 404,
  WORKSPACE_NOT_RUNNING: 409,
  INVALID_LIMITS: 400,
  PORT_UNAVAILABLE: 409,
  FILE_NOT_FOUND: 404,
  FILE_EXISTS: 409,
  FILE_IS_DIRECTORY: 409,
  FILE_TOO_LARGE: 413,
  WORKSPACE_HOST_UNKNOWN: 404,
  WORKSPACE_HOST_UNREACHABLE: 502,
  WORKSPACE_HOST_KEY_REJECTED: 502,
  HOST_UNKNOWN: 404,
  HOST_ID_TAKEN: 409,
  HOST_UNREACHABLE: 502,
  HOST_AUTH_FAILED: 502,
  // the client must send the key passphrase / password from its SecretStorage
  HOST_SECRET_REQUIRED: 428,
  HOST_KEY_FILE_REJECTED: 400,
  // the user must look at the fingerprint and trust it (POST /api/hosts/:id/trust)
  HOST_KEY_UNKNOWN: 409,
  HOST_KEY_CHANGED: 409,
  HOST_KEY_REVOKED: 409,
  HOST_CONNECTION_LOST: 502,
  HOST_COMMAND_TIMEOUT: 504,
  CONTAINER_NOT_FOUND: 404,
  CONFIRM_TOKEN_REJECTED: 409,
};

/** An error that becomes `{error:{code,message,hint}}` with the status for its code. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    status?: number,
  ) {
    super(message);
    this.status = status ?? STATUS[code];
  }

  toApiError(): ApiError {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }

  toBody(): ApiErrorBody {
    return { error: this.toApiError() };
  }
}

export function statusFor(code: ErrorCode): number {
  return STATUS[code];
}

/** Turns anything thrown into an AppError without leaking stack traces or internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError("INTERNAL", "Internal error in the AiCockpit backend. See the backend log for details.");
}
