/**
 * The chat panel: a webview view in AiCockpit's activity-bar container, the protocol
 * handlers behind it (sessions, mentions, models, code-block actions, streaming answers
 * with Stop and Retry (answers.ts), @codebase with its Sources), and "Ask AiCockpit about this".
 */
import * as vscode from "vscode";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { isChatSource, isMention, type MentionCandidate, type ToWebview } from "../../webview-ui/protocol";
import { ChatAnswers, MAX_MENTIONS } from "./answers";
import { CodeActions } from "./code-actions";
import { fuzzyFilter } from "./fuzzy";
import { chatHtml } from "./html";
import { ChatModels } from "./models";
import { resolveMentions } from "./resolve";
import { RpcHost, type RequestHandlers, type StreamHandlers } from "./rpc-host";
import { SessionStore } from "./session-store";
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

  const answers = new ChatAnswers({
    store,
    host,
    client,
    codebase,
    model: () => models.chosen(),
    log,
    changed: () => rpc?.notify("sessions/changed", { sessions: store.list() }),
  });
  const streams: StreamHandlers = {
    "chat/send": (params, emit, signal) => answers.send(params, emit, signal),
    "chat/retry": (params, emit, signal) => answers.retry(params, emit, signal),
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
