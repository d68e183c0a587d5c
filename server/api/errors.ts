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
  | "DOCKER_UNAVAILABLE"
  // Docker workspaces (server/workspaces/)
  | "DOCKER_PERMISSION_DENIED"
  | "DOCKER_TIMEOUT"
  | "DOCKER_ERROR"
  | "IMAGE_NOT_FOUND"
  | "REGISTRY_UNREACHABLE"
  | "WORKSPACE_NAME_TAKEN"
  | "WORKSPACE_NOT_FOUND"
  | "WORKSPACE_NOT_RUNNING"
  | "INVALID_LIMITS"
  | "PORT_UNAVAILABLE"
  | "FILE_NOT_FOUND"
  | "FILE_EXISTS"
  | "FILE_IS_DIRECTORY"
  | "FILE_TOO_LARGE"
  | "WORKSPACE_HOST_UNKNOWN"
  | "WORKSPACE_HOST_UNREACHABLE"
  | "WORKSPACE_HOST_KEY_REJECTED"
  // SSH hosts (server/hosts/)
  | "HOST_UNKNOWN"
  | "HOST_ID_TAKEN"
  | "HOST_UNREACHABLE"
  | "HOST_AUTH_FAILED"
  | "HOST_SECRET_REQUIRED"
  | "HOST_KEY_FILE_REJECTED"
  | "HOST_KEY_UNKNOWN"
  | "HOST_KEY_CHANGED"
  | "HOST_KEY_REVOKED"
  | "HOST_CONNECTION_LOST"
  | "HOST_COMMAND_TIMEOUT"
  // containers on any host (server/containers/)
  | "CONTAINER_NOT_FOUND"
  | "CONFIRM_TOKEN_REJECTED"
  | "CONTAINER_SHELL_NOT_FOUND"
  // host tasks (server/tasks/)
  | "TASK_NOT_FOUND"
  | "TASK_DECISION_STALE"
  // embedded local model (server/local-model/)
  | "LOCAL_MODEL_UNAVAILABLE"
  | "LOCAL_MODEL_NOT_DOWNLOADED"
  | "LOCAL_MODEL_NOT_FOUND"
  | "LOCAL_MODEL_LOAD_FAILED"
  | "LOCAL_MODEL_DOWNLOAD_FAILED"
  | "LOCAL_MODEL_DOWNLOAD_IN_PROGRESS"
  | "LOCAL_MODEL_CHECKSUM_MISMATCH"
  // ticket agents (server/tickets/)
  | "TICKET_NOT_FOUND"
  | "TICKET_RUN_NOT_FOUND"
  | "TICKET_RUN_ACTIVE"
  | "TICKET_REPO_REFUSED"
  | "TICKET_DIRTY_TREE"
  | "TICKET_GIT_FAILED"
  | "TICKET_CONFIRMATION_STALE"
  | "TICKET_WORKSPACE_REFUSED"
  | "FORGE_AUTH_FAILED"
  | "FORGE_FORBIDDEN"
  | "FORGE_REJECTED"
  | "FORGE_UNREACHABLE"
  | "AGENT_UNAVAILABLE"
  | "AGENT_FAILED"
  // @codebase indexes (server/codebase/)
  | "CODEBASE_NOT_FOUND"
  | "CODEBASE_ROOT_INVALID"
  | "CODEBASE_ROOT_REFUSED"
  | "CODEBASE_BUSY"
  | "CODEBASE_BUILD_FAILED";

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
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as ApiError).code === "string" &&
    typeof (e as ApiError).message === "string"
  );
}
