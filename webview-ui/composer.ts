/**
 * The composer: a growing textarea (Enter sends, Shift+Enter is a newline), chips for
 * attached mentions, the @-picker, the model picker and the Send/Stop button. Editing the last
 * question borrows it: a bar above says so, and Cancel (or Esc) gives back what it held before.
 */
import { h, icon } from "./dom";
import { formatMention, mentionKey, parseMentions, uniqueMentions, type Mention } from "../common/mentions";
import { activeMentionQuery, type ActiveQuery } from "./mention-query";
import type { MentionCandidate, MentionChip, ModelState } from "./protocol";

export interface ComposerHooks {
  /** `replaceLast`: the text is the edited last question, which it replaces. */
  send(text: string, mentions: Mention[], replaceLast: boolean): void;
  stop(): void;
  search(query: string): Promise<MentionCandidate[]>;
  resolve(mention: Mention): Promise<MentionChip>;
  selectModel(model: string): void;
  draftChanged(text: string): void;
  /** Editing the last question started or ended (sent or cancelled). */
  editing(on: boolean): void;
}

export function chipElement(chip: MentionChip, onRemove?: () => void): HTMLElement {
  const kind = chip.mention.kind;
  const iconName = chip.error
    ? "error"
    : kind === "file"
      ? "file"
      : kind === "selection"
        ? "selection"
        : kind === "problems"
          ? "warning"
          : kind === "terminal"
            ? "terminal"
            : kind === "codebase"
              ? "repo"
              : "server";
  const title = chip.error ?? chip.note ?? (kind === "file" ? chip.mention.path : chip.label);
  const el = h(
    "span",
    {
      class: `chip${chip.error ? " chip-error" : ""}${chip.truncated ? " chip-truncated" : ""}`,
      title,
      "data-key": mentionKey(chip.mention),
    },
    icon(iconName),
    h("span", { class: "chip-label" }, chip.label),
    chip.truncated ? h("span", { class: "chip-flag", "aria-label": "truncated" }, "cut") : null,
  );
  if (chip.error) el.append(h("span", { class: "sr-only" }, `: ${chip.error}`));
  if (onRemove) {
    const x = h(
      "button",
      { class: "chip-remove", type: "button", title: `Remove ${chip.label}`, "aria-label": `Remove ${chip.label}` },
      icon("close"),
    );
    x.addEventListener("click", onRemove);
    el.append(x);
  }
  return el;
}

export class Composer {
  readonly root: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly chipsRow: HTMLElement;
  private readonly picker: HTMLElement;
  private readonly sendBtn: HTMLButtonElement;
  private readonly modelSelect: HTMLSelectElement;
  /** Attached from outside the text (e.g. "Ask AiCockpit about this"). */
  private attached: MentionChip[] = [];
  /** Resolved chips by mention key, so re-parsing the text on each keystroke costs nothing. */
  private readonly resolved = new Map<string, MentionChip>();
  private resolveTimer: ReturnType<typeof setTimeout> | undefined;
  private candidates: MentionCandidate[] = [];
  private active = 0;
  private query: ActiveQuery | undefined;
  private searchSeq = 0;
  private streaming = false;
  private readonly editBar: HTMLElement;
  /** While the last question is being edited: what the composer held before, given back after. */
  private editing: { text: string; attached: MentionChip[] } | undefined;

  constructor(private readonly hooks: ComposerHooks) {
    this.input = h("textarea", {
      class: "input",
      rows: "1",
      placeholder: "Ask about your code — @ to attach files, @codebase, @selection, @problems, @terminal",
      "aria-label": "Message",
    });
    this.chipsRow = h("div", { class: "chips", "aria-label": "Attached context" });
    this.picker = h("div", { class: "picker", role: "listbox", hidden: "" });
    this.sendBtn = h(
      "button",
      { class: "send", type: "button", title: "Send (Enter)", "aria-label": "Send" },
      icon("send"),
    );
    this.modelSelect = h("select", { class: "model", title: "Model", "aria-label": "Model" });
    const cancelEdit = h(
      "button",
      { class: "edit-cancel", type: "button", title: "Cancel editing (Escape)" },
      "Cancel",
    );
    cancelEdit.addEventListener("click", () => this.cancelEdit());
    this.editBar = h(
      "div",
      { class: "edit-bar", role: "status", hidden: "" },
      icon("edit"),
      h("span", { class: "edit-bar-text" }, "Editing your last question"),
      cancelEdit,
    );
    const atBtn = h(
      "button",
      { class: "icon-btn", type: "button", title: "Attach context (@)", "aria-label": "Attach context" },
      icon("mention"),
    );
    this.root = h(
      "div",
      { class: "composer" },
      this.picker,
      this.editBar,
      h(
        "div",
        { class: "composer-box" },
        this.chipsRow,
        this.input,
        h("div", { class: "composer-bar" }, atBtn, this.modelSelect, h("span", { class: "spacer" }), this.sendBtn),
      ),
    );

    this.input.addEventListener("input", () => {
      this.autosize();
      // An edit is not a draft: a reload brings back what the composer held before it.
      if (!this.editing) this.hooks.draftChanged(this.input.value);
      this.updatePicker();
      this.renderChips();
    });
    this.input.addEventListener("click", () => this.updatePicker());
    // Coming back from the editor: the selection, problems or files may have changed.
    this.input.addEventListener("focus", () => {
      this.resolved.clear();
      this.renderChips();
    });
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("blur", () => setTimeout(() => this.closePicker(), 150));
    this.sendBtn.addEventListener("click", () => (this.streaming ? this.hooks.stop() : this.submit()));
    atBtn.addEventListener("click", () => {
      const pos = this.input.selectionStart;
      const v = this.input.value;
      const pad = pos > 0 && !/\s/.test(v.charAt(pos - 1)) ? " @" : "@";
      this.input.setRangeText(pad, pos, this.input.selectionEnd, "end");
      this.input.focus();
      this.updatePicker();
    });
    this.modelSelect.addEventListener("change", () => this.hooks.selectModel(this.modelSelect.value));
  }

  focus(): void {
    this.input.focus();
  }

  setDraft(text: string): void {
    this.input.value = text;
    this.autosize();
    this.renderChips();
  }

  setStreaming(on: boolean): void {
    this.streaming = on;
    this.sendBtn.replaceChildren(icon(on ? "debug-stop" : "send"));
    this.sendBtn.classList.toggle("stop", on);
    this.sendBtn.title = on ? "Stop" : "Send (Enter)";
    this.sendBtn.setAttribute("aria-label", on ? "Stop" : "Send");
  }

  setModels(state: ModelState): void {
    this.modelSelect.replaceChildren(...state.models.map((m) => h("option", { value: m }, m)));
    if (state.current) this.modelSelect.value = state.current;
    this.modelSelect.disabled = state.models.length === 0;
    if (state.models.length === 0) this.modelSelect.append(h("option", { value: "" }, "no model"));
  }

  /**
   * Puts the last question back, its text and its chips as they were, to be sent in its place;
   * what the composer held is kept for Cancel. Editing again keeps the first thing kept.
   */
  beginEdit(question: { content: string; chips?: readonly MentionChip[] }): void {
    this.editing ??= { text: this.input.value, attached: this.attached };
    const chips = question.chips ?? [];
    for (const c of chips) this.resolved.set(mentionKey(c.mention), c);
    this.attached = [...chips];
    this.editBar.hidden = false;
    this.setDraft(question.content);
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
    this.hooks.editing(true);
  }

  /** Stops editing and gives back what the composer held before. */
  cancelEdit(): void {
    const before = this.editing;
    if (!before) return;
    this.editing = undefined;
    this.editBar.hidden = true;
    this.attached = before.attached;
    this.closePicker();
    this.setDraft(before.text);
    this.hooks.draftChanged(before.text);
    this.input.focus();
    this.hooks.editing(false);
  }

  /** Attach a resolved mention that is not written in the text. */
  addChip(chip: MentionChip): void {
    const key = mentionKey(chip.mention);
    this.resolved.set(key, chip);
    this.attached = [...this.attached.filter((c) => mentionKey(c.mention) !== key), chip];
    this.renderChips();
  }

  /** Mentions written in the text (`@file`, `@"a b.txt"`, `@selection`…) plus the attached ones. */
  private mentions(): Mention[] {
    // The mention still being typed (the picker's query) is not a chip yet.
    const typing = activeMentionQuery(this.input.value, this.input.selectionStart);
    const written = parseMentions(this.input.value).filter((p) => p.start !== typing?.start);
    return uniqueMentions([...this.attached.map((c) => c.mention), ...written.map((p) => p.mention)]);
  }

  private renderChips(): void {
    const list = this.mentions();
    const missing = list.filter((m) => !this.resolved.has(mentionKey(m)));
    if (missing.length > 0) {
      clearTimeout(this.resolveTimer);
      // Resolve once typing pauses: a path being typed is not worth a lookup per keystroke.
      this.resolveTimer = setTimeout(() => {
        void Promise.all(
          this.mentions()
            .filter((m) => !this.resolved.has(mentionKey(m)))
            .map(async (m) => this.resolved.set(mentionKey(m), await this.hooks.resolve(m))),
        ).then(() => this.renderChips());
      }, 250);
    }
    this.chipsRow.replaceChildren(
      ...list.map((m) => {
        const chip = this.resolved.get(mentionKey(m)) ?? { mention: m, label: m.kind === "file" ? m.path : m.kind };
        return chipElement(chip, () => this.removeMention(m));
      }),
    );
    this.chipsRow.hidden = list.length === 0;
  }

  private removeMention(m: Mention): void {
    const key = mentionKey(m);
    this.attached = this.attached.filter((c) => mentionKey(c.mention) !== key);
    // Remove its written form(s) too, last first so earlier offsets stay valid.
    let text = this.input.value;
    for (const p of parseMentions(text).reverse()) {
      if (mentionKey(p.mention) !== key) continue;
      const end = text[p.end] === " " ? p.end + 1 : p.end;
      text = text.slice(0, p.start) + text.slice(end);
    }
    this.input.value = text;
    this.hooks.draftChanged(text);
    this.autosize();
    this.renderChips();
    this.input.focus();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (text === "" || this.streaming) return;
    const mentions = this.mentions();
    const edited = this.editing !== undefined;
    if (edited) {
      // Sent in place of the last question: the composer holds again what it held before.
      this.cancelEdit();
    } else {
      this.input.value = "";
      this.attached = [];
      this.renderChips();
      this.autosize();
      this.closePicker();
      this.hooks.draftChanged("");
    }
    this.hooks.send(text, mentions, edited);
  }

  private autosize(): void {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 240)}px`;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.isComposing) return;
    const open = !this.picker.hidden && this.candidates.length > 0;
    if (open && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : this.candidates.length - 1)) % this.candidates.length;
      this.renderPicker();
      return;
    }
    if (open && (e.key === "Enter" || e.key === "Tab") && !e.shiftKey) {
      e.preventDefault();
      const chosen = this.candidates[this.active];
      if (chosen) void this.pick(chosen);
      return;
    }
    if (!this.picker.hidden && e.key === "Escape") {
      e.preventDefault();
      this.closePicker();
      return;
    }
    if (this.editing && e.key === "Escape") {
      e.preventDefault();
      this.cancelEdit();
      return;
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      this.submit();
    }
  }

  private updatePicker(): void {
    const q = activeMentionQuery(this.input.value, this.input.selectionStart);
    this.query = q;
    if (!q) {
      this.closePicker();
      return;
    }
    const seq = ++this.searchSeq;
    void this.hooks.search(q.query).then((items) => {
      if (seq !== this.searchSeq || !this.query) return;
      this.candidates = items;
      this.active = 0;
      this.renderPicker();
    });
  }

  private closePicker(): void {
    this.searchSeq++;
    this.picker.hidden = true;
    this.candidates = [];
  }

  private renderPicker(): void {
    if (this.candidates.length === 0) {
      this.picker.replaceChildren(h("div", { class: "picker-empty" }, "No matching files"));
      this.picker.hidden = false;
      return;
    }
    this.picker.replaceChildren(
      ...this.candidates.map((c, i) => {
        const row = h(
          "div",
          {
            class: `picker-row${i === this.active ? " active" : ""}`,
            role: "option",
            "aria-selected": String(i === this.active),
            title: c.mention.kind === "file" ? c.mention.path : c.detail,
          },
          icon(c.icon),
          h("span", { class: "picker-label" }, c.mention.kind === "file" ? c.label : `@${c.label}`),
          h("span", { class: "picker-detail" }, c.detail),
        );
        row.addEventListener("mousedown", (e) => {
          e.preventDefault(); // keep focus in the textarea
          void this.pick(c);
        });
        return row;
      }),
    );
    this.picker.hidden = false;
    this.picker.querySelector(".active")?.scrollIntoView({ block: "nearest" });
  }

  private async pick(c: MentionCandidate): Promise<void> {
    const q = this.query;
    // The typed `@query` becomes the mention's written form (quoted when the path has spaces).
    const written = `${formatMention(c.mention)} `;
    if (q) this.input.setRangeText(written, q.start, this.input.selectionStart, "end");
    else this.input.setRangeText(written, this.input.selectionStart, this.input.selectionEnd, "end");
    this.closePicker();
    this.input.focus();
    this.hooks.draftChanged(this.input.value);
    this.autosize();
    const key = mentionKey(c.mention);
    if (!this.resolved.has(key)) this.resolved.set(key, await this.hooks.resolve(c.mention));
    this.renderChips();
  }
}
