/**
 * Chat sessions kept in the extension's workspace storage (a Memento), so they survive
 * window reloads. vscode-free: any `get/update` store works, which the unit tests use.
 */
import type { ChatSessionData, SessionSummary, StoredMessage } from "../../webview-ui/protocol";

export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

const KEY = "aicockpit.chat.sessions.v1";
const CURRENT_KEY = "aicockpit.chat.current";
/** Oldest sessions go first beyond this; workspace storage is not meant for archives. */
export const MAX_SESSIONS = 100;

export function titleFor(messages: readonly StoredMessage[]): string {
  const first =
    messages
      .find((m) => m.role === "user")
      ?.content.replace(/\s+/g, " ")
      .trim() ?? "";
  if (first === "") return "New chat";
  return first.length > 60 ? `${first.slice(0, 57)}…` : first;
}

/**
 * Retry's edit of a session: drops the answer after the last question, keeps everything else,
 * and returns that question to be asked again. A session that ends in a question (the window
 * closed mid-answer) gives it as is. Throws, with words for the user, when there is no question
 * (`to` says what it was wanted for).
 */
export function dropLastAnswer(messages: StoredMessage[], to = "answer again"): StoredMessage {
  const last = messages.at(-1);
  const question = last?.role === "assistant" ? messages.at(-2) : last;
  if (question?.role !== "user") throw new Error(`There is no question in this chat to ${to}.`);
  if (last !== question) messages.pop();
  return question;
}

/**
 * Edit's and Retry's change to a session: drops the last turn (the last question and its answer,
 * if any), returning that question to be asked again, edited or as it was. Throws, changing
 * nothing, when there is no question (`to` says what it was wanted for).
 */
export function dropLastTurn(messages: StoredMessage[], to = "edit"): StoredMessage {
  const question = dropLastAnswer(messages, to);
  messages.pop();
  return question;
}

export function summary(s: ChatSessionData): SessionSummary {
  return { id: s.id, title: s.title, updatedAt: s.updatedAt, messageCount: s.messages.length };
}

export class SessionStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  ) {}

  private all(): ChatSessionData[] {
    const v = this.kv.get<unknown>(KEY);
    return Array.isArray(v) ? (v as ChatSessionData[]) : [];
  }

  /** Most recently updated first; empty sessions are not listed. */
  list(): SessionSummary[] {
    return this.all()
      .filter((s) => s.messages.length > 0)
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map(summary);
  }

  get(id: string): ChatSessionData | undefined {
    return this.all().find((s) => s.id === id);
  }

  /** The session the panel showed last, or a fresh one. */
  async current(): Promise<ChatSessionData> {
    const id = this.kv.get<string>(CURRENT_KEY);
    const s = id !== undefined ? this.find(id) : undefined;
    return s ?? this.create();
  }

  async setCurrent(id: string): Promise<void> {
    await this.kv.update(CURRENT_KEY, id);
  }

  async create(): Promise<ChatSessionData> {
    const t = this.now();
    const s: ChatSessionData = { id: this.newId(), title: "New chat", createdAt: t, updatedAt: t, messages: [] };
    // Unsaved until its first message: an abandoned "new chat" leaves nothing behind.
    await this.setCurrent(s.id);
    this.draft = s;
    return s;
  }

  /** The fresh session not yet saved (it has no messages). */
  private draft: ChatSessionData | undefined;

  /** A session by id, including the unsaved draft. */
  find(id: string): ChatSessionData | undefined {
    return this.get(id) ?? (this.draft?.id === id ? this.draft : undefined);
  }

  async save(s: ChatSessionData): Promise<void> {
    s.updatedAt = this.now();
    s.title = titleFor(s.messages);
    const rest = this.all().filter((x) => x.id !== s.id);
    const kept = [s, ...rest].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, MAX_SESSIONS);
    if (this.draft?.id === s.id) this.draft = undefined;
    await this.kv.update(KEY, kept);
  }

  async delete(id: string): Promise<void> {
    await this.kv.update(
      KEY,
      this.all().filter((s) => s.id !== id),
    );
    if (this.draft?.id === id) this.draft = undefined;
  }
}
