/**
 * The task panel: the plan, each step's attempts (command, risk, streamed output, exit code,
 * check, the model's advice), the open question with its buttons, a silent command's choices,
 * and the summary. It renders the state the extension sends (whole, throttled) and posts back
 * the user's choices; everything shown is text (no HTML from a model or a command).
 */
import "./tasks.css";
import { h, icon } from "../dom";
import type { AttemptState, CommandView, FromPanel, PanelState, StepState, ToPanel } from "./protocol";

interface VsCodeApi {
  postMessage(message: FromPanel): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const api = acquireVsCodeApi();

const app = document.getElementById("app")!;

const STATUS: Record<PanelState["status"], [string, string]> = {
  pending: ["circle-large-outline", "Pending"],
  running: ["sync", "Running"],
  waiting_for_user: ["bell-dot", "Waiting for you"],
  completed: ["pass-filled", "Completed"],
  failed: ["error", "Failed"],
  cancelled: ["circle-slash", "Cancelled"],
  interrupted: ["debug-disconnect", "Interrupted"],
};
const STEP: Record<StepState["status"], string> = {
  pending: "circle-large-outline",
  running: "sync",
  completed: "pass-filled",
  failed: "error",
  skipped: "debug-step-over",
};

const button = (label: string, ic: string, msg: FromPanel, kind = "secondary", title?: string) => {
  const b = h("button", { class: `btn ${kind}`, type: "button", "data-action": msg.type, title }, icon(ic), label);
  b.addEventListener("click", () => {
    // one answer per question: the next state re-enables whatever is still open
    document.querySelectorAll<HTMLButtonElement>(".question button").forEach((x) => (x.disabled = true));
    api.postMessage(msg);
  });
  return b;
};

const riskBadge = (risk: CommandView["risk"]) =>
  risk ? h("span", { class: `risk risk-${risk}`, title: `risk: ${risk}` }, risk.toUpperCase()) : null;

function commandBlock(label: string, c: CommandView, extra?: HTMLElement | null): HTMLElement {
  const exit =
    c.exit_code !== undefined
      ? h(
          "span",
          { class: `exit ${c.exit_code === 0 ? "ok" : "bad"}` },
          c.signal ? `killed (${c.signal})` : `exit ${c.exit_code ?? "?"}`,
        )
      : null;
  return h(
    "div",
    { class: "cmd" },
    h("div", { class: "cmd-head" }, h("span", { class: "cmd-label" }, label), riskBadge(c.risk), exit, extra ?? null),
    h("pre", { class: "cmd-line" }, h("code", {}, c.command)),
    c.explanation ? h("div", { class: "muted" }, c.explanation) : null,
    c.reasons.length > 0 && c.risk !== "safe" ? h("div", { class: "reasons muted" }, c.reasons.join(" · ")) : null,
    c.output !== ""
      ? h("pre", { class: "output", "aria-label": `${label} output` }, c.outputCut ? `…${c.output}` : c.output)
      : null,
  );
}

function attemptBlock(s: StepState, a: AttemptState, state: PanelState): HTMLElement {
  const result = a.result
    ? h("span", { class: `result result-${a.result}` }, a.result === "passed" ? "✓ passed" : a.result)
    : null;
  const checkPassed =
    a.check?.passed !== undefined
      ? h("span", { class: `exit ${a.check.passed ? "ok" : "bad"}` }, a.check.passed ? "check passed" : "check failed")
      : null;
  const questionHere =
    (state.pending && state.pending.subtask === s.index) || (state.hang && state.hang.pending.subtask === s.index);
  const isLast = s.attempts.at(-1) === a;
  return h(
    "div",
    { class: "attempt", "data-attempt": String(a.attempt) },
    s.attempts.length > 1 || a.attempt > 1
      ? h("div", { class: "attempt-title" }, `Attempt ${a.attempt}`, result)
      : null,
    commandBlock("Command", a.run),
    a.check ? commandBlock("Check", a.check, checkPassed) : null,
    a.advice ? h("div", { class: "advice" }, icon("lightbulb"), h("span", {}, "Model (advisory): "), a.advice) : null,
    s.attempts.length <= 1 && a.attempt === 1 && result ? h("div", { class: "attempt-result" }, result) : null,
    questionHere && isLast ? question(state) : null,
  );
}

function question(state: PanelState): HTMLElement | null {
  const p = state.pending;
  if (p) {
    const run =
      p.risk === "dangerous"
        ? button("Run…", "warning", { type: "run", confirmation_id: p.confirmation_id }, "danger", "asks once more")
        : button("Run", "play", { type: "run", confirmation_id: p.confirmation_id }, "primary");
    return h(
      "div",
      {
        class: `question risk-border-${p.risk}`,
        role: "group",
        "aria-label": "Confirm the command",
        "data-confirmation": p.confirmation_id,
      },
      h(
        "div",
        { class: "q-title" },
        icon("question"),
        p.role === "check" ? "Run this check?" : "Run this command?",
        riskBadge(p.risk),
      ),
      // the command, its explanation and the risk's reasons are right above, in the attempt
      h(
        "div",
        { class: "buttons" },
        run,
        button("Edit…", "edit", { type: "edit", confirmation_id: p.confirmation_id }),
        button("Skip", "debug-step-over", { type: "skip", confirmation_id: p.confirmation_id }),
        button("Stop task", "debug-stop", { type: "stop" }),
      ),
    );
  }
  const hang = state.hang;
  if (hang) {
    return h(
      "div",
      {
        class: "question hang",
        role: "group",
        "aria-label": "The command is silent",
        "data-hang": hang.pending.hang_id,
      },
      h(
        "div",
        { class: "q-title" },
        icon("watch"),
        `No output for ${Math.round(hang.silent_ms / 1000)} s — is it stuck?`,
      ),
      hang.last_lines.length > 0 ? h("pre", { class: "output" }, hang.last_lines.join("\n")) : null,
      h("div", { class: "advice" }, icon("lightbulb"), h("span", {}, "Model (advisory): "), hang.analysis),
      h(
        "div",
        { class: "buttons" },
        button("Wait", "watch", { type: "wait", hang_id: hang.pending.hang_id }, "primary"),
        button("Send input…", "keyboard", { type: "input", hang_id: hang.pending.hang_id }),
        button("Kill", "close", { type: "kill", hang_id: hang.pending.hang_id }, "danger"),
      ),
    );
  }
  return null;
}

const FINAL = ["completed", "failed", "cancelled", "interrupted"];

function stepBlock(step: StepState, state: PanelState): HTMLElement {
  // A task that ended (stopped, interrupted) while a step was under way: that step is not running any more.
  const s: StepState =
    step.status === "running" && FINAL.includes(state.status) ? { ...step, status: "pending" } : step;
  const current = s.status === "running";
  return h(
    "section",
    { class: `step step-${s.status}${current ? " current" : ""}`, "data-step": String(s.index + 1) },
    h(
      "div",
      { class: "step-title" },
      h("span", { class: `step-icon st-${s.status}` }, icon(s.status === "running" ? "sync~spin" : STEP[s.status])),
      h("span", { class: "step-no" }, `Step ${s.index + 1}`),
      h("span", { class: "step-desc" }, s.description),
      h("span", { class: "step-status muted" }, s === step ? s.status : `not finished (task ${state.status})`),
    ),
    s.attempts.length === 0
      ? h("div", { class: "plan muted" }, h("code", {}, s.command), h("span", {}, " · check: "), h("code", {}, s.check))
      : null,
    ...s.attempts.map((a) => attemptBlock(s, a, state)),
  );
}

function render(state: PanelState): void {
  const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
  const [ic, word] = STATUS[state.status];
  const live = state.link === "reconnecting" ? h("span", { class: "link muted" }, icon("plug"), "reconnecting…") : null;
  const header = h(
    "header",
    { class: "task-head" },
    h("div", { class: "prompt" }, state.prompt),
    h(
      "div",
      { class: "meta" },
      h(
        "span",
        { class: `status status-${state.status}`, "data-status": state.status },
        icon(state.status === "running" ? "sync~spin" : ic),
        word,
      ),
      h("span", { class: "muted" }, `on ${state.target}`),
      live,
      state.link !== "ended" && !FINAL.includes(state.status)
        ? h(
            "span",
            { class: "head-actions" },
            button("Stop task", "debug-stop", { type: "stop" }, "secondary", "stops now; a running command is killed"),
          )
        : null,
    ),
    state.error_message ? h("div", { class: "error-line" }, icon("error"), state.error_message) : null,
  );
  const steps =
    state.steps.length === 0
      ? [h("div", { class: "muted planning" }, icon("sync~spin"), "Planning the steps…")]
      : state.steps.map((s) => stepBlock(s, state));
  const errors = state.errors.map((e) =>
    h("div", { class: "error-line" }, icon("warning"), `${e.message}${e.hint ? ` ${e.hint}` : ""}`),
  );
  const summary = state.summary
    ? h(
        "section",
        { class: "summary", "aria-label": "Summary" },
        h("h2", {}, icon("checklist"), "Summary"),
        h("p", {}, state.summary.text),
        h(
          "ul",
          { class: "facts" },
          ...state.summary.facts.ran.map((r) =>
            h(
              "li",
              {},
              h("span", { class: `result result-${r.validation_result}` }, r.validation_result),
              ` step ${r.subtask + 1}: `,
              h("code", {}, r.command),
              ` → ${r.exit_code === null ? "killed" : `exit ${r.exit_code}`}`,
            ),
          ),
        ),
        state.summary.facts.failed.length > 0
          ? h("p", { class: "bad" }, `Failed: step ${state.summary.facts.failed.map((n) => n + 1).join(", ")}`)
          : null,
        state.summary.facts.skipped.length > 0
          ? h("p", { class: "muted" }, `Skipped: step ${state.summary.facts.skipped.map((n) => n + 1).join(", ")}`)
          : null,
      )
    : null;
  app.replaceChildren(header, h("main", { class: "steps" }, ...steps, ...errors, summary));
  if (atBottom) window.scrollTo(0, document.body.scrollHeight);
}

window.addEventListener("message", (e: MessageEvent<ToPanel>) => {
  if (e.data?.type === "state") render(e.data.state);
});
api.postMessage({ type: "ready" });
