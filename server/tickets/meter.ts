/**
 * Budgets, the stuck detector and checkpoints of one run, behind the agent's StepMeter.
 * Every step gets its checkpoint ref `refs/aicockpit/<run>/<n>`; a step that could not have
 * changed a file points at the previous checkpoint instead of hashing the tree again.
 * The wall-clock budget is enforced by the run (it aborts the agent's signal).
 */
import type { TicketBudgets, TicketBudgetState, TicketRunEventBody, TicketStopReason } from "../api/tickets";
import type { StepMeter, StepRecord } from "./agent";
import type { TicketRepo } from "./repo";
import { StuckDetector } from "./stuck";
import { COMMAND_HARD_MS, COMMAND_IDLE_MS } from "./command";

export class RunMeter implements StepMeter {
  steps = 0;
  tokensUsed = 0;
  stuckReason: string | undefined;
  private lastCheckpoint: string | undefined;
  private readonly stuck = new StuckDetector();
  private readonly startedAt = Date.now();

  constructor(
    private readonly runId: string,
    readonly budgets: TicketBudgets,
    private readonly repo: TicketRepo,
    private readonly emit: (ev: TicketRunEventBody) => void,
  ) {}

  state(): TicketBudgetState {
    return {
      steps_used: this.steps,
      steps_max: this.budgets.maxSteps,
      tokens_used: this.tokensUsed,
      tokens_max: this.budgets.maxTokens,
      elapsed_ms: Date.now() - this.startedAt,
      max_ms: this.budgets.maxMs,
    };
  }

  async step(rec: StepRecord): Promise<TicketStopReason | undefined> {
    this.steps += 1;
    const ref = `refs/aicockpit/${this.runId}/${this.steps}`;
    if (rec.mutated === false && this.lastCheckpoint) await this.repo.pointRef(ref, this.lastCheckpoint);
    else this.lastCheckpoint = await this.repo.checkpoint(ref);
    this.emit({ type: "budget", ...this.state() });
    const why = this.stuck.record(`${rec.tool} ${rec.args}`, rec.observation, rec.failed);
    if (why) {
      this.stuckReason = why;
      return "stuck";
    }
    return this.steps >= this.budgets.maxSteps ? "steps" : undefined;
  }

  tokens(n: number): TicketStopReason | undefined {
    this.tokensUsed += n;
    return this.tokensUsed > this.budgets.maxTokens ? "tokens" : undefined;
  }
}

export const DEFAULT_BUDGETS: Required<TicketBudgets> = {
  maxSteps: 50,
  maxTokens: 400_000,
  maxMs: 30 * 60_000,
  commandIdleMs: COMMAND_IDLE_MS,
  commandMaxMs: COMMAND_HARD_MS,
};
const BOUNDS: Record<keyof TicketBudgets, [number, number]> = {
  maxSteps: [1, 500],
  maxTokens: [1_000, 20_000_000],
  maxMs: [1_000, 24 * 3_600_000],
  commandIdleMs: [500, 3_600_000],
  commandMaxMs: [1_000, 3_600_000],
};

export function clampBudgets(b: Partial<TicketBudgets> = {}): Required<TicketBudgets> {
  const out = { ...DEFAULT_BUDGETS };
  for (const k of Object.keys(BOUNDS) as (keyof TicketBudgets)[]) {
    const v = b[k];
    if (v !== undefined && Number.isFinite(v)) out[k] = Math.min(BOUNDS[k][1], Math.max(BOUNDS[k][0], Math.floor(v)));
  }
  return out;
}
