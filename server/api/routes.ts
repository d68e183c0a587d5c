/**
 * The HTTP contract in one table: "METHOD /path" → [request body, response body].
 * The extension's client is typed from this table, so a wrong payload fails to compile.
 * `/v1/*` (OpenAI-compatible pass-through) follows OpenAI's own schema and is not listed.
 */
import type { HealthResponse, ReadyResponse } from "./health";
import type { ShellAssessment, ShellAssessRequest, ShellSuggestion, ShellSuggestRequest } from "./shell";
import type { DiffRequest, DiffResponse, EditEvent, EditRequest } from "./edit";
import type { ChatEvent, ChatRequest } from "./chat";
import type {
  CreateWorkspaceEvent,
  CreateWorkspaceRequest,
  DeleteWorkspaceRequest,
  DeleteWorkspaceResponse,
  ExecRequest,
  ExecResult,
  FileDeleteRequest,
  FileListResponse,
  FilePathRequest,
  FileReadResponse,
  FileRenameRequest,
  FileStat,
  FileWriteRequest,
  ProbeHostKeyRequest,
  StackList,
  WorkspaceHostInput,
  WorkspaceHostList,
  WorkspaceHostView,
  WorkspaceList,
  WorkspaceView,
} from "./workspaces";
import type { CompletionFeedback, CompletionFeedbackResponse, CompletionRequest, CompletionResponse } from "./completion";
import type {
  ModelList,
  ProviderInput,
  ProviderList,
  ProviderPatch,
  ProviderView,
  TestConnectionResult,
} from "./providers";

export type Empty = Record<string, never>;

export interface ApiRoutes {
  "POST /api/edit/diff": [DiffRequest, DiffResponse];
  "GET /health": [Empty, HealthResponse];
  "GET /ready": [Empty, ReadyResponse];
  "GET /api/providers": [Empty, ProviderList];
  "POST /api/providers": [ProviderInput, ProviderView];
  "PATCH /api/providers/:id": [ProviderPatch, ProviderView];
  "DELETE /api/providers/:id": [Empty, { removed: true }];
  "POST /api/providers/:id/activate": [Empty, ProviderList];
  "POST /api/providers/:id/test": [Empty, TestConnectionResult];
  "GET /api/providers/:id/models": [Empty, ModelList];
  "POST /api/complete": [CompletionRequest, CompletionResponse];
  "POST /api/complete/feedback": [CompletionFeedback, CompletionFeedbackResponse];
  "POST /api/shell/assess": [ShellAssessRequest, ShellAssessment];
  "POST /api/shell/suggest": [ShellSuggestRequest, ShellSuggestion];
  "GET /api/workspaces/stacks": [Empty, StackList];
  "GET /api/workspaces": [Empty, WorkspaceList];
  "GET /api/workspaces/:id": [Empty, WorkspaceView];
  "POST /api/workspaces/:id/start": [Empty, WorkspaceView];
  "POST /api/workspaces/:id/stop": [Empty, WorkspaceView];
  "POST /api/workspaces/:id/restart": [Empty, WorkspaceView];
  "DELETE /api/workspaces/:id": [DeleteWorkspaceRequest, DeleteWorkspaceResponse];
  "POST /api/workspaces/:id/exec": [ExecRequest, ExecResult];
  "POST /api/workspaces/:id/files/stat": [FilePathRequest, FileStat];
  "POST /api/workspaces/:id/files/list": [FilePathRequest, FileListResponse];
  "POST /api/workspaces/:id/files/read": [FilePathRequest, FileReadResponse];
  "POST /api/workspaces/:id/files/write": [FileWriteRequest, FileStat];
  "POST /api/workspaces/:id/files/delete": [FileDeleteRequest, { deleted: true }];
  "POST /api/workspaces/:id/files/mkdir": [FilePathRequest, { created: true }];
  "POST /api/workspaces/:id/files/rename": [FileRenameRequest, { renamed: true }];
  "GET /api/workspace-hosts": [Empty, WorkspaceHostList];
  "POST /api/workspace-hosts/probe-key": [ProbeHostKeyRequest, { fingerprint: string }];
  "PUT /api/workspace-hosts/:id": [WorkspaceHostInput, WorkspaceHostView];
  "DELETE /api/workspace-hosts/:id": [Empty, { removed: true }];
}

/**
 * Streaming routes: "METHOD /path" → [request body, event type]. Each SSE `data:` line is one
 * JSON event; the stream ends with `data: [DONE]`. Failures before the first event are plain
 * JSON errors with their HTTP status.
 */
export interface StreamRoutes {
  "POST /api/edit": [EditRequest, EditEvent];
  "POST /api/workspaces": [CreateWorkspaceRequest, CreateWorkspaceEvent];
  "POST /api/chat": [ChatRequest, ChatEvent];
}

export type RouteKey = keyof ApiRoutes;
export type RouteRequest<K extends RouteKey> = ApiRoutes[K][0];
export type RouteResponse<K extends RouteKey> = ApiRoutes[K][1];

/** First line the backend prints on stdout once it listens. */
export const READY_LINE_PREFIX = "AICOCKPIT_READY ";
export interface ReadyLine {
  port: number;
}
