/**
 * One task from plan to summary. Every decision the user owes is a waiter with its own id;
 * an answer naming an older id is refused (TASK_DECISION_STALE), so an edited command — which
 * is assessed again and gets a new id — can never run on the confirmation of what it replaced.
 * Success of a step is the command's exit code and its check's; the model only advises.
 */
import { randomUUID } from "node:crypto";
import { homedir } from "node:os";
import { assess } from "../shell/risk";
import { AppError, toAppError } from "../errors";
import type {
  PendingConfirmation,
  PendingHang,
  TaskDecisionRequest,
  TaskDecisionResponse,
  TaskEventBody,
  TaskStatus,
  TaskView,
  Attempt,
} from "../api/tasks";
import { TASK_LIMITS } from "../api/tasks";
import type { TaskHeader } from "./store";
import {
  adviseOn,
  analyseHang,
  planTask,
  proposeAlternative,
  summarise,
  targetLabel,
  TokenBudget,
  type ModelContext,
  type Tried,
} from "./model";
import { startCommand, type RunOutcome, type TargetDeps } from "./runner";

/** Output sent as events per command; beyond it one note says the rest was not streamed. */
const MAX_STREAMED_CHARS = 256 * 1024;

type Answer = { req: TaskDecisionRequest; ack: (r: TaskDecisionResponse) => void };

interface Waiter {
  id: string;
  pending: PendingConfirmation | PendingHang;
  resolve: (a: Answer) => void;
  reject: (e: unknown) => void;
}

class Stopped extends Error {}

export interface LoopDeps extends TargetDeps {
  llm: ModelContext["llm"];
  model?: string;
}

export class TaskRun {
  private readonly ac = new AbortController();
  private outcome: { status: TaskStatus; message?: string } | undefined;
  private waiter: Waiter | undefined;
  private readonly budget: TokenBudget;
  private readonly deadline: number;
  private readonly wallTimer: NodeJS.Timeout;
  private hangInput = false;

  constructor(
    private readonly h: TaskHeader,
    private readonly view: () => TaskView,
    private readonly emit: (e: TaskEventBody) => void,
    private readonly deps: LoopDeps,
  ) {
    this.budget = new TokenBudget(h.limits.maxModelTokens);
    this.deadline = Date.now() + h.limits.wallClockMs;
    this.wallTimer = setTimeout(
      () => this.stop("failed", `The task reached its wall-clock limit (${h.limits.wallClockMs} ms) and was stopped.`),
      h.limits.wallClockMs,
    );
  }

  private get model(): ModelContext {
    return {
      llm: this.deps.llm,
      budget: this.budget,
      signal: this.ac.signal,
      ...(this.deps.model ? { model: this.deps.model } : {}),
    };
  }

  stop(status: TaskStatus, message?: string): void {
    if (this.outcome) return;
    this.outcome = { status, ...(message ? { message } : {}) };
    this.ac.abort();
    this.waiter?.reject(new Stopped());
  }

  /** Called by the route: validated here, synchronously, so a wrong answer is an HTTP error. */
  decide(req: TaskDecisionRequest): Promise<TaskDecisionResponse> {
    const w = this.waiter;
    const id = "confirmation_id" in req ? req.confirmation_id : req.hang_id;
    if (!w || w.id !== id)
      throw new AppError(
        "TASK_DECISION_STALE",
        "That question is no longer open (it was answered, replaced by an edit, or the step moved on).",
        "Read the task again and answer its current question.",
      );
    if (w.pending.kind === "confirmation" && !("confirmation_id" in req))
      throw new AppError("BAD_REQUEST", "The task is waiting for a confirmation: answer run, edit, skip or stop.");
    if (w.pending.kind === "hang" && !("hang_id" in req))
      throw new AppError("BAD_REQUEST", "The task is waiting about a silent command: answer wait, input or kill.");
    if (req.action === "input" && !this.hangInput) {
      throw new AppError(
        "TASK_INPUT_UNSUPPORTED",
        "Input cannot be sent to a command on this target while it runs (a workspace command has no stdin).",
        "Wait, or kill the command.",
      );
    }
    if (
      req.action === "run" &&
      w.pending.kind === "confirmation" &&
      w.pending.risk === "dangerous" &&
      req.confirmDangerous !== true
    ) {
      throw new AppError(
        "BAD_REQUEST",
        "This command is dangerous: confirm it a second time with confirmDangerous: true.",
        w.pending.reasons.join(" "),
      );
    }
    return new Promise((ack) => {
      this.waiter = undefined;
      w.resolve({ req, ack });
    });
  }

  private ask(pending: PendingConfirmation | PendingHang): Promise<Answer> {
    if (this.outcome) return Promise.reject(new Stopped());
    const id = pending.kind === "confirmation" ? pending.confirmation_id : pending.hang_id;
    return new Promise<Answer>((resolve, reject) => {
      this.waiter = { id, pending, resolve, reject };
      if (pending.kind === "confirmation") this.emit({ type: "awaiting_confirmation", pending });
      this.emit({ type: "task_status_update", status: "waiting_for_user" });
    });
  }

  private checkpoint(): void {
    if (this.outcome) throw new Stopped();
    if (this.budget.exceeded)
      this.stop("failed", `The task used its model token limit (${this.budget.max} tokens) and was stopped.`);
    if (this.outcome) throw new Stopped();
  }

  async run(): Promise<void> {
    try {
      this.emit({ type: "task_status_update", status: "running" });
      let plan;
      try {
        plan = await planTask(this.model, this.h.original_prompt, this.h.target, this.h.limits.maxSteps);
      } catch (e) {
        if (this.outcome) throw new Stopped();
        throw e;
      }
      if (plan.length > this.h.limits.maxSteps) {
        this.stop("failed", `The model planned ${plan.length} steps; the limit is ${this.h.limits.maxSteps}.`);
        throw new Stopped();
      }
      this.emit({ type: "task_status_update", status: "running", plan });
      for (const [i, step] of plan.entries()) {
        this.checkpoint();
        const ok = await this.subtask(i, step);
        if (!ok) {
          this.stop(
            "failed",
            `Step ${i + 1} (${step.description}) failed after ${this.view().subtasks[i]?.attempts.length ?? 0} attempt(s).`,
          );
          break;
        }
      }
      if (!this.outcome) this.outcome = { status: "completed" };
    } catch (e) {
      if (!(e instanceof Stopped) && !this.outcome) {
        const err = toAppError(e);
        this.emit({ type: "error", error: err.toApiError() });
        this.outcome = { status: "failed", message: err.message };
      }
    } finally {
      clearTimeout(this.wallTimer);
      this.ac.abort();
    }
    await this.finish();
  }

  private async finish(): Promise<void> {
    const v = this.view();
    const ran = v.subtasks.flatMap((s) =>
      s.attempts.map((a) => ({
        subtask: s.index,
        command: a.command,
        exit_code: a.exit_code,
        validation_result: a.validation_result,
      })),
    );
    const facts = {
      target: targetLabel(this.h.target),
      ran,
      failed: v.subtasks.filter((s) => s.status === "failed").map((s) => s.index),
      skipped: v.subtasks.filter((s) => s.status === "skipped").map((s) => s.index),
    };
    const factText = [
      `Where: ${facts.target}`,
      ...ran.map(
        (r) => `step ${r.subtask + 1}: ${r.command} → exit ${r.exit_code ?? "signal"}, ${r.validation_result}`,
      ),
      `Outcome: ${this.outcome?.status ?? "failed"}${this.outcome?.message ? ` (${this.outcome.message})` : ""}`,
    ].join("\n");
    // The task's own signal is spent; the summary gets a short one of its own.
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(), 30_000);
    const text = await summarise(
      {
        llm: this.deps.llm,
        budget: new TokenBudget(Number.MAX_SAFE_INTEGER),
        signal: ac.signal,
        ...(this.deps.model ? { model: this.deps.model } : {}),
      },
      this.h.original_prompt,
      factText,
    );
    clearTimeout(t);
    this.emit({ type: "summary", summary: { text, facts } });
    const o = this.outcome ?? { status: "failed" as const };
    this.emit({ type: "task_status_update", status: o.status, ...(o.message ? { error_message: o.message } : {}) });
  }

  /** Asks until the user runs, skips or stops; every edit is a new assessment and a new id. */
  private async confirm(
    subtask: number,
    attempt: number,
    role: "command" | "check",
    command: string,
    explanation?: string,
  ): Promise<{ command: string; action: "run" | "skip" }> {
    for (;;) {
      const a = assess(command, { ...(this.h.cwd ? { cwd: this.h.cwd } : {}), home: homedir() });
      this.emit({
        type: "command_proposed",
        subtask,
        attempt,
        role,
        command,
        risk: a.risk,
        reasons: a.reasons,
        ...(explanation ? { explanation } : {}),
      });
      if (role === "check" && a.risk === "safe") return { command, action: "run" };
      const pending: PendingConfirmation = {
        kind: "confirmation",
        confirmation_id: randomUUID(),
        subtask,
        role,
        command,
        risk: a.risk,
        reasons: a.reasons,
      };
      const { req, ack } = await this.ask(pending);
      if (req.action === "edit") {
        command = req.command;
        explanation = "edited by the user";
        // The answer to the edit is the question the edited command needs.
        // (confirm runs synchronously up to its next question, so the waiter is already the new one.)
        const next = this.confirm(subtask, attempt, role, command, explanation);
        ack({
          accepted: true,
          ...(this.waiter?.pending.kind === "confirmation" ? { pending: this.waiter.pending } : {}),
        });
        return next;
      }
      ack({ accepted: true });
      if (req.action === "stop") {
        this.stop("cancelled", "Stopped by the user.");
        throw new Stopped();
      }
      this.emit({ type: "task_status_update", status: "running" });
      return { command, action: req.action === "skip" ? "skip" : "run" };
    }
  }

  private async subtask(i: number, step: { description: string; command: string; check: string }): Promise<boolean> {
    this.emit({ type: "subtask_started", subtask: i, description: step.description });
    const tried: Tried[] = [];
    let command = step.command;
    let explanation: string | undefined;
    for (let attempt = 1; attempt <= this.h.limits.maxAttempts; attempt++) {
      this.checkpoint();
      const c = await this.confirm(i, attempt, "command", command, explanation);
      if (c.action === "skip") {
        this.emit({ type: "validation", subtask: i, attempt, result: "skipped", subtask_status: "skipped" });
        return true;
      }
      command = c.command;
      const r = await this.execute(i, attempt, "command", command);
      this.emit({
        type: "command_result",
        subtask: i,
        attempt,
        command,
        exit_code: r.exitCode,
        ...(r.signal ? { signal: r.signal } : {}),
        output_tail: r.output.slice(-2_000),
      });
      const t: Tried = { command, exitCode: r.exitCode, output: r.output };
      let result: Attempt["validation_result"] = r.killed ? "killed" : "failed";
      if (this.outcome) {
        // Stopped (cancel, stop, a limit) while it ran: the attempt is recorded as what it was.
        this.emit({ type: "validation", subtask: i, attempt, result, subtask_status: "failed" });
        throw new Stopped();
      }
      if (r.exitCode === 0 && !r.killed) {
        this.checkpoint();
        const ck = await this.confirm(i, attempt, "check", step.check);
        if (ck.action === "skip") result = "skipped";
        else {
          const cr = await this.execute(i, attempt, "check", ck.command);
          const passed = cr.exitCode === 0 && !cr.killed;
          this.emit({ type: "check_result", subtask: i, attempt, command: ck.command, exit_code: cr.exitCode, passed });
          t.check = { command: ck.command, exitCode: cr.exitCode };
          result = passed ? "passed" : "failed";
        }
      }
      tried.push(t);
      this.checkpoint();
      const advice = await adviseOn(this.model, step.description, t, result === "passed");
      const ok = result === "passed" || result === "skipped";
      const last = !ok && attempt === this.h.limits.maxAttempts;
      this.emit({
        type: "validation",
        subtask: i,
        attempt,
        result,
        advice,
        ...(ok ? { subtask_status: "completed" as const } : last ? { subtask_status: "failed" as const } : {}),
      });
      if (ok) return true;
      if (last) return false;
      this.checkpoint();
      try {
        const alt = await proposeAlternative(this.model, step, this.h.target, tried);
        command = alt.command;
        explanation = alt.explanation;
      } catch (e) {
        if (this.outcome) throw new Stopped();
        this.emit({ type: "error", error: toAppError(e).toApiError() });
        this.emit({ type: "validation", subtask: i, attempt, result, subtask_status: "failed" });
        return false;
      }
    }
    return false;
  }

  /** Runs one command with hang detection; the task's stop kills it. */
  private async execute(
    subtask: number,
    attempt: number,
    role: "command" | "check",
    command: string,
  ): Promise<RunOutcome & { output: string; killed: boolean }> {
    let output = "";
    let streamed = 0;
    let last = Date.now();
    // Silence counts from the moment the command runs on the target (an SSH connect is not silence).
    let started = false;
    let killed = false;
    const running = startCommand(this.deps, this.h.target, command, {
      timeoutMs: Math.max(1_000, this.deadline - Date.now()),
      ...(this.h.cwd ? { cwd: this.h.cwd } : {}),
      onStarted: () => {
        started = true;
        last = Date.now();
      },
      onOutput: (text) => {
        last = Date.now();
        output = (output + text).slice(-TASK_LIMITS.outputChars);
        if (streamed >= MAX_STREAMED_CHARS) return;
        const part = text.slice(0, MAX_STREAMED_CHARS - streamed);
        streamed += part.length;
        this.emit({ type: "command_output", subtask, attempt, role, text: part });
        if (streamed >= MAX_STREAMED_CHARS)
          this.emit({
            type: "command_output",
            subtask,
            attempt,
            role,
            text: "\n[AiCockpit: further output was not streamed]\n",
          });
      },
    });
    const onStop = () => {
      killed = true;
      running.kill();
    };
    this.ac.signal.addEventListener("abort", onStop, { once: true });
    let finished = false;
    let hang: PendingHang | undefined;
    const watch = setInterval(
      () => {
        // A command being killed (the user chose kill, or the task stops) is silent on its way
        // out; asking about it again would be a second question about the same command.
        if (hang || finished || killed || !started || this.outcome) return;
        if (Date.now() - last < this.h.limits.hangMs) return;
        hang = { kind: "hang", hang_id: randomUUID(), subtask, command };
        const live = () => !finished && !killed;
        void this.onHang(hang, command, output, Date.now() - last, running.input, live, () => {
          killed = true;
          running.kill();
        }).then(() => {
          last = Date.now();
          hang = undefined;
        });
      },
      Math.max(100, Math.min(1_000, this.h.limits.hangMs / 4)),
    );
    try {
      const r = await running.done;
      return { ...r, output, killed };
    } finally {
      finished = true;
      clearInterval(watch);
      this.ac.signal.removeEventListener("abort", onStop);
      // The command ended on its own while the user was being asked: the question is void.
      if (hang && this.waiter?.id === hang.hang_id) {
        this.waiter = undefined;
        this.emit({ type: "task_status_update", status: "running" });
      }
    }
  }

  private async onHang(
    p: PendingHang,
    command: string,
    output: string,
    silentMs: number,
    input: ((t: string) => void) | undefined,
    live: () => boolean,
    kill: () => void,
  ): Promise<void> {
    const lastLines = output
      .split(/\r?\n/)
      .filter((l) => l !== "")
      .slice(-TASK_LIMITS.hangLines);
    const analysis = this.budget.exceeded
      ? "(no analysis: the model token limit is used up)"
      : await analyseHang(this.model, command, lastLines);
    // It ended (or is being killed) while the model was asked: there is nothing to decide.
    if (this.outcome || !live()) return;
    this.emit({ type: "hang_suspected", pending: p, last_lines: lastLines, analysis, silent_ms: silentMs });
    this.hangInput = input !== undefined;
    let a: Answer;
    try {
      a = await this.ask(p);
    } catch {
      return;
    }
    if (a.req.action === "input") input?.(a.req.text.endsWith("\n") ? a.req.text : `${a.req.text}\n`);
    else if (a.req.action === "kill") kill();
    a.ack({ accepted: true });
    this.emit({ type: "task_status_update", status: "running" });
  }
}
