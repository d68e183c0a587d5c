/**
 * The built-in agent: any configured OpenAI-compatible model, driven through tool calls
 * (tools.ts) until it calls `finish` or answers without a tool. Commands run in the ticket's
 * workspace container when one is attached; on this machine only after the user confirmed.
 */
import { posix, join } from "node:path";
import type { LlmService } from "../../llm/service";
import type { WorkspaceService } from "../../workspaces/service";
import { AppError } from "../../errors";
import { TICKET_LIMITS } from "../../api/tickets";
import type { AgentTurnInput, AgentTurnResult, TicketAgent } from "../agent";
import { READ_ONLY_STEPS } from "../agent";
import { systemPrompt } from "../prompts";
import { commandLimits, runLocalCommand, runWorkspaceCommand, type CommandOutcome } from "../command";
import { modelTurn, type WireMessage } from "./model-turn";
import { runTool, toolSpecs, type ToolOutcome } from "./tools";

function describe(r: CommandOutcome, idleMs: number): ToolOutcome {
  const why =
    r.killed === "idle"
      ? ` (killed: no output for ${Math.round(idleMs / 1000)} s)`
      : r.killed === "timeout"
        ? " (killed: time limit)"
        : r.killed === "cancelled"
          ? " (cancelled)"
          : "";
  return {
    ok: r.exitCode === 0,
    output: `exit code ${r.exitCode ?? "none"}${why}\n${r.truncated ? "[… earlier output cut]\n" : ""}${r.output}`,
    mutated: true,
  };
}

/** Tools that never change a file: they need not wait for the checkpoints. */
const READ_TOOLS: ReadonlySet<string> = new Set(["list_files", "read_file", "search"]);

function parseArgs(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw === "" ? "{}" : raw);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class BuiltinAgent implements TicketAgent {
  readonly kind = "builtin" as const;

  constructor(
    private readonly llm: LlmService,
    private readonly workspaces: () => Promise<WorkspaceService>,
  ) {}

  available(): Promise<{ ok: true } | { ok: false; error: { code: "NO_PROVIDER"; message: string } }> {
    return Promise.resolve(
      this.llm.active()
        ? { ok: true }
        : { ok: false, error: { code: "NO_PROVIDER", message: "No AI service is configured for the built-in agent." } },
    );
  }

  async runTurn(input: AgentTurnInput): Promise<AgentTurnResult> {
    const { ticket, signal, emit, meter } = input;
    const readOnly = READ_ONLY_STEPS.has(input.step);
    const messages: WireMessage[] = [
      { role: "system", content: systemPrompt(input.step) },
      { role: "user", content: input.prompt },
    ];
    const limits = commandLimits(input.budgets);
    const runCommand = async (command: string, cwd: string): Promise<ToolOutcome> => {
      if (ticket.workspace) {
        // Inside the container the command cannot reach this machine: no confirmation needed.
        const ws = await this.workspaces();
        return describe(
          await runWorkspaceCommand(ws, ticket.workspace, command, {
            cwd: posix.join(ticket.workspace.path, cwd),
            signal,
            ...limits,
          }),
          limits.idleMs,
        );
      }
      const answer = await input.confirm({ command, cwd });
      if (!answer.run)
        return {
          ok: false,
          output: `Not run: the command was ${answer.reason}. Do not ask for it again; go on without it or finish.`,
          mutated: false,
        };
      return describe(
        await runLocalCommand(command, { cwd: join(ticket.path, cwd), signal, ...limits }),
        limits.idleMs,
      );
    };
    try {
      for (;;) {
        if (signal.aborted) return { status: "cancelled" };
        const turn = await modelTurn(
          this.llm,
          {
            messages,
            tools: toolSpecs(readOnly),
            ...(input.model.model ? { model: input.model.model } : {}),
            ...(input.model.providerId ? { providerId: input.model.providerId } : {}),
          },
          (text) => emit({ type: "token", text }),
          signal,
        );
        const over = meter.tokens(turn.tokens);
        if (over) return { status: "stopped", reason: over };
        if (turn.toolCalls.length === 0) return { status: "completed", text: turn.text };
        messages.push({
          role: "assistant",
          content: turn.text === "" ? null : turn.text,
          tool_calls: turn.toolCalls.map((c) => ({
            id: c.id,
            type: "function",
            function: { name: c.name, arguments: c.arguments },
          })),
        });
        for (const call of turn.toolCalls) {
          const args = parseArgs(call.arguments);
          emit({
            type: "tool_call",
            call_id: call.id,
            tool: call.name,
            args: args ?? { raw: call.arguments.slice(0, 2_000) },
          });
          if (call.name === "finish" && args && typeof args.summary === "string") {
            emit({ type: "tool_result", call_id: call.id, tool: call.name, ok: true, output: "done" });
            return { status: "completed", text: args.summary };
          }
          // The previous steps' checkpoints must hold the tree before this tool may change it.
          if (args && !READ_TOOLS.has(call.name)) await meter.settled();
          const outcome: ToolOutcome = args
            ? await runTool(call.name, args, { root: ticket.path, readOnly, runCommand, signal })
            : { ok: false, output: "The arguments were not a JSON object; send valid JSON.", mutated: false };
          if (signal.aborted) return { status: "cancelled" };
          const max = TICKET_LIMITS.toolOutputChars;
          emit({
            type: "tool_result",
            call_id: call.id,
            tool: call.name,
            ok: outcome.ok,
            output: outcome.output.slice(0, max),
            ...(outcome.output.length > max ? { truncated: true } : {}),
          });
          messages.push({ role: "tool", tool_call_id: call.id, content: outcome.output.slice(0, max) });
          const stop = await meter.step({
            tool: call.name,
            args: JSON.stringify(args ?? call.arguments),
            observation: outcome.output,
            failed: !outcome.ok,
            mutated: outcome.mutated,
            ...(outcome.paths ? { paths: outcome.paths } : {}),
          });
          if (stop) return { status: "stopped", reason: stop };
        }
      }
    } catch (e) {
      if (signal.aborted) return { status: "cancelled" };
      if (e instanceof AppError) return { status: "failed", error: e.toApiError() };
      throw e;
    }
  }
}
