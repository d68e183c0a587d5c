/**
 * The HTTP contract in one table: "METHOD /path" → [request body, response body].
 * The extension's client is typed from this table, so a wrong payload fails to compile.
 * `/v1/*` (OpenAI-compatible pass-through) follows OpenAI's own schema and is not listed.
 */
import type { HealthResponse, ReadyResponse } from "./health";
import type { ShellAssessment, ShellAssessRequest, ShellSuggestion, ShellSuggestRequest } from "./shell";
import type { DiffRequest, DiffResponse, EditEvent, EditRequest } from "./edit";
import type { CodeTargetRequest, CodeTargetResponse } from "./code";
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
import type {
  AddHostRequest,
  HostList,
  HostPatch,
  HostView,
  SshConfigImportRequest,
  SshConfigImportResult,
  TestHostRequest,
  TestHostResult,
  TrustHostRequest,
} from "./hosts";
import type { GatewayExecuteRequest, GatewayExecuteResponse } from "./gateway";
import type {
  ContainerActionRequest,
  ContainerActionResponse,
  ContainerDetails,
  ContainerExecRequest,
  ContainerExecResponse,
  ContainerList,
  ContainerLogs,
  ContainerStats,
} from "./containers";
import type {
  StartTaskRequest,
  TaskDecisionRequest,
  TaskDecisionResponse,
  TaskEvent,
  TaskList,
  TaskView,
} from "./tasks";
import type {
  CreateTicketRequest,
  CreateTicketResponse,
  DeleteTicketResponse,
  TicketCommandRequest,
  TicketConfirmRequest,
  TicketConfirmResponse,
  TicketDetail,
  TicketList,
  TicketRunEvent,
  TicketRunView,
  TicketView,
  TicketWorkspaceRequest,
} from "./tickets";
import type {
  CompletionFeedback,
  CompletionFeedbackResponse,
  CompletionRequest,
  CompletionResponse,
} from "./completion";
import type {
  ModelList,
  ProviderInput,
  ProviderList,
  ProviderPatch,
  ProviderPatchResult,
  ProviderView,
  TestConnectionResult,
} from "./providers";
import type { DiscoveryResult } from "./discovery";
import type {
  CodebaseChangesRequest,
  CodebaseChangesResponse,
  CodebaseIndexRequest,
  CodebaseIndexView,
  CodebaseProgressEvent,
  CodebaseQueryRequest,
  CodebaseQueryResponse,
} from "./codebase";
import type {
  LocalModelCatalog,
  LocalModelDownloadEvent,
  LocalModelDownloadRequest,
  LocalModelLoadRequest,
  LocalModelSettings,
  LocalModelStatus,
} from "./local-model";

export type Empty = Record<string, never>;

export interface ApiRoutes {
  "POST /api/edit/diff": [DiffRequest, DiffResponse];
  /** The blocks around a cursor from the backend's parser (server/api/code.ts). */
  "POST /api/code/target": [CodeTargetRequest, CodeTargetResponse];
  "GET /health": [Empty, HealthResponse];
  "GET /ready": [Empty, ReadyResponse];
  "GET /api/providers": [Empty, ProviderList];
  "POST /api/providers": [ProviderInput, ProviderView];
  "PATCH /api/providers/:id": [ProviderPatch, ProviderPatchResult];
  "DELETE /api/providers/:id": [Empty, { removed: true }];
  "POST /api/providers/:id/activate": [Empty, ProviderList];
  "POST /api/providers/:id/test": [Empty, TestConnectionResult];
  "GET /api/providers/:id/models": [Empty, ModelList];
  /** Model servers running on this machine's default ports (Ollama, LM Studio, llama.cpp, vLLM) and their models. */
  "GET /api/providers/discover": [Empty, DiscoveryResult];
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
  "GET /api/hosts": [Empty, HostList];
  "POST /api/hosts": [AddHostRequest, HostView];
  "PATCH /api/hosts/:id": [HostPatch, HostView];
  "DELETE /api/hosts/:id": [Empty, { removed: true }];
  "POST /api/hosts/import-ssh-config": [SshConfigImportRequest, SshConfigImportResult];
  "POST /api/hosts/:id/test": [TestHostRequest, TestHostResult];
  "POST /api/hosts/:id/trust": [TrustHostRequest, HostView];
  /** Always HTTP 200 with `overall_status` (see server/api/gateway.ts). */
  "POST /api/gateway/execute": [GatewayExecuteRequest, GatewayExecuteResponse];
  /**
   * `:host` is "local" or a host id. Logs take ?tail=&since=&timestamps= query parameters; with
   * `&follow=1` the same route is an SSE stream of `ContainerLogEvent`s (read it with BackendClient.stream).
   */
  "GET /api/hosts/:host/containers": [Empty, ContainerList];
  "GET /api/hosts/:host/containers/:name": [Empty, ContainerDetails];
  "GET /api/hosts/:host/containers/:name/logs": [Empty, ContainerLogs];
  "GET /api/hosts/:host/containers/:name/stats": [Empty, ContainerStats];
  "POST /api/hosts/:host/containers/:name/start": [ContainerActionRequest, ContainerActionResponse];
  "POST /api/hosts/:host/containers/:name/stop": [ContainerActionRequest, ContainerActionResponse];
  "POST /api/hosts/:host/containers/:name/restart": [ContainerActionRequest, ContainerActionResponse];
  "POST /api/hosts/:host/containers/:name/exec": [ContainerExecRequest, ContainerExecResponse];
  /** Host tasks (server/api/tasks.ts). `GET /api/tasks/:id/events` is an SSE stream of TaskEvent (BackendClient.stream). */
  "POST /api/tasks": [StartTaskRequest, TaskView];
  "GET /api/tasks": [Empty, TaskList];
  "GET /api/tasks/:id": [Empty, TaskView];
  "POST /api/tasks/:id/decision": [TaskDecisionRequest, TaskDecisionResponse];
  "POST /api/tasks/:id/cancel": [Empty, TaskView];
  /** Embedded local model (server/api/local-model.ts). */
  "GET /api/local-model/catalog": [Empty, LocalModelCatalog];
  "GET /api/local-model/status": [Empty, LocalModelStatus];
  "PUT /api/local-model/settings": [LocalModelSettings, LocalModelStatus];
  "POST /api/local-model/load": [LocalModelLoadRequest, LocalModelStatus];
  "POST /api/local-model/unload": [Empty, LocalModelStatus];
  /** Ticket agents (server/api/tickets.ts). Run events: the SSE route below. */
  "POST /api/tickets": [CreateTicketRequest, CreateTicketResponse];
  "GET /api/tickets": [Empty, TicketList];
  "GET /api/tickets/:id": [Empty, TicketDetail];
  "DELETE /api/tickets/:id": [Empty, DeleteTicketResponse];
  "POST /api/tickets/:id/command": [TicketCommandRequest, TicketRunView];
  "GET /api/tickets/:id/runs/:run": [Empty, TicketRunView];
  "POST /api/tickets/:id/runs/:run/confirm": [TicketConfirmRequest, TicketConfirmResponse];
  "POST /api/tickets/:id/runs/:run/cancel": [Empty, TicketRunView];
  "POST /api/tickets/:id/workspace": [TicketWorkspaceRequest, TicketView];
  "DELETE /api/tickets/:id/workspace": [Empty, TicketView];
  /** @codebase indexes (server/api/codebase.ts): ensure + build, status, forwarded file changes, retrieval. */
  "POST /api/codebase/index": [CodebaseIndexRequest, CodebaseIndexView];
  "GET /api/codebase/:id": [Empty, CodebaseIndexView];
  "DELETE /api/codebase/:id": [Empty, { removed: true }];
  "POST /api/codebase/changes": [CodebaseChangesRequest, CodebaseChangesResponse];
  "POST /api/codebase/query": [CodebaseQueryRequest, CodebaseQueryResponse];
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
  /** Each message also has `id: <seq>`; send `Last-Event-ID` to resume. Ends with [DONE] once the task has finished. */
  "GET /api/tasks/:id/events": [Empty, TaskEvent];
  /** Abort the request to cancel (the partial file is kept); the same request again resumes it. */
  "POST /api/local-model/download": [LocalModelDownloadRequest, LocalModelDownloadEvent];
  /** Each message has `id: <seq>`; send `Last-Event-ID` to resume. Ends with [DONE] after the run's `end` event. */
  "GET /api/tickets/:id/runs/:run/events": [Empty, TicketRunEvent];
  /** A codebase index's build progress; ends with [DONE] after the `end` event (at once when already built). */
  "GET /api/codebase/:id/progress": [Empty, CodebaseProgressEvent];
}

export type RouteKey = keyof ApiRoutes;
export type RouteRequest<K extends RouteKey> = ApiRoutes[K][0];
export type RouteResponse<K extends RouteKey> = ApiRoutes[K][1];

/** First line the backend prints on stdout once it listens. */
export const READY_LINE_PREFIX = "AICOCKPIT_READY ";
export interface ReadyLine {
  port: number;
}
