/**
 * Tasks view and task panel logic without `vscode`: what a history row shows (the same RowLook
 * as the Remote Hosts and Workspaces views), and the panel's state, rebuilt from the task's
 * event log. Events are applied by sequence id: one already applied is ignored, so a stream
 * that reconnects (Last-Event-ID) or replays never shows a step, a line of output or a
 * question twice. Unit-tested in test/unit/tasks.
 */
import type { TaskEvent, TaskStatus, TaskTarget, TaskView } from "../../server/api/tasks";
import type { AttemptState, CommandView, PanelState } from "../../webview-ui/tasks/protocol";
import type { RowLook } from "../workspaces/model";

export type { RowLook, PanelState };

/** Output kept per command in the panel (the tail); the backend's record keeps its own. */
export const PANEL_OUTPUT_CHARS = 32_768;

export const FINAL: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "cancelled", "interrupted"]);

export const STATUS_ICONS: Record<TaskStatus, { icon: string; color?: string }> = {
  pending: { icon: "circle-large-outline" },
  running: { icon: "sync~spin", color: "charts.blue" },
  waiting_for_user: { icon: "bell-dot", color: "charts.yellow" },
  completed: { icon: "pass-filled", color: "charts.green" },
  failed: { icon: "error", color: "charts.red" },
  cancelled: { icon: "circle-slash" },
  interrupted: { icon: "debug-disconnect", color: "charts.orange" },
};

export const STATUS_WORDS: Record<TaskStatus, string> = {
  pending: "pending",
  running: "running",
  waiting_for_user: "waiting for you",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
  interrupted: "interrupted",
};

export function targetText(t: TaskTarget): string {
  return t.kind === "local"
    ? "this machine"
    : t.kind === "host"
      ? `SSH host ${t.hostId}`
      : `workspace ${t.workspaceId}`;
}

/** "3 min ago" style, for the history row; absolute time in the tooltip. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A history row: the task's words, its status and target; `task.<status>` drives the menus. */
export function taskLook(t: Omit<TaskView, "subtasks">, now = Date.now()): RowLook {
  const oneLine = t.original_prompt.replace(/\s+/g, " ").trim();
  const label = oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine;
  return {
    label,
    description: `${STATUS_WORDS[t.status]} · ${targetText(t.target)} · ${ago(t.created_at, now)}`,
    tooltip: [
      oneLine,
      `status: ${STATUS_WORDS[t.status]}`,
      `where: ${targetText(t.target)}`,
      `started: ${t.created_at}`,
      ...(t.completed_at ? [`ended: ${t.completed_at}`] : []),
      ...(t.error_message ? [t.error_message] : []),
    ].join("\n"),
    ...STATUS_ICONS[t.status],
    contextValue: `task.${t.status}`,
  };
}

export function initialState(
  t: Pick<TaskView, "task_id" | "original_prompt" | "target" | "created_at" | "status">,
): PanelState {
  return {
    task_id: t.task_id,
    prompt: t.original_prompt,
    target: targetText(t.target),
    created_at: t.created_at,
    status: t.status === "pending" ? "pending" : t.status,
    steps: [],
    errors: [],
    seq: 0,
    link: "live",
  };
}

function appendOut(c: CommandView, text: string): void {
  c.output += text;
  if (c.output.length > PANEL_OUTPUT_CHARS) {
    c.output = c.output.slice(c.output.length - PANEL_OUTPUT_CHARS);
    c.outputCut = true;
  }
}

function attemptOf(s: PanelState, step: number, attempt: number): AttemptState | undefined {
  const st = s.steps[step];
  if (!st) return undefined;
  let a = st.attempts.find((x) => x.attempt === attempt);
  if (!a) {
    a = { attempt, run: { command: st.command, reasons: [], output: "", outputCut: false } };
    st.attempts.push(a);
  }
  return a;
}

/** Applies one event (mutating `s`); returns false when it was already applied (seq ≤ s.seq). */
export function applyEvent(s: PanelState, ev: TaskEvent): boolean {
  if (ev.type === "heartbeat") return false;
  if (ev.seq <= s.seq) return false;
  s.seq = ev.seq;
  switch (ev.type) {
    case "task_status_update":
      s.status = ev.status;
      if (ev.plan) s.steps = ev.plan.map((p, index) => ({ index, ...p, status: "pending" as const, attempts: [] }));
      if (ev.error_message !== undefined) s.error_message = ev.error_message;
      if (ev.status !== "waiting_for_user") {
        delete s.pending;
        delete s.hang;
      }
      break;
    case "subtask_started": {
      const st = s.steps[ev.subtask];
      if (st) st.status = "running";
      break;
    }
    case "command_proposed": {
      const a = attemptOf(s, ev.subtask, ev.attempt);
      if (!a) break;
      const look = {
        command: ev.command,
        risk: ev.risk,
        reasons: ev.reasons,
        ...(ev.explanation !== undefined ? { explanation: ev.explanation } : {}),
        output: "",
        outputCut: false,
      };
      // An edit proposes the command again: the new assessment replaces the old one.
      if (ev.role === "command") a.run = look;
      else a.check = look;
      break;
    }
    case "awaiting_confirmation":
      s.pending = ev.pending;
      delete s.hang;
      break;
    case "hang_suspected":
      s.hang = { pending: ev.pending, last_lines: ev.last_lines, analysis: ev.analysis, silent_ms: ev.silent_ms };
      delete s.pending;
      break;
    case "command_output": {
      const a = attemptOf(s, ev.subtask, ev.attempt);
      if (!a) break;
      const c = ev.role === "command" ? a.run : a.check;
      if (c) appendOut(c, ev.text);
      break;
    }
    case "command_result": {
      const a = attemptOf(s, ev.subtask, ev.attempt);
      if (!a) break;
      a.run.command = ev.command;
      a.run.exit_code = ev.exit_code;
      if (ev.signal) a.run.signal = ev.signal;
      break;
    }
    case "check_result": {
      const a = attemptOf(s, ev.subtask, ev.attempt);
      if (!a) break;
      a.check ??= { command: ev.command, reasons: [], output: "", outputCut: false };
      a.check.command = ev.command;
      a.check.exit_code = ev.exit_code;
      a.check.passed = ev.passed;
      break;
    }
    case "validation": {
      const a = attemptOf(s, ev.subtask, ev.attempt);
      if (a) {
        a.result = ev.result;
        if (ev.advice !== undefined) a.advice = ev.advice;
      }
      const st = s.steps[ev.subtask];
      if (st && ev.subtask_status) st.status = ev.subtask_status;
      break;
    }
    case "summary":
      s.summary = ev.summary;
      break;
    case "error":
      s.errors.push(ev.error);
      break;
  }
  return true;
}

/** Reconnect delays after a dropped stream: quick at first, then every few seconds. */
export function backoffMs(failures: number): number {
  return Math.min(5_000, 250 * 2 ** Math.max(0, failures - 1));
}
