/**
 * Ticket agents (issue 14): a ticket is a clone of a repository on its own branch
 * `ticket_<id>` in the tickets root; actions on it (`chat`, `make_plan`, `dev`) are runs of
 * an agent (the built-in tool-calling agent or the Gemini CLI), streamed as typed events.
 *
 *   POST   /api/tickets                          create: clone (or fetch + fast-forward), check out ticket_<id>
 *   GET    /api/tickets                          every ticket
 *   GET    /api/tickets/:id                      one ticket (with its runs, newest first)
 *   DELETE /api/tickets/:id                      removes the local clone; the remote branch stays
 *   POST   /api/tickets/:id/command              start a run → TicketRunView (409 TICKET_RUN_ACTIVE while one runs)
 *   GET    /api/tickets/:id/runs/:run            one run
 *   GET    /api/tickets/:id/runs/:run/events     SSE of TicketRunEvent; `Last-Event-ID: <seq>` (or ?after=<seq>)
 *                                                resumes after that event: nothing lost, nothing repeated.
 *                                                Each SSE message carries `id: <seq>`; the stream ends with
 *                                                [DONE] after the run's `end` event.
 *   POST   /api/tickets/:id/runs/:run/confirm    answer a `confirm` event (run or reject a proposed command)
 *   POST   /api/tickets/:id/runs/:run/cancel     stop the agent and every command it started (process group)
 *   POST   /api/tickets/:id/workspace            attach the Docker workspace the agent's commands run in: an
 *                                                existing one that mounts the clone (checked), or a new one
 *                                                with the clone bind-mounted at /workspace → TicketView
 *   DELETE /api/tickets/:id/workspace            detach it (the container stays) → TicketView
 *
 * Secrets (the forge token, the Gemini API key) come from the client's SecretStorage in the
 * request body (`secrets`), are used in memory for that request/run only, and never reach a
 * URL, a log, an event, a git config or the disk. A run's events are an append-only JSONL log
 * in the data dir (never in the repository); after a backend restart an unfinished run is
 * `interrupted`.
 */
import type { z } from "zod";
import type { ShellRisk } from "./shell";
import type { ApiError } from "./errors";
import type {
  CreateTicketRequestSchema,
  TicketCommandRequestSchema,
  TicketConfirmRequestSchema,
  TicketWorkspaceRequestSchema,
} from "./schemas/tickets";

/** Letters, digits, `-`, `_`; 1–64 characters. */
export const TICKET_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const TICKET_BRANCH_PREFIX = "ticket_";
/** Where make_plan writes the plan, relative to the repository root (committed on the ticket branch). */
export const TICKET_PLAN_PATH = ".aicockpit/plan.md";

export const TICKET_LIMITS = {
  repoUrlChars: 2_048,
  branchChars: 200,
  messageChars: 16_000,
  tokenChars: 4_096,
  /** Text kept in one tool_result event (the model sees the same bound). */
  toolOutputChars: 16_384,
  /** Patch text kept in one diff event. */
  diffChars: 65_536,
} as const;

export type TicketAction = "chat" | "make_plan" | "dev";
export type TicketAgentKind = "builtin" | "gemini-cli";

/**
 * `running` → `waiting_for_user` (a command awaits confirmation) → a final status:
 * `completed`, `failed`, `cancelled` (the user), `stopped` (a budget or the stuck detector;
 * the branch and every checkpoint are kept), `interrupted` (the backend stopped mid-run).
 */
export type TicketRunStatus =
  "running" | "waiting_for_user" | "completed" | "failed" | "cancelled" | "stopped" | "interrupted";
export const TICKET_RUN_FINAL: readonly TicketRunStatus[] = [
  "completed",
  "failed",
  "cancelled",
  "stopped",
  "interrupted",
];

/** Why a run was `stopped`. */
export type TicketStopReason = "steps" | "tokens" | "time" | "stuck";

/** Per-run budgets; every field optional in the request, clamped to sane bounds. */
export interface TicketBudgets {
  /** Agent steps (model turns that called a tool), default 50. */
  maxSteps: number;
  /** Model tokens (prompt + answer as reported, else estimated), default 400 000. */
  maxTokens: number;
  /** Wall clock of the whole run, waiting for the user included; default 30 min. */
  maxMs: number;
  /** One agent command (run_command, the tests) with no output for this long is killed; default 120 s. */
  commandIdleMs?: number;
  /** One agent command is killed after this long in all; default 600 s. */
  commandMaxMs?: number;
}

export type CreateTicketRequest = z.infer<typeof CreateTicketRequestSchema>;
export type TicketCommandRequest = z.infer<typeof TicketCommandRequestSchema>;
export type TicketConfirmRequest = z.infer<typeof TicketConfirmRequestSchema>;
export type TicketWorkspaceRequest = z.infer<typeof TicketWorkspaceRequestSchema>;

export interface TicketView {
  ticket_id: string;
  repo_url: string;
  /** `ticket_<ticket_id>`. */
  branch: string;
  base_branch: string;
  /** Absolute path of the clone. */
  path: string;
  /** Docker workspace the agent's commands run in, when attached. */
  workspace_id?: string;
  /** Where the clone is mounted inside that workspace (e.g. /workspace). */
  workspace_path?: string;
  created_at: string;
  /** Set once a dev run opened (or found) the pull request. */
  pr_url?: string;
  /** The run that is running or waiting for the user, if any. */
  active_run?: string;
}

export interface CreateTicketResponse {
  /** `created`: cloned now; `updated`: existed, fetched and fast-forwarded (or already up to date). */
  status: "created" | "updated";
  ticket_id: string;
  branch: string;
  path: string;
  /** Human sentence: what was done (e.g. "Cloned … and created branch ticket_42 from main."). */
  message: string;
}

export interface TicketList {
  tickets: TicketView[];
}

export interface TicketRunView {
  run_id: string;
  ticket_id: string;
  action: TicketAction;
  agent: TicketAgentKind;
  status: TicketRunStatus;
  stop_reason?: TicketStopReason;
  created_at: string;
  finished_at?: string;
  /** Sequence number of the last event so far. */
  last_seq: number;
  budgets: TicketBudgets;
  /** What the user asked for this run as sent (Chat's question, Make Plan's goal); absent when nothing was typed. */
  message?: string;
  pr_url?: string;
  error?: ApiError;
}

export interface TicketDetail extends TicketView {
  runs: TicketRunView[];
}

export interface DeleteTicketResponse {
  deleted: true;
  /** Always true: deleting a ticket never touches the remote branch. */
  remote_branch_kept: true;
  /** The workspace created for the ticket was removed with it (an attached one of yours is kept). */
  workspace_removed?: true;
}

export interface TicketConfirmResponse {
  accepted: true;
}

/** A command the agent wants to run on this machine: shown to the user with its assessment. */
export interface PendingCommand {
  /** Opaque, single use, bound to this run and the exact command. */
  confirmation_id: string;
  command: string;
  /** Relative to the ticket's folder ("." = its root). */
  cwd: string;
  risk: ShellRisk;
  reasons: string[];
}

export interface TicketBudgetState {
  steps_used: number;
  steps_max: number;
  tokens_used: number;
  tokens_max: number;
  elapsed_ms: number;
  max_ms: number;
}

interface Base {
  /** 1, 2, 3 … per run; the SSE `id:`. A `heartbeat` is not part of the log: seq 0, no `id:`. */
  seq: number;
  run_id: string;
  ticket_id: string;
  at: string;
}

export type TicketRunEventBody =
  | {
      type: "status";
      status: TicketRunStatus;
      /** What the run is doing now, e.g. "cloning", "implementing", "running tests (round 2)". */
      phase?: string;
      message?: string;
    }
  /** Streamed model text (answers, plans, explanations). */
  | { type: "token"; text: string }
  | { type: "tool_call"; call_id: string; tool: string; args: Record<string, unknown> }
  | {
      type: "tool_result";
      call_id: string;
      tool: string;
      ok: boolean;
      /** Bounded to TICKET_LIMITS.toolOutputChars. */
      output: string;
      truncated?: boolean;
    }
  /** A command awaits the user (status is `waiting_for_user` until it is answered). */
  | { type: "confirm"; pending: PendingCommand }
  | { type: "plan"; path: string; text: string; commit?: string }
  | { type: "diff"; files: string[]; patch: string; truncated: boolean }
  | {
      type: "test_result";
      round: number;
      command: string;
      exit_code: number | null;
      passed: boolean;
      output_tail: string;
    }
  | { type: "commit"; sha: string; branch: string; message: string }
  | { type: "push"; branch: string; remote: string }
  | { type: "pr"; url: string; number?: number; created: boolean; draft: boolean }
  | ({ type: "budget" } & TicketBudgetState)
  | { type: "error"; error: ApiError }
  /** The last event of every run. `branch_kept` is true whenever the run stopped early. */
  | {
      type: "end";
      status: Exclude<TicketRunStatus, "running" | "waiting_for_user">;
      stop_reason?: TicketStopReason;
      message: string;
      branch_kept: boolean;
      pr_url?: string;
    }
  | { type: "heartbeat" };

export type TicketRunEvent = Base & TicketRunEventBody;
