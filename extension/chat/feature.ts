/**
 * The chat panel: a webview view in AiCockpit's activity-bar container, the protocol
 * handlers behind it (sessions, mentions, models, code-block actions, streaming answers
 * from POST /api/chat with Stop, @codebase with its Sources), and "Ask AiCockpit about this".
 */
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import type { TruncationNotice } from "../../server/api/chat";
import { parseMentions, uniqueMentions, type Mention } from "../../common/mentions";
import {
  groupSources,
  isChatSource,
  isMention,
  type ChatSource,
  type ChatStreamEvent,
  type MentionCandidate,
  type SendParams,
  type StoredMessage,
  type ToWebview,
} from "../../webview-ui/protocol";
import { CodeActions } from "./code-actions";
import { fuzzyFilter } from "./fuzzy";
import { chatHtml } from "./html";
import { ChatModels } from "./models";
import { resolveMentions } from "./resolve";
import { RpcHost, type RequestHandlers, type StreamHandlers } from "./rpc-host";
import { SessionStore, summary } from "./session-store";
import { TerminalOutput } from "./terminal-output";
import { VsCodeMentionHost } from "./vscode-host";
import { WorkspaceFiles } from "./workspace-files";
import { ChatWorkspaces } from "./workspaces";
import type { CodebaseService } from "../codebase/feature";
import { openSource } from "./open-source";

export const CHAT_VIEW_ID = "aicockpit.chat";
export const CHAT_COMMANDS = {
  newChat: "aicockpit.chat.new",
  history: "aicockpit.chat.history",
  askAboutSelection: "aicockpit.chat.askAboutSelection",
} as const;

const MAX_MENTIONS = 50;
const MAX_TEXT = 200_000;

const KEYWORDS: MentionCandidate[] = [
  {
    mention: { kind: "codebase" },
    label: "codebase",
    detail: "Let AiCockpit find the code that answers the question",
    icon: "repo",
  },
  {
    mention: { kind: "selection" },
    label: "selection",
    detail: "The selection in the last active editor",
    icon: "selection",
  },
  { mention: { kind: "problems" }, label: "problems", detail: "Errors and warnings in the workspace", icon: "warning" },
  {
    mention: { kind: "terminal" },
    label: "terminal",
    detail: "Recent output of the active terminal",
    icon: "terminal",
  },
];

function errorText(err: unknown): string {
  if (err instanceof BackendError) return err.hint ? `${err.message} ${err.hint}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

function checkSend(p: SendParams): { text: string; mentions: Mention[] } {
  if (typeof p.sessionId !== "string" || typeof p.text !== "string") throw new Error("Malformed chat message.");
  if (p.text.trim() === "") throw new Error("Type a message first.");
  if (p.text.length > MAX_TEXT) throw new Error("The message is too long.");
  const given = Array.isArray(p.mentions) ? p.mentions.filter(isMention).slice(0, MAX_MENTIONS) : [];
  return {
    text: p.text,
    mentions: uniqueMentions([...given, ...parseMentions(p.text).map((m) => m.mention)]).slice(0, MAX_MENTIONS),
  };
}

export function registerChatFeature(
  context: vscode.ExtensionContext,
  client: BackendClient,
  log: (msg: string) => void,
  codebase: CodebaseService,
): void {
  const store = new SessionStore(context.workspaceState);
  const files = new WorkspaceFiles();
  const terminals = new TerminalOutput();
  const actions = new CodeActions();
  const workspaces = new ChatWorkspaces(client);
  const host = new VsCodeMentionHost(
    files,
    terminals,
    () => actions.lastEditor(),
    workspaces,
    () => codebase.target(),
  );
  const models = new ChatModels(client, context.workspaceState);

  let rpc: RpcHost | undefined;
  let ready = false;
  // Notifications sent before the webview said "ready" (e.g. Ask about this opened the view).
  const queued: ((r: RpcHost) => void)[] = [];
  const whenReady = (f: (r: RpcHost) => void) => {
    if (rpc && ready) f(rpc);
    else queued.push(f);
  };

  const requests: RequestHandlers = {
    "session/current": () => store.current(),
    "session/new": () => store.create(),
    "session/open": async ({ id }) => {
      const s = store.find(String(id));
      if (!s) throw new Error("That chat no longer exists.");
      await store.setCurrent(s.id);
      return s;
    },
    "session/delete": async ({ id }) => {
      const current = await store.current();
      await store.delete(String(id));
      return { sessions: store.list(), current: current.id === id ? await store.create() : current };
    },
    "session/list": () => ({ sessions: store.list() }),
    "mentions/search": async ({ query }) => {
      const q = String(query ?? "").slice(0, 300);
      const keywords = KEYWORDS.filter((k) => k.label.startsWith(q.toLowerCase()));
      // @workspace only once the backend reports Docker workspaces.
      const ws = (await workspaces.list())
        .filter(
          (w) =>
            `workspace:${w.name}`.startsWith(q.toLowerCase()) ||
            (q.length > 0 && w.name.toLowerCase().includes(q.toLowerCase())),
        )
        .map((w): MentionCandidate => ({
          mention: { kind: "workspace", name: w.name },
          label: `workspace:${w.name}`,
          detail: `Docker workspace · ${w.stack} · ${w.state}`,
          icon: "server",
        }));
      keywords.push(...ws);
      const { paths } = await files.list();
      const picked = fuzzyFilter(q, paths, 40);
      const fileItems: MentionCandidate[] = picked.map((p) => {
        const slash = p.lastIndexOf("/");
        return {
          mention: { kind: "file", path: p },
          label: p.slice(slash + 1),
          detail: slash === -1 ? "" : p.slice(0, slash),
          icon: "file",
        };
      });
      return { items: [...keywords, ...fileItems] };
    },
    "mentions/resolve": async ({ mentions }) => {
      const list = Array.isArray(mentions) ? mentions.filter(isMention).slice(0, MAX_MENTIONS) : [];
      return { chips: (await resolveMentions(list, host)).chips };
    },
    "models/list": () => models.list(),
    "models/select": ({ model }) => models.select(String(model)),
    "code/copy": (p) => actions.copy(p),
    "code/insert": (p) => actions.insert(p),
    "code/apply": async (p) => {
      const r = await actions.apply(p);
      e2eReport("chat-apply", { ok: r.ok, path: p.path ?? null });
      return r;
    },
    "code/run": async (p) => {
      const r = await actions.run(p);
      e2eReport("chat-run", { ok: r.ok });
      return r;
    },
    "link/open": async ({ href }) => {
      const uri = vscode.Uri.parse(String(href));
      if (uri.scheme !== "http" && uri.scheme !== "https")
        return { ok: false, message: "Only web links open from the chat." };
      return { ok: await vscode.env.openExternal(uri) };
    },
    "source/open": async (source) => {
      if (!isChatSource(source)) return { ok: false, message: "Not a file of this codebase." };
      const r = await openSource(source);
      e2eReport("chat-source-opened", { path: source.path, line: source.startLine, ok: r.ok });
      return r;
    },
  };

  const streams: StreamHandlers = {
    "chat/send": async (params, emit: (e: ChatStreamEvent) => void, signal) => {
      const { text, mentions } = checkSend(params);
      const session = store.find(params.sessionId) ?? (await store.current());
      const history = session.messages
        .filter((m) => m.content.trim() !== "")
        .map((m) => ({ role: m.role, content: m.content }));
      const resolved = await resolveMentions(mentions, host);
      const user: StoredMessage = {
        role: "user",
        content: text,
        ...(resolved.chips.length > 0 ? { chips: resolved.chips } : {}),
      };
      session.messages.push(user);
      // Saved before the answer: a reload mid-answer still finds the question.
      await store.save(session);
      await store.setCurrent(session.id);
      emit({ type: "user", message: user });
      e2eReport("chat-sent", { session: session.id, mentions: mentions.length, context: resolved.context.length });

      const model = typeof params.model === "string" && params.model !== "" ? params.model : models.chosen();
      const notices: TruncationNotice[] = [];
      let sources: ChatSource[] | undefined;
      let answer = "";
      let status: StoredMessage["status"] = "done";
      let error: string | undefined;
      let answeredBy: string | undefined = model;
      try {
        const request = (fresh: boolean) =>
          client.events("POST /api/chat", {
            body: {
              messages: [...history, { role: "user", content: text }],
              context: resolved.context,
              ...(resolved.codebase ? { codebase: codebase.chatField(resolved.codebase, fresh) } : {}),
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
            answer += ev.text;
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
          log(`chat failed: ${error}`);
        }
      }
      if (signal.aborted) status = "stopped";
      const message: StoredMessage = {
        role: "assistant",
        content: answer,
        status,
        ...(notices.length > 0 ? { notices } : {}),
        ...(sources && sources.length > 0 ? { sources } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(answeredBy ? { model: answeredBy } : {}),
      };
      session.messages.push(message);
      await store.save(session);
      emit({ type: "final", message, session: summary(session) });
      e2eReport("chat-finished", { session: session.id, status, chars: answer.length });
      rpc?.notify("sessions/changed", { sessions: store.list() });
    },
  };

  const provider: vscode.WebviewViewProvider = {
    resolveWebviewView(webviewView) {
      ready = false;
      const webview = webviewView.webview;
      webview.options = {
        enableScripts: true,
        localResourceRoots: [
          vscode.Uri.joinPath(context.extensionUri, "dist"),
          vscode.Uri.joinPath(context.extensionUri, "media"),
        ],
      };
      const host = new RpcHost(
        (m: ToWebview) => void webview.postMessage(m),
        requests,
        streams,
        () => {
          ready = true;
          e2eReport("chat-ready");
          for (const f of queued.splice(0)) f(host);
        },
      );
      rpc?.dispose();
      rpc = host;
      webview.html = chatHtml(webview, context.extensionUri);
      const sub = webview.onDidReceiveMessage((m: unknown) => void host.receive(m));
      webviewView.onDidDispose(() => {
        sub.dispose();
        host.dispose();
        if (rpc === host) {
          rpc = undefined;
        }
      });
    },
  };

  const reveal = async () => {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  };

  context.subscriptions.push(
    files,
    terminals,
    actions,
    { dispose: () => rpc?.dispose() },
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.commands.registerCommand(CHAT_COMMANDS.newChat, async () => {
      await reveal();
      // The webview asks for it (the session/new request), so it can refuse while an answer streams.
      whenReady((r) => r.notify("session/new", {}));
    }),
    vscode.commands.registerCommand(CHAT_COMMANDS.history, async () => {
      await reveal();
      whenReady((r) => r.notify("history/toggle", {}));
    }),
    vscode.commands.registerCommand(CHAT_COMMANDS.askAboutSelection, async () => {
      const ed = vscode.window.activeTextEditor ?? actions.lastEditor();
      if (!ed || ed.selection.isEmpty) {
        void vscode.window.showInformationMessage("AiCockpit: select some code first, then ask about it.");
        return;
      }
      const { chips } = await resolveMentions([{ kind: "selection" }], host);
      await reveal();
      whenReady((r) => r.notify("composer/attach", { chips, focus: true }));
    }),
  );
}
