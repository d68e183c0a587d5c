/** The HTTP status each error code is sent with; the rest of the backend only knows codes (server/errors.ts). */
import type { ErrorCode } from "../api/errors";
import type { AppError } from "../errors";

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
  CONTAINER_SHELL_NOT_FOUND: 409,
  TASK_NOT_FOUND: 404,
  TASK_DECISION_STALE: 409,
  // the native module does not load on this platform: the other providers still work
  LOCAL_MODEL_UNAVAILABLE: 503,
  // the user must download it first (POST /api/local-model/download) or pick a .gguf
  LOCAL_MODEL_NOT_DOWNLOADED: 409,
  LOCAL_MODEL_NOT_FOUND: 404,
  LOCAL_MODEL_LOAD_FAILED: 422,
  LOCAL_MODEL_DOWNLOAD_FAILED: 502,
  LOCAL_MODEL_DOWNLOAD_IN_PROGRESS: 409,
  LOCAL_MODEL_CHECKSUM_MISMATCH: 502,
  TICKET_NOT_FOUND: 404,
  TICKET_RUN_NOT_FOUND: 404,
  // one running action per ticket
  TICKET_RUN_ACTIVE: 409,
  TICKET_REPO_REFUSED: 400,
  // the user must commit, stash or say `dirty: "commit"`
  TICKET_DIRTY_TREE: 409,
  TICKET_GIT_FAILED: 502,
  TICKET_CONFIRMATION_STALE: 409,
  // the workspace does not contain the ticket's clone (or is on another host)
  TICKET_WORKSPACE_REFUSED: 400,
  FORGE_AUTH_FAILED: 502,
  FORGE_FORBIDDEN: 502,
  FORGE_REJECTED: 502,
  FORGE_UNREACHABLE: 502,
  AGENT_UNAVAILABLE: 503,
  AGENT_FAILED: 502,
  // unknown or evicted: POST /api/codebase/index again
  CODEBASE_NOT_FOUND: 404,
  // not absolute, missing, or not a folder
  CODEBASE_ROOT_INVALID: 400,
  // a root the backend will not index (/, a symlink leading out)
  CODEBASE_ROOT_REFUSED: 403,
  // every index slot holds a build in progress
  CODEBASE_BUSY: 429,
  CODEBASE_BUILD_FAILED: 502,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code];
}

export function httpStatus(err: AppError): number {
  return STATUS[err.code];
}
