/**
 * The task panel's contract between the extension and its webview. The extension owns the
 * state (rebuilt from the task's event log, extension/tasks/model.ts) and sends it whole; the
 * webview renders it and sends back the user's choices. Nothing here imports `vscode` or the DOM.
 */
import type { PendingConfirmation, PendingHang, Subtask, TaskStatus, TaskSummary } from "../../server/api/tasks";
import type { ShellRisk } from "../../server/api/shell";

export interface CommandView {
  command: string;
  risk?: ShellRisk;
  reasons: string[];
  explanation?: string;
  output: string;
  outputCut: boolean;
  exit_code?: number | null;
  signal?: string;
}

export interface AttemptState {
  attempt: number;
  run: CommandView;
  check?: CommandView & { passed?: boolean };
  result?: "passed" | "failed" | "skipped" | "killed";
  advice?: string;
}

export interface StepState {
  index: number;
  description: string;
  command: string;
  check: string;
  status: Subtask["status"];
  attempts: AttemptState[];
}

export interface PanelState {
  task_id: string;
  prompt: string;
  target: string;
  created_at: string;
  status: TaskStatus;
  error_message?: string;
  steps: StepState[];
  /** The open question: a confirmation… */
  pending?: PendingConfirmation;
  /** …or a silent command. */
  hang?: { pending: PendingHang; last_lines: string[]; analysis: string; silent_ms: number };
  summary?: TaskSummary;
  errors: { code: string; message: string; hint?: string }[];
  /** Highest sequence id applied. */
  seq: number;
  /** The stream: following live, reconnecting after a drop, or ended (the task is over). */
  link: "live" | "reconnecting" | "ended";
}

/** Extension → webview. */
export type ToPanel = { type: "state"; state: PanelState };

/** Webview → extension: the user's choices (the extension asks for edits, input and the second confirmation). */
export type FromPanel =
  | { type: "ready" }
  | { type: "run"; confirmation_id: string }
  | { type: "edit"; confirmation_id: string }
  | { type: "skip"; confirmation_id: string }
  | { type: "stop" }
  | { type: "wait"; hang_id: string }
  | { type: "input"; hang_id: string }
  | { type: "kill"; hang_id: string };
