/**
 * The chat/send and chat/retry streams: resolve the question's mentions, ask POST /api/chat,
 * stream the answer to the webview and store question and answer in the session. Retry asks
 * the session's last question again in place of its answer; an edited question (chat/send with
 * `replaceLast`) takes the place of the last turn, question and answer. vscode-free (the editor is behind
 * MentionHost), like the rest of the chat's logic.
 */
import { BackendError, type BackendClient } from "../backend/client";
import type { CodebaseService } from "../codebase/feature";
import { e2eReport } from "../e2e-report";
import type { TruncationNotice } from "../../server/api/chat";
import { parseMentions, uniqueMentions, type Mention } from "../../common/mentions";
import {
  groupSources,
  isMention,
  type ChatSessionData,
  type ChatSource,
  type ChatStreamEvent,
  type RetryParams,
  type SendParams,
  type StoredMessage,
} from "../../webview-ui/protocol";
import { resolveMentions, type MentionHost } from "./resolve";
import { dropLastTurn, summary, type SessionStore } from "./session-store";

export const MAX_MENTIONS = 50;
const MAX_TEXT = 200_000;

function errorText(err: unknown): string {
  if (err instanceof BackendError) return err.hint ? `${err.message} ${err.hint}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

function checkSend(p: SendParams): { text: string; mentions: Mention[] } {
  if (typeof p.sessionId !== "string" || typeof p.text !== "string" || ![undefined, true].includes(p.replaceLast))
    throw new Error("Malformed chat message.");
  if (p.text.trim() === "") throw new Error("Type a message first.");
  if (p.text.length > MAX_TEXT) throw new Error("The message is too long.");
  const given = Array.isArray(p.mentions) ? p.mentions.filter(isMention).slice(0, MAX_MENTIONS) : [];
  return {
    text: p.text,
    mentions: uniqueMentions([...given, ...parseMentions(p.text).map((m) => m.mention)]).slice(0, MAX_MENTIONS),
  };
}

export interface ChatAnswerDeps {
  store: SessionStore;
  host: MentionHost;
  client: BackendClient;
  codebase: Pick<CodebaseService, "chatField">;
  /** The model chosen in the picker (undefined: the provider's default). */
  model: () => string | undefined;
  log: (msg: string) => void;
  /** A session was saved with a new answer: the history list refreshes. */
  changed: () => void;
}

type Emit = (e: ChatStreamEvent) => void;

interface Ask {
  text: string;
  mentions: Mention[];
  model: string | undefined;
  /** How it was asked: a new question, the last one again, or the last one edited. */
  via: "send" | "retry" | "edit";
}

export class ChatAnswers {
  /** Sessions with an answer streaming: a second question or a Retry there is refused, not interleaved. */
  private readonly answering = new Set<string>();

  constructor(private readonly deps: ChatAnswerDeps) {}

  async send(params: SendParams, emit: Emit, signal: AbortSignal): Promise<void> {
    const { text, mentions } = checkSend(params);
    if (params.replaceLast === true) {
      // Edit: the new text and chips in place of the last turn, asked of the model the replaced
      // question was sent with, as Retry does (older sessions stored none).
      await this.lastTurn(params.sessionId, async (session, kept) => {
        const question = dropLastTurn(kept);
        const model = question.model ?? this.deps.model();
        await this.answer(session, kept, { text, mentions, model, via: "edit" }, emit, signal);
      });
      return;
    }
    const { store } = this.deps;
    const session = store.find(params.sessionId) ?? (await store.current());
    const model = typeof params.model === "string" && params.model !== "" ? params.model : this.deps.model();
    await this.exclusive(session.id, () =>
      this.answer(session, session.messages, { text, mentions, model, via: "send" }, emit, signal),
    );
  }

  async retry(params: RetryParams, emit: Emit, signal: AbortSignal): Promise<void> {
    await this.lastTurn(params.sessionId, async (session, kept) => {
      const question = dropLastTurn(kept, "answer again");
      // As the first time: its text, the mentions its chips held (resolved again now, since a
      // file may have changed), and the model it was sent with (older sessions stored none).
      const { text, mentions } = checkSend({
        sessionId: session.id,
        text: question.content,
        mentions: (question.chips ?? []).map((c) => c.mention),
      });
      const model = question.model ?? this.deps.model();
      await this.answer(session, kept, { text, mentions, model, via: "retry" }, emit, signal);
    });
  }

  /**
   * Retry and Edit: `f` changes the last turn of an existing chat, as its one streaming answer.
   * It gets a copy of the messages: the session changes only once the new question is stored.
   */
  private async lastTurn(
    sessionId: unknown,
    f: (session: ChatSessionData, kept: StoredMessage[]) => Promise<void>,
  ): Promise<void> {
    const session = typeof sessionId === "string" ? this.deps.store.find(sessionId) : undefined;
    if (!session) throw new Error("That chat no longer exists.");
    await this.exclusive(session.id, () => f(session, [...session.messages]));
  }

  /** Runs `f` as the one answer streaming in the session, or refuses with a reason the user reads. */
  private async exclusive(sessionId: string, f: () => Promise<void>): Promise<void> {
    if (this.answering.has(sessionId))
      throw new Error("An answer is still streaming in this chat: wait for it or stop it first.");
    this.answering.add(sessionId);
    try {
      await f();
    } finally {
      this.answering.delete(sessionId);
    }
  }

  /** Asks `ask.text` after `before` (the session's earlier messages); the session then holds `before`, the question and the answer. */
  private async answer(
    session: ChatSessionData,
    before: readonly StoredMessage[],
    ask: Ask,
    emit: Emit,
    signal: AbortSignal,
  ): Promise<void> {
    const { store } = this.deps;
    const { text: question, mentions, model } = ask;
    const history = before.filter((m) => m.content.trim() !== "").map((m) => ({ role: m.role, content: m.content }));
    const resolved = await resolveMentions(mentions, this.deps.host);
    const user: StoredMessage = {
      role: "user",
      content: question,
      ...(resolved.chips.length > 0 ? { chips: resolved.chips } : {}),
      ...(model ? { model } : {}),
    };
    session.messages = [...before, user];
    // Saved before the answer: a reload mid-answer still finds the question.
    await store.save(session);
    await store.setCurrent(session.id);
    emit({ type: "user", message: user });
    e2eReport("chat-sent", {
      session: session.id,
      mentions: mentions.length,
      context: resolved.context.length,
      retry: ask.via === "retry",
      edit: ask.via === "edit",
    });

    const notices: TruncationNotice[] = [];
    let sources: ChatSource[] | undefined;
    let text = "";
    let status: StoredMessage["status"] = "done";
    let error: string | undefined;
    let answeredBy: string | undefined = model;
    try {
      const request = (fresh: boolean) =>
        this.deps.client.events("POST /api/chat", {
          body: {
            messages: [...history, { role: "user", content: question }],
            context: resolved.context,
            ...(resolved.codebase ? { codebase: this.deps.codebase.chatField(resolved.codebase, fresh) } : {}),
            ...(model ? { model } : {}),
          },
          signal,
        });
      let events = request(false);
      // The index id we hold was evicted (idle) or the backend restarted: retrieval fails before
      // any event, so ask once more by folder, which ensures the index again.
      const first = resolved.codebase
        ? await events.next().catch(async (err: unknown) => {
            if (!(err instanceof BackendError && err.code === "CODEBASE_NOT_FOUND")) throw err;
            events = request(true);
            return events.next();
          })
        : undefined;
      const all = async function* () {
        if (first && !first.done) yield first.value;
        yield* events;
      };
      for await (const ev of all()) {
        if (ev.type === "delta") {
          text += ev.text;
          emit({ type: "delta", text: ev.text });
        } else if (ev.type === "sources") {
          sources = groupSources(ev.files);
          emit({ type: "sources", sources, partial: ev.partial });
          e2eReport("chat-sources", { files: sources.map((f) => f.path).join(","), partial: ev.partial });
        } else if (ev.type === "truncated") {
          notices.push(ev.notice);
          emit({ type: "notice", notice: ev.notice });
        } else if (ev.type === "error") {
          status = "error";
          error = ev.error.hint ? `${ev.error.message} ${ev.error.hint}` : ev.error.message;
        } else if (ev.type === "done") {
          answeredBy = ev.model ?? answeredBy;
        }
      }
    } catch (err) {
      if (!signal.aborted) {
        status = "error";
        error = errorText(err);
        this.deps.log(`chat failed: ${error}`);
      }
    }
    if (signal.aborted) status = "stopped";
    const message: StoredMessage = {
      role: "assistant",
      content: text,
      status,
      ...(notices.length > 0 ? { notices } : {}),
      ...(sources && sources.length > 0 ? { sources } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(answeredBy ? { model: answeredBy } : {}),
    };
    session.messages.push(message);
    await this.deps.store.save(session);
    emit({ type: "final", message, session: summary(session) });
    e2eReport("chat-finished", { session: session.id, status, chars: text.length });
    this.deps.changed();
  }
}
