/**
 * `@codebase`: a repository index (files → definitions ranked by references, plus lexical
 * retrieval) the chat asks with the user's question. Built by the backend in the background.
 *
 * Flow for a client:
 *   1. `POST /api/codebase/index { root }` (or `{ workspace_id }` for a Docker workspace) ensures
 *      an index and starts its build; the same target always gets the same `index_id`, so the
 *      call is idempotent and cheap once built (it then rescans for changes missed meanwhile).
 *   2. Progress: poll `GET /api/codebase/:id`, or follow `GET /api/codebase/:id/progress`
 *      (SSE of CodebaseProgressEvent, ends with [DONE] once the build is ready or failed).
 *   3. Updates: the CLIENT forwards its file watcher's events with `POST /api/codebase/changes`
 *      (the backend runs no watcher of its own). Calling step 1 again rescans by size and mtime,
 *      which also catches what no watcher saw (e.g. edits inside a workspace's container).
 *   4. `POST /api/chat` with `codebase: { index_id }` retrieves with the user's message, puts the
 *      context into the prompt (inside the chat's context budget) and emits a `sources` event
 *      listing the files used before the answer. `POST /api/codebase/query` does the retrieval alone.
 *
 * Indexes are kept in memory, evicted after an idle time and bounded in number; an evicted or
 * unknown id gives CODEBASE_NOT_FOUND (404): call step 1 again. Paths in answers are relative
 * to the index's root with `/` separators; lines are 1-based and inclusive.
 * `.gitignore`, `.aicockpitignore` and the secret-file rules (common/secrets.ts) are honoured:
 * such files are never read, indexed or sent.
 */
import type { z } from "zod";
import type { ApiError } from "./errors";
import type {
  ChatCodebaseSchema,
  CodebaseChangesRequestSchema,
  CodebaseIndexRequestSchema,
  CodebaseQueryRequestSchema,
} from "./schemas/codebase";

export type CodebaseIndexRequest = z.infer<typeof CodebaseIndexRequestSchema>;
export type CodebaseChangesRequest = z.infer<typeof CodebaseChangesRequestSchema>;
export type CodebaseQueryRequest = z.infer<typeof CodebaseQueryRequestSchema>;
export type ChatCodebase = z.infer<typeof ChatCodebaseSchema>;

/** `building`: first build running (queries wait for it); `ready`: queryable (updates apply in place); `failed`: see `error`. */
export type CodebaseStatus = "building" | "ready" | "failed";

export interface CodebaseIndexView {
  index_id: string;
  status: CodebaseStatus;
  /** Files read and indexed so far. */
  files_indexed: number;
  /** Files found to index (after ignore and secret rules); 0 while still listing. */
  files_total: number;
  /** More files than the backend indexes per root (CODEBASE_LIMITS.maxFiles): the rest were left out. */
  truncated: boolean;
  /** The folder indexed (resolved, absolute; inside the container for a workspace). */
  root: string;
  workspace_id: string | null;
  /** When the last build or update finished (ms since epoch); null before the first. */
  updated_at: number | null;
  error?: ApiError;
}

export type CodebaseProgressEvent =
  | { type: "progress"; index: CodebaseIndexView }
  /** Last event: the build finished (`ready`) or failed (`index.error`). */
  | { type: "end"; index: CodebaseIndexView }
  /** The stream itself failed (rare: the index was dropped meanwhile gives `end`). */
  | { type: "error"; error: ApiError };

export interface CodebaseChangesResponse {
  index: CodebaseIndexView;
  /** Files re-read (changed or created) and removed by this call. */
  updated: number;
  removed: number;
}

/** One file (range) the retrieved context holds. */
export interface CodebaseSource {
  /** Root-relative, `/` separators. */
  path: string;
  /** 1-based, inclusive. */
  start_line: number;
  end_line: number;
  /** Why it was picked, for the UI: e.g. "matches: invoice, discount" or "repository map". */
  reason: string;
}

export interface CodebaseQueryResponse {
  index_id: string;
  /** Text to put in a prompt: repository map plus the retrieved snippets, within `budget_tokens`. */
  context: string;
  files: CodebaseSource[];
  /** The index was still building when asked (after waiting CODEBASE_LIMITS.queryWaitMs): the answer may miss files. */
  partial: boolean;
}

/** The `sources` chat event: what @codebase put into the prompt, sent before the answer's first delta. */
export interface ChatSourcesEvent {
  type: "sources";
  index_id: string;
  root: string;
  workspace_id: string | null;
  files: CodebaseSource[];
  partial: boolean;
}

export const CODEBASE_LIMITS = {
  /** Files indexed per root; beyond it the index is `truncated`. */
  maxFiles: 20_000,
  /** Files larger than this are not indexed. */
  maxFileBytes: 512 * 1024,
  /** Indexes kept at once; the least recently used idle one is evicted for a new one. */
  maxIndexes: 8,
  /** An index unused for this long is dropped. */
  idleMs: 30 * 60_000,
  /** A query (or chat) waits this long for a first build before answering from what is indexed. */
  queryWaitMs: 60_000,
  defaultQueryBudgetTokens: 4_000,
} as const;
