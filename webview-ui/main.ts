/** The chat webview: wires the composer, transcript and history to the extension over the typed protocol. */
import "./styles/chat.css";
import { Composer } from "./composer";
import { h, icon } from "./dom";
import { HistoryPanel } from "./history";
import type { CodeBlock } from "./markdown";
import type { ChatSessionData, ChatStreamEvent, Mention, SendParams, SessionSummary } from "./protocol";
import { RpcClient, type StreamHandle } from "./rpc";
import { Transcript, type CodeAction } from "./transcript";
import { vscodeApi } from "./vscode-api";

const rpc = new RpcClient((m) => vscodeApi.postMessage(m));
window.addEventListener("message", (e: MessageEvent<unknown>) => rpc.receive(e.data));

let session: ChatSessionData | undefined;
let running: StreamHandle | undefined;
let model: string | undefined;

const app = document.getElementById("app")!;
const title = h("span", { class: "title" }, "New chat");
// New chat and History are the view's title actions (aicockpit.chat.new / .history): no second row of buttons here.
const header = h("header", { class: "header" }, title);
const toast = h("div", { class: "toast", role: "status", hidden: "" });

const history = new HistoryPanel(
  (id) => void openSession(id),
  (id) => void deleteSession(id),
  () => history.show(false),
);

/** Why Retry and Edit do nothing while an answer streams (only the last, finished turn changes). */
const BUSY_TURN = "Wait for the answer to finish, or stop it first.";

const transcript = new Transcript(
  (action, block, button) => void codeAction(action, block, button),
  (href) => void rpc.request("link/open", { href }),
  (source) =>
    void rpc.request("source/open", source).then(
      (r) => {
        if (!r.ok) showToast(r.message ?? "Could not open the file.", true);
      },
      (err: unknown) => showToast(err instanceof Error ? err.message : String(err), true),
    ),
  () => retry(),
  (question) => {
    if (running) return showToast(BUSY_TURN, true);
    composer.beginEdit(question);
  },
);

const composer = new Composer({
  send: (text, mentions, replaceLast) => send(text, mentions, replaceLast),
  stop: () => running?.cancel(),
  search: async (query) => (await rpc.request("mentions/search", { query })).items,
  resolve: async (mention) =>
    (await rpc.request("mentions/resolve", { mentions: [mention] })).chips[0] ?? {
      mention,
      label: "?",
      error: "Could not resolve.",
    },
  selectModel: (m) => {
    model = m;
    void rpc.request("models/select", { model: m }).then((s) => composer.setModels(s));
  },
  draftChanged: (text) => vscodeApi.setState({ draft: text }),
  editing: (on) => transcript.markEditing(on),
});

app.append(header, history.root, transcript.root, toast, composer.root);

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function showToast(text: string, error = false): void {
  toast.textContent = text;
  toast.classList.toggle("error", error);
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), error ? 7000 : 2500);
}

function showSession(s: ChatSessionData): void {
  // An edit belongs to the chat it was started in.
  composer.cancelEdit();
  session = s;
  title.textContent = s.title;
  title.title = s.title;
  transcript.clear();
  for (const m of s.messages) {
    if (m.role === "user") transcript.addUser(m);
    else transcript.addAssistant(m);
  }
  transcript.offerActions(!running);
  transcript.scrollToEnd();
}

async function refreshHistory(list?: SessionSummary[]): Promise<void> {
  const sessions = list ?? (await rpc.request("session/list", {})).sessions;
  history.render(sessions, session?.id);
}

async function openSession(id: string): Promise<void> {
  if (running) return showToast("Stop the current answer first.");
  showSession(await rpc.request("session/open", { id }));
  history.show(false);
}

async function deleteSession(id: string): Promise<void> {
  if (running && id === session?.id) return showToast("Stop the current answer first.");
  const r = await rpc.request("session/delete", { id });
  if (r.current.id !== session?.id) showSession(r.current);
  await refreshHistory(r.sessions);
}

async function newChat(): Promise<void> {
  if (running) return showToast("Stop the current answer first.");
  showSession(await rpc.request("session/new", {}));
  history.show(false);
  composer.focus();
}

/**
 * Shows an answer streaming in: a new question's, or (`replace`: Retry, Edit) the last question
 * asked again or edited, which replaces the last turn once the extension has accepted it.
 * `refused` runs when the extension turned the request down before it started.
 */
function follow(
  start: (onEvent: (e: ChatStreamEvent) => void) => StreamHandle,
  replace: boolean,
  refused: () => void,
): void {
  composer.setStreaming(true);
  transcript.offerActions(false);
  let started = false;
  const onEvent = (e: ChatStreamEvent) => {
    switch (e.type) {
      case "user":
        if (replace) transcript.replaceLastTurn(e.message);
        else transcript.addUser(e.message);
        transcript.startAssistant();
        started = true;
        break;
      case "notice":
        transcript.addNotice(e.notice);
        break;
      case "sources":
        transcript.addSources(e.sources, e.partial);
        break;
      case "delta":
        transcript.appendDelta(e.text);
        break;
      case "final":
        transcript.finish(e.message);
        if (session) {
          session.title = e.session.title;
          title.textContent = e.session.title;
        }
        break;
    }
  };
  running = start(onEvent);
  running.done
    .catch((err: unknown) => {
      if (!started) refused();
      showToast(err instanceof Error ? err.message : String(err), true);
    })
    .finally(() => {
      running = undefined;
      composer.setStreaming(false);
      transcript.offerActions(true);
      if (history.visible) void refreshHistory();
    });
}

function send(text: string, mentions: Mention[], replaceLast: boolean): void {
  if (!session || running) return;
  const params: SendParams = {
    sessionId: session.id,
    text,
    mentions,
    ...(model ? { model } : {}),
    ...(replaceLast ? { replaceLast: true } : {}),
  };
  // Refused before it started (e.g. malformed): give the text back (an edit is still one).
  follow(
    (onEvent) => rpc.stream("chat/send", params, onEvent),
    replaceLast,
    () => (replaceLast ? composer.beginEdit({ content: text }) : composer.setDraft(text)),
  );
}

/** The last answer again (the extension re-sends its question, with the model it was sent with). */
function retry(): void {
  if (!session) return;
  if (running) return showToast(BUSY_TURN, true);
  const params = { sessionId: session.id };
  follow(
    (onEvent) => rpc.stream("chat/retry", params, onEvent),
    true,
    () => undefined,
  );
}

async function codeAction(action: CodeAction, block: CodeBlock, button: HTMLButtonElement): Promise<void> {
  const params = { code: block.code, language: block.language, ...(block.path ? { path: block.path } : {}) };
  const r = await rpc.request(`code/${action}`, params);
  if (action === "copy" && r.ok) {
    button.classList.add("done");
    button.replaceChildren(icon("check"));
    setTimeout(() => {
      button.classList.remove("done");
      button.replaceChildren(icon("copy"));
    }, 1500);
    return;
  }
  if (r.message) showToast(r.message, !r.ok);
}

rpc.on("composer/attach", ({ chips, focus }) => {
  for (const c of chips) composer.addChip(c);
  if (focus) composer.focus();
});
rpc.on("sessions/changed", ({ sessions }) => {
  if (history.visible) history.render(sessions, session?.id);
});
rpc.on("history/toggle", () => {
  const show = !history.visible;
  history.show(show);
  if (show) void refreshHistory();
});
rpc.on("session/new", () => void newChat());

async function init(): Promise<void> {
  const draft = (vscodeApi.getState() as { draft?: unknown } | undefined)?.draft;
  if (typeof draft === "string") composer.setDraft(draft);
  showSession(await rpc.request("session/current", {}));
  vscodeApi.postMessage({ kind: "ready" });
  await loadModels();
}

/** After a window reload the panel is often up before the backend: keep asking for a while. */
async function loadModels(): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      const models = await rpc.request("models/list", {});
      model = models.current ?? undefined;
      composer.setModels(models);
      if (models.models.length > 0) return;
    } catch {
      composer.setModels({ models: [], current: null });
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

void init().catch((err: unknown) =>
  showToast(`Chat failed to start: ${err instanceof Error ? err.message : String(err)}`, true),
);
