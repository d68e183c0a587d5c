/**
 * Chat panel contract: `POST /api/chat` streams `ChatEvent`s as SSE.
 *
 * The extension resolves mentions (files, selection, problems, terminal) through the
 * editor's API and sends their text as `context`; the backend fits history and context
 * into the token budget, tells the client what it cut, and streams the answer.
 */
import type { z } from "zod";
import type { ApiError } from "./errors";
import type { ChatRequestSchema } from "./schemas/chat";
import type { ChatSourcesEvent } from "./codebase";

export type ChatRequest = z.infer<typeof ChatRequestSchema>;
export type ChatTurn = ChatRequest["messages"][number];
export type ChatRole = ChatTurn["role"];
export type ChatContextItem = NonNullable<ChatRequest["context"]>[number];
export type ContextKind = ChatContextItem["kind"];

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
  /** With `codebase` in the request: the files @codebase put into the prompt (after `context`, before the first delta). */
  | ChatSourcesEvent
  | { type: "delta"; text: string }
  | { type: "done"; model: string | null }
  | { type: "error"; error: ApiError };
