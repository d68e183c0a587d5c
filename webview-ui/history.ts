/** The history list: past sessions (newest first), open on click, delete with the trash button. */
import { h, icon, relativeTime } from "./dom";
import type { SessionSummary } from "./protocol";

export class HistoryPanel {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;

  constructor(
    private readonly onOpen: (id: string) => void,
    private readonly onDelete: (id: string) => void,
    onClose: () => void,
  ) {
    const close = h(
      "button",
      { class: "icon-btn", type: "button", title: "Close history", "aria-label": "Close history" },
      icon("close"),
    );
    close.addEventListener("click", onClose);
    this.list = h("ul", { class: "history-list", "aria-label": "Chat history" });
    this.root = h(
      "section",
      { class: "history", hidden: "" },
      h("div", { class: "history-head" }, h("h3", {}, "History"), close),
      this.list,
    );
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  show(on: boolean): void {
    this.root.hidden = !on;
  }

  render(sessions: readonly SessionSummary[], currentId: string | undefined): void {
    if (sessions.length === 0) {
      this.list.replaceChildren(h("li", { class: "history-empty" }, "No saved chats yet."));
      return;
    }
    this.list.replaceChildren(
      ...sessions.map((s) => {
        const del = h(
          "button",
          {
            class: "icon-btn history-delete",
            type: "button",
            title: `Delete “${s.title}”`,
            "aria-label": `Delete ${s.title}`,
          },
          icon("trash"),
        );
        del.addEventListener("click", (e) => {
          e.stopPropagation();
          this.onDelete(s.id);
        });
        const item = h(
          "li",
          {
            class: `history-item${s.id === currentId ? " current" : ""}`,
            tabindex: "0",
            role: "button",
            "data-id": s.id,
          },
          icon("comment"),
          h(
            "span",
            { class: "history-text" },
            h("span", { class: "history-title" }, s.title),
            h("span", { class: "history-meta" }, `${relativeTime(s.updatedAt)} · ${s.messageCount} messages`),
          ),
          del,
        );
        item.addEventListener("click", () => this.onOpen(s.id));
        item.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            this.onOpen(s.id);
          }
        });
        return item;
      }),
    );
  }
}
