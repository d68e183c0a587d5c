/**
 * Command confirmations of one run: what the user confirmed is exactly what runs. The
 * command is assessed by the shell risk rules (server/shell/risk.ts), a confirm token
 * (server/gateway/confirm-token.ts) binds the exact command and folder to this run, and the
 * agent waits until the user answers. `dangerous` commands need `confirmDangerous: true`.
 */
import { join } from "node:path";
import { assess } from "../shell/risk";
import { AppError } from "../errors";
import type { ConfirmTokens } from "../gateway/confirm-token";
import type { PendingCommand, TicketConfirmRequest, TicketRunEventBody } from "../api/tickets";
import type { CommandDecision, CommandRequest } from "./agent";

interface Waiting {
  pending: PendingCommand;
  resolve: (d: CommandDecision) => void;
}

export class RunConfirmations {
  private waiting: Waiting | undefined;

  constructor(
    private readonly tokens: ConfirmTokens,
    private readonly runId: string,
    private readonly root: string,
    private readonly emit: (ev: TicketRunEventBody) => void,
  ) {}

  private binding() {
    return { host: "local", container: `ticket-run:${this.runId}`, purpose: "tickets.run_command" };
  }

  ask(req: CommandRequest, signal: AbortSignal): Promise<CommandDecision> {
    const { risk, reasons } = assess(req.command, { cwd: join(this.root, req.cwd) });
    const confirmation_id = this.tokens.sign({ ...this.binding(), argv: [req.command, req.cwd] });
    const pending: PendingCommand = { confirmation_id, command: req.command, cwd: req.cwd, risk, reasons };
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting = undefined;
        reject(new AppError("CANCELLED", "The run was cancelled while a command waited for confirmation."));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting = {
        pending,
        resolve: (d) => {
          signal.removeEventListener("abort", onAbort);
          this.waiting = undefined;
          this.emit({ type: "status", status: "running" });
          resolve(d);
        },
      };
      this.emit({ type: "confirm", pending });
      this.emit({ type: "status", status: "waiting_for_user", message: "A command waits for your confirmation." });
    });
  }

  get pending(): PendingCommand | undefined {
    return this.waiting?.pending;
  }

  answer(req: TicketConfirmRequest): void {
    const w = this.waiting;
    if (!w || w.pending.confirmation_id !== req.confirmation_id)
      throw new AppError("TICKET_CONFIRMATION_STALE", "No command of this run waits for that confirmation.");
    if (req.action === "reject") {
      this.tokens.redeem(req.confirmation_id, this.binding());
      w.resolve({ run: false, reason: "declined by the user" });
      return;
    }
    if (w.pending.risk === "dangerous" && req.confirmDangerous !== true)
      throw new AppError(
        "CONFIRM_TOKEN_REJECTED",
        "This command is dangerous; confirm it explicitly with confirmDangerous: true.",
      );
    const r = this.tokens.redeem(req.confirmation_id, this.binding());
    if (!r.ok) throw new AppError("CONFIRM_TOKEN_REJECTED", r.reason);
    if (r.binding.argv[0] !== w.pending.command || r.binding.argv[1] !== w.pending.cwd)
      throw new AppError("CONFIRM_TOKEN_REJECTED", "The confirmation does not match the command that waits.");
    w.resolve({ run: true });
  }
}
