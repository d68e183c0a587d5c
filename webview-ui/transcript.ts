/**
 * The conversation: user messages with their chips, assistant answers rendered as markdown
 * (re-rendered at most once per frame while streaming), truncation notices, the Sources an
 * @codebase answer was given (each opens the file at its lines), and the code-block buttons
 * (Copy, Insert, Apply, Run), Retry under the last answer and Edit on the last question, wired
 * by event delegation.
 */
import { chipElement } from "./composer";
import { h, icon } from "./dom";
import { renderMarkdown, type CodeBlock } from "./markdown";
import type { ChatSource, StoredMessage } from "./protocol";
import type { TruncationNotice } from "../server/api/chat";

export type CodeAction = "copy" | "insert" | "apply" | "run";

function tokens(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)}k` : String(n);
}

/** "12–40", or "12" for one line: what a source row says next to its path. */
export function sourceLines(s: ChatSource): string {
  const one = (r: { startLine: number; endLine: number }) =>
    r.startLine === r.endLine ? String(r.startLine) : `${r.startLine}–${r.endLine}`;
  return [s, ...(s.also ?? [])].map(one).join(", ");
}

export function noticeText(n: TruncationNotice): string {
  return n.kind === "omitted"
    ? `${n.label} was left out: it did not fit in the prompt (~${tokens(n.totalTokens)} tokens).`
    : `${n.label} was truncated: ~${tokens(n.keptTokens)} of ~${tokens(n.totalTokens)} tokens went into the prompt.`;
}

export class Transcript {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly blocks = new WeakMap<HTMLElement, CodeBlock[]>();
  private readonly sources = new WeakMap<HTMLElement, ChatSource[]>();
  /** User messages as stored: Edit gives the last one back to the composer. */
  private readonly questions = new WeakMap<HTMLElement, StoredMessage>();
  private live: { el: HTMLElement; body: HTMLElement; notices: HTMLElement; text: string; frame: number } | undefined;

  constructor(
    private readonly onAction: (action: CodeAction, block: CodeBlock, button: HTMLButtonElement) => void,
    private readonly onLink: (href: string) => void,
    private readonly onSource: (source: ChatSource) => void,
    private readonly onRetry: () => void,
    private readonly onEdit: (question: StoredMessage) => void,
  ) {
    this.empty = h(
      "div",
      { class: "empty" },
      h("div", { class: "empty-icon" }, icon("comment-discussion")),
      h("h2", {}, "Ask AiCockpit"),
      h(
        "p",
        {},
        "Questions about your code, explanations, fixes. Type ",
        h("kbd", {}, "@"),
        " to attach a file, the selection, problems or terminal output — or ",
        h("kbd", {}, "@codebase"),
        " to let AiCockpit find the relevant code.",
      ),
    );
    this.list = h("div", { class: "messages", role: "log", "aria-live": "polite" });
    this.root = h("div", { class: "transcript" }, this.empty, this.list);
    this.root.addEventListener("click", (e) => this.onClick(e));
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const link = target.closest<HTMLElement>("a[data-href]");
    if (link) {
      e.preventDefault();
      this.onLink(link.dataset.href!);
      return;
    }
    if (target.closest("button[data-retry]")) {
      this.onRetry();
      return;
    }
    const edit = target.closest<HTMLElement>("button[data-edit]")?.closest<HTMLElement>(".msg.user");
    if (edit) {
      const question = this.questions.get(edit);
      if (question) this.onEdit(question);
      return;
    }
    const src = target.closest<HTMLElement>("button[data-source]");
    if (src) {
      const msgEl = src.closest<HTMLElement>(".msg");
      const source = msgEl ? this.sources.get(msgEl)?.[Number(src.dataset.source)] : undefined;
      if (source) this.onSource(source);
      return;
    }
    const btn = target.closest<HTMLButtonElement>("button[data-action]");
    if (!btn) return;
    const blockEl = btn.closest<HTMLElement>(".code-block");
    const msgEl = btn.closest<HTMLElement>(".msg");
    if (!blockEl || !msgEl) return;
    const block = this.blocks.get(msgEl)?.[Number(blockEl.dataset.block)];
    if (block) this.onAction(btn.dataset.action as CodeAction, block, btn);
  }

  clear(): void {
    this.live = undefined;
    this.list.replaceChildren();
    this.updateEmpty();
  }

  private updateEmpty(): void {
    this.empty.hidden = this.list.childElementCount > 0;
  }

  scrollToEnd(): void {
    this.root.scrollTop = this.root.scrollHeight;
  }

  private nearEnd(): boolean {
    return this.root.scrollHeight - this.root.scrollTop - this.root.clientHeight < 80;
  }

  addUser(m: StoredMessage): void {
    const chips =
      m.chips && m.chips.length > 0 ? h("div", { class: "chips" }, ...m.chips.map((c) => chipElement(c))) : null;
    const el = h("div", { class: "msg user" }, chips, h("div", { class: "user-text" }, m.content));
    this.questions.set(el, m);
    this.list.append(el);
    this.updateEmpty();
    this.scrollToEnd();
  }

  private fillAssistant(el: HTMLElement, body: HTMLElement, text: string): void {
    const r = renderMarkdown(text);
    // Safe: renderMarkdown escapes all HTML from the model (see markdown.ts).
    body.innerHTML = r.html;
    this.blocks.set(el, r.blocks);
  }

  private noticeList(notices: readonly TruncationNotice[]): HTMLElement {
    return h(
      "div",
      { class: "notices" },
      ...notices.map((n) => h("div", { class: "notice" }, icon("warning"), h("span", {}, noticeText(n)))),
    );
  }

  /** The files the answer was given, under it; shown once (live from the sources event, or stored). */
  private showSources(el: HTMLElement, sources: readonly ChatSource[]): void {
    if (sources.length === 0 || this.sources.has(el)) return;
    this.sources.set(el, [...sources]);
    const rows = sources.map((s, i) => {
      const slash = s.path.lastIndexOf("/");
      return h(
        "li",
        {},
        h(
          "button",
          {
            class: "source",
            type: "button",
            "data-source": String(i),
            title: `Open ${s.path} at line ${s.startLine}`,
          },
          icon("file"),
          h("span", { class: "source-name" }, s.path.slice(slash + 1)),
          slash > 0 ? h("span", { class: "source-dir" }, s.path.slice(0, slash)) : null,
          h("span", { class: "source-lines" }, sourceLines(s)),
        ),
      );
    });
    el.append(
      h(
        "div",
        { class: "sources", role: "group", "aria-label": "Sources" },
        h("div", { class: "sources-title" }, icon("references"), `Sources (${sources.length})`),
        h("ul", {}, ...rows),
      ),
    );
  }

  addSources(sources: readonly ChatSource[], partial: boolean): void {
    const live = this.live;
    if (!live) return;
    this.showSources(live.el, sources);
    // Said while it matters (this answer); the stored message keeps only the list.
    if (partial)
      live.notices.append(
        h(
          "div",
          { class: "notice" },
          icon("info"),
          h("span", {}, "The codebase index is still being built: the answer may miss files."),
        ),
      );
  }

  addAssistant(m: StoredMessage): void {
    const body = h("div", { class: "md" });
    const el = h("div", { class: "msg assistant" }, body);
    this.fillAssistant(el, body, m.content);
    if (m.notices && m.notices.length > 0) el.prepend(this.noticeList(m.notices));
    if (m.sources) this.showSources(el, m.sources);
    this.finishStatus(el, m);
    this.list.append(el);
    this.updateEmpty();
  }

  private finishStatus(el: HTMLElement, m: StoredMessage): void {
    el.classList.remove("streaming");
    if (m.status === "stopped")
      el.append(h("div", { class: "status stopped" }, icon("circle-slash"), "Stopped — the answer above is partial"));
    if (m.status === "error")
      el.append(
        h(
          "div",
          { class: "status error", role: "alert" },
          icon("error"),
          h("span", { class: "status-text" }, m.error ?? "The answer failed."),
        ),
      );
    if (m.content === "" && m.status === "done") el.append(h("div", { class: "status" }, "(empty answer)"));
  }

  /**
   * When `on` (nothing streams): Edit on the last question, and Retry under the last answer once
   * it is finished; gone everywhere else, since only the last turn can be changed. A failed
   * answer also gets Retry as text in its error line, where the eye already is.
   */
  offerActions(on: boolean): void {
    this.list.querySelectorAll(".retry-offer, .edit-offer").forEach((el) => el.remove());
    this.list.querySelectorAll(".msg.user.editable").forEach((el) => el.classList.remove("editable"));
    if (!on) return;
    const question = Array.from(this.list.querySelectorAll(".msg.user")).at(-1);
    if (question) {
      const title = "Edit this question";
      question.classList.add("editable");
      question.append(
        h(
          "button",
          { class: "msg-btn edit-offer", type: "button", "data-edit": "", title, "aria-label": title },
          icon("edit"),
        ),
      );
    }
    const last = this.list.lastElementChild;
    if (!last?.matches(".msg.assistant:not(.streaming)")) return;
    const stick = this.nearEnd();
    const title = "Retry this answer";
    last.append(
      h(
        "div",
        { class: "msg-actions retry-offer" },
        h(
          "button",
          { class: "msg-btn", type: "button", "data-retry": "", title, "aria-label": title },
          icon("refresh"),
        ),
      ),
    );
    last
      .querySelector(".status.error")
      ?.append(h("button", { class: "status-btn retry-offer", type: "button", "data-retry": "", title }, "Retry"));
    if (stick) this.scrollToEnd();
  }

  /** Marks the last question as the one being edited (and brings it into view), or unmarks it. */
  markEditing(on: boolean): void {
    this.list.querySelectorAll(".msg.user.editing").forEach((el) => el.classList.remove("editing"));
    const question = Array.from(this.list.querySelectorAll<HTMLElement>(".msg.user")).at(-1);
    if (!on || !question) return;
    question.classList.add("editing");
    // The composer grew by the edit bar: show the question, and as much of its answer as fits.
    // (By hand, not scrollIntoView: that would scroll the frames around the webview too.)
    this.root.scrollTop += question.getBoundingClientRect().top - this.root.getBoundingClientRect().top - 8;
  }

  /**
   * Retry or Edit started: the last answer and its question go, and the question is shown as
   * sent now (again, or edited; chips resolved now).
   */
  replaceLastTurn(question: StoredMessage): void {
    this.live = undefined;
    let last = this.list.lastElementChild;
    while (last?.matches(".msg.assistant")) {
      last.remove();
      last = this.list.lastElementChild;
    }
    if (last?.matches(".msg.user")) last.remove();
    this.addUser(question);
  }

  startAssistant(): void {
    const body = h(
      "div",
      { class: "md" },
      h("span", { class: "typing", "aria-label": "Thinking" }, h("span"), h("span"), h("span")),
    );
    const notices = h("div", { class: "notices" });
    const el = h("div", { class: "msg assistant streaming" }, notices, body);
    this.list.append(el);
    this.live = { el, body, notices, text: "", frame: 0 };
    this.updateEmpty();
    this.scrollToEnd();
  }

  appendDelta(text: string): void {
    const live = this.live;
    if (!live) return;
    live.text += text;
    if (live.frame !== 0) return;
    live.frame = requestAnimationFrame(() => {
      live.frame = 0;
      const stick = this.nearEnd();
      this.fillAssistant(live.el, live.body, live.text);
      if (stick) this.scrollToEnd();
    });
  }

  addNotice(n: TruncationNotice): void {
    this.live?.notices.append(h("div", { class: "notice" }, icon("warning"), h("span", {}, noticeText(n))));
  }

  finish(m: StoredMessage): void {
    const live = this.live;
    this.live = undefined;
    if (!live) {
      this.addAssistant(m);
      return;
    }
    if (live.frame !== 0) cancelAnimationFrame(live.frame);
    // Measured before the status line grows the answer: an error below the fold goes unseen.
    const stick = this.nearEnd();
    this.fillAssistant(live.el, live.body, m.content);
    if (m.sources) this.showSources(live.el, m.sources);
    this.finishStatus(live.el, m);
    if (stick) this.scrollToEnd();
  }
}
