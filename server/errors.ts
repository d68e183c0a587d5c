/**
 * The one error type the backend's domain code throws: a stable `code` from the contract
 * (server/api/errors.ts), a human `message` and an optional `hint`. It knows nothing about
 * HTTP; server/http/errors.ts maps each code to a status when it crosses the wire.
 */
import type { ApiError, ApiErrorBody, ErrorCode } from "./api/errors";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  toApiError(): ApiError {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }

  toBody(): ApiErrorBody {
    return { error: this.toApiError() };
  }
}

/** Turns anything thrown into an AppError without leaking stack traces or internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError("INTERNAL", "Internal error in the AiCockpit backend. See the backend log for details.");
}
