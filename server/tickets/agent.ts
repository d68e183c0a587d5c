/**
 * The agent contract: what the built-in tool-calling agent (server/tickets/builtin/) and the
 * Gemini CLI adapter (server/tickets/gemini/) both implement.
 *
 * A run (server/tickets/run.ts) drives an action as one or more *turns*: `chat` is one
 * `answer` turn, `make_plan` one `plan` turn, `dev` an `implement` turn, up to 3 `fix_tests`
 * turns and a `review` turn. Everything around the turns — the dirty-tree check, writing and
 * committing the plan, finding and running the tests, the diff, commit, push and pull
 * request, the `status`/`plan`/`diff`/`test_result`/`commit`/`push`/`pr`/`budget`/`end`
 * events — belongs to the run, so an agent only works the repository and reports.
 *
 * An agent:
 * - emits only `token`, `tool_call`, `tool_result` and `error` events through `emit` (the run
 *   itself reports a `failed` result's error: the agent need not emit it as well);
 * - calls `meter.step()` after every tool call and stops the turn (`stopped`) when it returns
 *   a reason — the meter counts steps, queues the checkpoint ref `refs/aicockpit/<run>/<n>`,
 *   runs the stuck detector and emits `budget`; awaits `meter.settled()` before a tool that
 *   may change files; reports model tokens with `meter.tokens()`;
 * - never runs a command on this machine without `confirm()` answering `{ run: true }`
 *   (inside the ticket's workspace container it may run without asking);
 * - touches nothing outside `ticket.path` (realpath containment) and never runs git itself
 *   for history changes (no commit, clean, reset, push, branch deletion: the run does those);
 * - ends promptly with `cancelled` when `signal` aborts, its child processes (whole process
 *   group) killed.
 */
import type { ApiError } from "../api/errors";
import type {
  TicketAction,
  TicketAgentKind,
  TicketBudgets,
  TicketRunEventBody,
  TicketStopReason,
} from "../api/tickets";

export interface TicketContext {
  ticketId: string;
  runId: string;
  /** Real path of the clone; every file the agent touches must resolve inside it. */
  path: string;
  branch: string;
  /** Per-ticket folder outside the repository for the agent's own state (e.g. the Gemini CLI's HOME). */
  stateDir: string;
  /**
   * The Docker workspace the clone is mounted in, when one is attached, and the uid:gid its
   * commands run as (exec-user.ts; absent: the image's user).
   */
  workspace?: { id: string; path: string; user?: string };
}

/** What one turn is for. `answer` and `plan` may only read; the others may edit files. */
export type AgentStep = "answer" | "plan" | "implement" | "fix_tests" | "review";

export const READ_ONLY_STEPS: ReadonlySet<AgentStep> = new Set(["answer", "plan"]);

export interface CommandRequest {
  /** The command line exactly as it will run (`sh -c`). */
  command: string;
  /** Relative to the ticket's folder. */
  cwd: string;
}

export type CommandDecision = { run: true } | { run: false; reason: string };

/**
 * Asks the user whether a command may run on this machine: the command is assessed by the
 * shell risk rules, shown in a `confirm` event, and the promise settles with the user's answer
 * (rejects with CANCELLED when the run is cancelled or runs out of time).
 */
export type ConfirmCommand = (req: CommandRequest) => Promise<CommandDecision>;

export interface StepRecord {
  tool: string;
  /** Canonical JSON of the arguments (the stuck detector compares these). */
  args: string;
  /** What the tool returned, as the model saw it. */
  observation: string;
  failed: boolean;
  /** False when the tool could not have changed a file (the checkpoint then reuses the last one). */
  mutated?: boolean;
  /** The only files the tool changed, when it knows exactly (relative, `/`-separated): a cheaper checkpoint. */
  paths?: string[];
}

export interface StepMeter {
  /**
   * After every tool call: counts it, queues its checkpoint (written in the background) and
   * returns why the run must stop now, if it must.
   */
  step(rec: StepRecord): Promise<TicketStopReason | undefined>;
  /**
   * Resolves once every queued checkpoint is written (rejects with the first that failed).
   * Await it before a tool that may change files, so no checkpoint sees a later step's edits.
   */
  settled(): Promise<void>;
  /** Model tokens used (prompt + completion). Returns `tokens` once over the budget. */
  tokens(n: number): TicketStopReason | undefined;
}

export interface AgentModelConfig {
  /** Model name; undefined = the provider's (or the CLI's) default. */
  model?: string;
  /** Built-in agent: provider id (default: the active provider). */
  providerId?: string;
  /** Gemini CLI: its API key, placed only in the child's environment. */
  apiKey?: string;
}

export interface AgentTurnInput {
  ticket: TicketContext;
  action: TicketAction;
  step: AgentStep;
  /** The whole instruction for this turn (the user's message, the plan, a test failure…), built by the run. */
  prompt: string;
  /** False on the first turn of the ticket's conversation (the Gemini CLI resumes its session after). */
  followUp: boolean;
  model: AgentModelConfig;
  budgets: TicketBudgets;
  meter: StepMeter;
  confirm: ConfirmCommand;
  emit: (ev: TicketRunEventBody) => void;
  signal: AbortSignal;
}

export type AgentTurnResult =
  /** `text`: the final answer (chat), the plan in markdown (plan), a summary (implement/fix/review). */
  | { status: "completed"; text: string }
  | { status: "failed"; error: ApiError; text?: string }
  | { status: "stopped"; reason: TicketStopReason }
  | { status: "cancelled" };

export interface TicketAgent {
  readonly kind: TicketAgentKind;
  /** Whether it can run here (e.g. the CLI found or installable); the error says what to do if not. */
  available(): Promise<{ ok: true } | { ok: false; error: ApiError }>;
  runTurn(input: AgentTurnInput): Promise<AgentTurnResult>;
}
