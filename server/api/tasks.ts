/**
 * Host tasks (issue 13): a task in plain words → steps the model plans, each run on one
 * target after the user confirms it, each verified by a read-only check.
 *
 *   POST /api/tasks                  start → TaskView (status "pending", then "running")
 *   GET  /api/tasks                  every task, newest first (no attempt output)
 *   GET  /api/tasks/:id              one task with every attempt
 *   GET  /api/tasks/:id/events       SSE of TaskEvent; `Last-Event-ID: <seq>` (or ?after=<seq>)
 *                                    resumes after that event: nothing missed, nothing repeated.
 *                                    Each SSE message carries `id: <seq>`; the stream ends with
 *                                    [DONE] once the task has finished.
 *   POST /api/tasks/:id/decision     answer an `awaiting_confirmation` or a `hang_suspected`
 *   POST /api/tasks/:id/cancel       stop now (a running command's process group is killed)
 *
 * Nothing model-generated runs without the user: every command that is not `safe` waits for
 * a decision naming its confirmation id; `dangerous` needs `confirmDangerous: true` too; an
 * edited command is assessed again and gets a new confirmation id (the old one is void).
 * Checks run without asking only when `safe`; otherwise they are confirmed like commands.
 */
import type { CredentialsByHost } from "./hosts";
import type { ShellRisk as Risk } from "./shell";

export type TaskTarget =
  { kind: "local" } | { kind: "host"; hostId: string } | { kind: "workspace"; workspaceId: string };

export type TaskStatus =
  "pending" | "running" | "waiting_for_user" | "completed" | "failed" | "cancelled" | "interrupted";

export const TASK_LIMITS = {
  promptChars: 4_000,
  maxSubtasks: 10,
  maxAttempts: 3,
  /** Output kept per attempt (and per check) in the record; the stream carries everything. */
  outputChars: 16_384,
  /** Lines of output shown with hang_suspected. */
  hangLines: 20,
  inputChars: 4_096,
  commandChars: 8_192,
} as const;

/** Per-task limits; every field optional in the request, clamped to these bounds. */
export interface TaskLimits {
  /** Subtasks the plan may have (1–10, default 10). */
  maxSteps: number;
  /** Attempts per subtask (1–3, default 3). */
  maxAttempts: number;
  /** Whole task, waiting for the user included (default 1 h). */
  wallClockMs: number;
  /** Model tokens (prompt + answer, estimated at 4 characters a token) per task (default 60 000). */
  maxModelTokens: number;
  /** No output for this long → hang_suspected (default 30 000, minimum 500). */
  hangMs: number;
}

export interface StartTaskRequest {
  prompt: string;
  target: TaskTarget;
  limits?: Partial<TaskLimits>;
  /** Working directory for local commands and the risk assessment (default: the backend's home). */
  cwd?: string;
  model?: string;
  /**
   * Key passphrase / password of an SSH host target and its jump hops (as in the gateway's
   * body). Kept in memory for this task's commands only: never logged, stored or echoed.
   */
  credentials?: CredentialsByHost;
}

export interface Attempt {
  attempt_number: number;
  command: string;
  /** stdout+stderr interleaved as it arrived, capped at TASK_LIMITS.outputChars (the tail is kept). */
  output: string;
  output_truncated: boolean;
  exit_code: number | null;
  signal?: string;
  /** The check run after the command (absent when the command failed or the check was skipped). */
  check?: { command: string; exit_code: number | null; output: string };
  /** "passed" only when the command exited 0 and its check exited 0. */
  validation_result: "passed" | "failed" | "skipped" | "killed";
  /** The model's advisory opinion, shown but never used to decide success. */
  advice?: string;
  timestamp: string;
}

export interface Subtask {
  index: number;
  description: string;
  command: string;
  check: string;
  status: "pending" | "running" | "completed" | "failed" | "skipped";
  attempts: Attempt[];
}

export interface TaskView {
  task_id: string;
  target: TaskTarget;
  original_prompt: string;
  subtasks: Subtask[];
  current_subtask_index: number;
  status: TaskStatus;
  created_at: string;
  completed_at?: string;
  error_message?: string;
  summary?: TaskSummary;
  limits: TaskLimits;
  /** The pending question, when status is waiting_for_user. */
  pending?: PendingConfirmation | PendingHang;
}

export interface TaskSummary {
  /** The model's account (advisory). */
  text: string;
  /** Facts from the record: what ran, where, with which outcome. */
  facts: {
    target: string;
    ran: {
      subtask: number;
      command: string;
      exit_code: number | null;
      validation_result: Attempt["validation_result"];
    }[];
    failed: number[];
    skipped: number[];
  };
}

export interface PendingConfirmation {
  kind: "confirmation";
  confirmation_id: string;
  subtask: number;
  role: "command" | "check";
  command: string;
  risk: Risk;
  reasons: string[];
}

export interface PendingHang {
  kind: "hang";
  hang_id: string;
  subtask: number;
  command: string;
}

export type TaskList = { tasks: Omit<TaskView, "subtasks">[] };

export type TaskDecisionRequest =
  | { confirmation_id: string; action: "run"; confirmDangerous?: boolean }
  | { confirmation_id: string; action: "edit"; command: string }
  | { confirmation_id: string; action: "skip" }
  | { confirmation_id: string; action: "stop" }
  | { hang_id: string; action: "wait" }
  | { hang_id: string; action: "input"; text: string }
  | { hang_id: string; action: "kill" };

export interface TaskDecisionResponse {
  accepted: true;
  /** For `edit`: the new question the edited command needs (it never runs on the old one). */
  pending?: PendingConfirmation;
}

interface Base {
  /** Sequence id: 1, 2, 3 … per task; the SSE `id:` field. A `heartbeat` is not part of the log: seq 0, no `id:`. */
  seq: number;
  task_id: string;
  at: string;
}

export type TaskEventBody =
  | {
      type: "task_status_update";
      status: TaskStatus;
      error_message?: string;
      plan?: { description: string; command: string; check: string }[];
    }
  | { type: "subtask_started"; subtask: number; description: string }
  | {
      type: "command_proposed";
      subtask: number;
      attempt: number;
      role: "command" | "check";
      command: string;
      risk: Risk;
      reasons: string[];
      explanation?: string;
    }
  | { type: "awaiting_confirmation"; pending: PendingConfirmation }
  | { type: "command_output"; subtask: number; attempt: number; role: "command" | "check"; text: string }
  | {
      type: "command_result";
      subtask: number;
      attempt: number;
      command: string;
      exit_code: number | null;
      signal?: string;
      output_tail: string;
    }
  | {
      type: "check_result";
      subtask: number;
      attempt: number;
      command: string;
      exit_code: number | null;
      passed: boolean;
    }
  /** `subtask_status` is set when this attempt decided the subtask (completed, failed, skipped). */
  | {
      type: "validation";
      subtask: number;
      attempt: number;
      result: Attempt["validation_result"];
      advice?: string;
      subtask_status?: Subtask["status"];
    }
  | { type: "hang_suspected"; pending: PendingHang; last_lines: string[]; analysis: string; silent_ms: number }
  | { type: "summary"; summary: TaskSummary }
  | { type: "heartbeat" }
  | { type: "error"; error: { code: string; message: string; hint?: string } };

export type TaskEvent = Base & TaskEventBody;
