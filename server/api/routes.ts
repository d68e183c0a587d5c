/**
 * The HTTP contract in one table: "METHOD /path" → [request body, response body].
 * The extension's client is typed from this table, so a wrong payload fails to compile.
 * `/v1/*` (OpenAI-compatible pass-through) follows OpenAI's own schema and is not listed.
 */
import type { HealthResponse, ReadyResponse } from "./health";
import type { ShellAssessment, ShellAssessRequest, ShellSuggestion, ShellSuggestRequest } from "./shell";
import type { DiffRequest, DiffResponse, EditEvent, EditRequest } from "./edit";
import type { ChatEvent, ChatRequest } from "./chat";
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
}

/**
 * Streaming routes: "METHOD /path" → [request body, event type]. Each SSE `data:` line is one
 * JSON event; the stream ends with `data: [DONE]`. Failures before the first event are plain
 * JSON errors with their HTTP status.
 */
export interface StreamRoutes {
  "POST /api/edit": [EditRequest, EditEvent];
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
