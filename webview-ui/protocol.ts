/**
 * The one contract between the chat webview and the extension. Three tables, each
 * "message name → payload types", so a wrong payload fails to compile on both sides:
 *  - Requests: webview asks, extension answers once (`[params, result]`).
 *  - Streams: webview starts, extension sends events until `end`; the webview may `cancel`.
 *  - Notifications: extension → webview, fire and forget.
 * Envelopes carry an `id` that pairs answers/events with what started them. Nothing here
 * imports `vscode` or the DOM; both sides share it (and the unit tests).
 */
import type { Mention } from "../common/mentions";
import type { TruncationNotice } from "../server/api/chat";

export type { Mention };

/** A mention resolved into a chip: what was attached, or why it could not be. */
export interface MentionChip {
  mention: Mention;
  label: string;
  /** Set when the mention could not be used (missing, binary, secret…): shown on the chip. */
  error?: string;
  /** The content was cut to fit; `note` says how much was kept. */
  truncated?: boolean;
  note?: string;
}

/** A file range an @codebase answer was built from: shown under the answer, opens on click. */
export interface ChatSource {
  /** Relative to the codebase root (the window's folder or the Docker workspace's /workspace). */
  path: string;
  /** 1-based, inclusive: the first range used (what a click opens). */
  startLine: number;
  endLine: number;
  /** Further ranges of the same file the answer was given, for the row's label. */
  also?: { startLine: number; endLine: number }[];
}

/**
 * The retrieved ranges as one source per file (first-seen order), overlapping or touching
 * ranges merged: a file the index returned in three chunks is one row, not three.
 */
export function groupSources(files: readonly { path: string; start_line: number; end_line: number }[]): ChatSource[] {
  const byPath = new Map<string, [number, number][]>();
  for (const f of files) {
    const list = byPath.get(f.path) ?? [];
    list.push([f.start_line, Math.max(f.start_line, f.end_line)]);
    byPath.set(f.path, list);
  }
  return [...byPath].map(([path, ranges]) => {
    const merged: [number, number][] = [];
    for (const r of ranges.sort((a, b) => a[0] - b[0])) {
      const last = merged.at(-1);
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    const [[startLine, endLine], ...rest] = merged as [[number, number], ...[number, number][]];
    return {
      path,
      startLine,
      endLine,
      ...(rest.length > 0 ? { also: rest.map(([a, b]) => ({ startLine: a, endLine: b })) } : {}),
    };
  });
}

export interface MentionCandidate {
  mention: Mention;
  label: string;
  /** Second line in the picker, e.g. the folder or "Current editor selection". */
  detail: string;
  /** Codicon name, e.g. "file", "selection". */
  icon: string;
}

export interface StoredMessage {
  role: "user" | "assistant";
  content: string;
  /** User messages: the chips shown above the text. */
  chips?: MentionChip[];
  /** Assistant messages: what was cut from the prompt, and how the answer ended. */
  notices?: TruncationNotice[];
  /** Assistant messages: the files an @codebase answer was given (clickable). */
  sources?: ChatSource[];
  status?: "done" | "stopped" | "error";
  error?: string;
  /**
   * Assistant messages: the model that answered, as the service named it. User messages: the
   * model the question was sent with, so Retry asks the same one.
   */
  model?: string;
}

export interface SessionSummary {
  id: string;
  title: string;
  updatedAt: number;
  messageCount: number;
}

export interface ChatSessionData {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: StoredMessage[];
}

export interface CodeActionParams {
  code: string;
  /** The fence's language tag, e.g. "ts" or "sh". */
  language: string;
  /** A workspace-relative path named on the fence line (```ts src/app.ts), if any. */
  path?: string;
}

export interface ActionResult {
  ok: boolean;
  message?: string;
}

export interface ModelState {
  models: string[];
  /** What the next message is sent with; null when no provider is configured. */
  current: string | null;
}

export interface Empty {
  [key: string]: never;
}

export interface Requests {
  "session/current": [Empty, ChatSessionData];
  "session/new": [Empty, ChatSessionData];
  "session/open": [{ id: string }, ChatSessionData];
  "session/delete": [{ id: string }, { sessions: SessionSummary[]; current: ChatSessionData }];
  "session/list": [Empty, { sessions: SessionSummary[] }];
  "mentions/search": [{ query: string }, { items: MentionCandidate[] }];
  "mentions/resolve": [{ mentions: Mention[] }, { chips: MentionChip[] }];
  "models/list": [Empty, ModelState];
  "models/select": [{ model: string }, ModelState];
  "code/copy": [CodeActionParams, ActionResult];
  "code/insert": [CodeActionParams, ActionResult];
  "code/apply": [CodeActionParams, ActionResult];
  "code/run": [CodeActionParams, ActionResult];
  "link/open": [{ href: string }, ActionResult];
  "source/open": [ChatSource, ActionResult];
}

export interface SendParams {
  sessionId: string;
  text: string;
  /** Mentions attached as chips (the text's own `@…` mentions are parsed by the extension too). */
  mentions: Mention[];
  model?: string;
  /**
   * The user edited the session's last question: this one replaces that turn (question and
   * answer) instead of following it, and is asked of the model the replaced question was sent
   * with, as Retry does (`model` is then not used).
   */
  replaceLast?: true;
}

/** Answer the session's last question again: its answer (if any) is replaced, not kept. */
export interface RetryParams {
  sessionId: string;
}

export type ChatStreamEvent =
  /**
   * The user message as stored (with resolved chips), sent before the answer starts. For
   * chat/retry it is the question asked again (chips re-resolved now), for chat/send with
   * `replaceLast` the edited question: it replaces the last turn on screen, and the old answer
   * (and, edited, the old question) is gone from the session by then.
   */
  | { type: "user"; message: StoredMessage }
  | { type: "notice"; notice: TruncationNotice }
  /** The files retrieved for @codebase, before the answer streams. */
  | { type: "sources"; sources: ChatSource[]; partial: boolean }
  | { type: "delta"; text: string }
  /** The assistant message as stored, once finished (done, stopped or failed). */
  | { type: "final"; message: StoredMessage; session: SessionSummary };

export interface Streams {
  "chat/send": [SendParams, ChatStreamEvent];
  "chat/retry": [RetryParams, ChatStreamEvent];
}

export interface Notifications {
  /** Attach a mention to the composer (e.g. "Ask AiCockpit about this"). */
  "composer/attach": { chips: MentionChip[]; focus: boolean };
  "sessions/changed": { sessions: SessionSummary[] };
  /** Show the history list, or hide it when it is showing. */
  "history/toggle": Empty;
  /** Start a new chat (the view's title action); the webview then sends the session/new request. */
  "session/new": Empty;
}

export type RequestName = keyof Requests;
export type StreamName = keyof Streams;
export type NotificationName = keyof Notifications;

export interface ProtocolError {
  code: string;
  message: string;
}

/** webview → extension */
export type ToExtension =
  | { kind: "ready" }
  | { [K in RequestName]: { kind: "request"; id: number; method: K; params: Requests[K][0] } }[RequestName]
  | { [K in StreamName]: { kind: "stream"; id: number; method: K; params: Streams[K][0] } }[StreamName]
  | { kind: "cancel"; id: number };

/** extension → webview */
export type ToWebview =
  | { kind: "response"; id: number; ok: true; result: unknown }
  | { kind: "response"; id: number; ok: false; error: ProtocolError }
  | { kind: "event"; id: number; event: unknown }
  | { kind: "end"; id: number; error?: ProtocolError }
  | { [K in NotificationName]: { kind: "notify"; method: K; params: Notifications[K] } }[NotificationName];

const REQUEST_NAMES: ReadonlySet<string> = new Set<RequestName>([
  "session/current",
  "session/new",
  "session/open",
  "session/delete",
  "session/list",
  "mentions/search",
  "mentions/resolve",
  "models/list",
  "models/select",
  "code/copy",
  "code/insert",
  "code/apply",
  "code/run",
  "link/open",
  "source/open",
]);
const STREAM_NAMES: ReadonlySet<string> = new Set<StreamName>(["chat/send", "chat/retry"]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * The extension's gate for what the webview posts: the envelope and method name are checked
 * here; the params of each method are checked by its handler (they are plain data).
 */
export function isToExtension(v: unknown): v is ToExtension {
  if (!isObj(v)) return false;
  switch (v.kind) {
    case "ready":
      return true;
    case "cancel":
      return isId(v.id);
    case "request":
      return isId(v.id) && typeof v.method === "string" && REQUEST_NAMES.has(v.method) && isObj(v.params);
    case "stream":
      return isId(v.id) && typeof v.method === "string" && STREAM_NAMES.has(v.method) && isObj(v.params);
    default:
      return false;
  }
}

export function isToWebview(v: unknown): v is ToWebview {
  if (!isObj(v)) return false;
  switch (v.kind) {
    case "response":
      return isId(v.id) && typeof v.ok === "boolean";
    case "event":
    case "end":
      return isId(v.id);
    case "notify":
      return typeof v.method === "string" && isObj(v.params);
    default:
      return false;
  }
}

const MAX_SOURCE_LINE = 10_000_000;

/** True for a source the extension may open: a relative path without `..`, sane lines. */
export function isChatSource(v: unknown): v is ChatSource {
  if (!isObj(v) || typeof v.path !== "string" || v.path.length === 0 || v.path.length > 4096) return false;
  const line = (n: unknown): n is number =>
    typeof n === "number" && Number.isSafeInteger(n) && n >= 1 && n <= MAX_SOURCE_LINE;
  if (!line(v.startLine) || !line(v.endLine) || v.endLine < v.startLine) return false;
  const p = v.path.replace(/\\/g, "/");
  return !p.startsWith("/") && !/^[a-zA-Z]:/.test(p) && !p.split("/").includes("..");
}

/** True for a well-formed mention (the extension resolves nothing else). */
export function isMention(v: unknown): v is Mention {
  if (!isObj(v)) return false;
  if (v.kind === "file") return typeof v.path === "string" && v.path.length > 0 && v.path.length <= 4096;
  if (v.kind === "workspace")
    return v.name === undefined || (typeof v.name === "string" && /^[\w.-]{1,128}$/.test(v.name));
  return v.kind === "selection" || v.kind === "problems" || v.kind === "terminal" || v.kind === "codebase";
}
