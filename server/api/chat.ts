/**
 * Chat panel contract: `POST /api/chat` streams `ChatEvent`s as SSE.
 *
 * The extension resolves mentions (files, selection, problems, terminal) through the
 * editor's API and sends their text as `context`; the backend fits history and context
 * into the token budget, tells the client what it cut, and streams the answer.
 */
import type { ApiError } from "./errors";

export type ChatRole = "user" | "assistant";

export interface ChatTurn {
  role: ChatRole;
  content: string;
}

export type ContextKind = "file" | "selection" | "problems" | "terminal" | "workspace";

export interface ChatContextItem {
  kind: ContextKind;
  /** What the user sees on the chip, e.g. "src/my file.ts" or "selection (app.ts:3-9)". */
  label: string;
  /** Workspace-relative path, for files and selections. */
  path?: string;
  languageId?: string;
  content: string;
  /** The client already cut this item (e.g. a huge file read only up to a cap). */
  clientTruncated?: boolean;
  /** Size of the whole source in characters, when the client cut it. */
  originalChars?: number;
}

export interface ChatRequest {
  /** Earlier turns, oldest first, then the new user message last. */
  messages: ChatTurn[];
  /** Mentioned context for the last user message. */
  context?: ChatContextItem[];
  model?: string;
  /** Token budget for the mentioned context (default: server's). */
  contextBudgetTokens?: number;
}

/** Why and how much of one context item (or of the history) did not fit. */
export interface TruncationNotice {
  /** The item's label, or "history" for dropped earlier turns. */
  label: string;
  /** "cut": only the start was kept; "omitted": nothing of it fit. */
  kind: "cut" | "omitted";
  keptTokens: number;
  totalTokens: number;
}

export type ChatEvent =
  /** First event: what the prompt holds, so the UI can show it before the answer starts. */
  | { type: "context"; items: { label: string; tokens: number }[]; budgetTokens: number }
  | { type: "truncated"; notice: TruncationNotice }
  | { type: "delta"; text: string }
  | { type: "done"; model: string | null }
  | { type: "error"; error: ApiError };
