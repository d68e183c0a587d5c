/**
 * One action on a ticket, start to end: the dirty-tree check, the agent's turns, and for
 * `dev` the tests (≤ 3 rounds, failures fed back), the self-review, the commit, the push and
 * the draft pull request. Whatever happens, the branch and the checkpoints stay: a stop or
 * a failure ends the run, never the work.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { AppError } from "../errors";
import type { ApiError } from "../api/errors";
import {
  TICKET_LIMITS,
  TICKET_PLAN_PATH,
  type TicketAction,
  type TicketRunEventBody,
  type TicketStopReason,
} from "../api/tickets";
import type { WorkspaceService } from "../workspaces/service";
import type { AgentModelConfig, AgentStep, AgentTurnResult, TicketAgent, TicketContext } from "./agent";
import type { RunConfirmations } from "./confirm";
import type { RunMeter } from "./meter";
import { dirtyTreeError, type TicketRepo } from "./repo";
import { turnPrompt } from "./prompts";
import { findTestCommand } from "./test-finder";
import { commandLimits, runLocalCommand, runWorkspaceCommand, type CommandOutcome } from "./command";
import { openDraftPullRequest } from "./forge";

export interface RunSpec {
  ticket: TicketContext;
  baseBranch: string;
  /** owner/name on the forge, when known. */
  forgeRepo?: { owner: string; name: string };
  action: TicketAction;
  message?: string;
  agent: TicketAgent;
  model: AgentModelConfig;
  dirty: "refuse" | "commit";
  openPr: boolean;
  forgeApiUrl: string;
  token?: string;
  repo: TicketRepo;
  meter: RunMeter;
  confirmations: RunConfirmations;
  workspaces: () => Promise<WorkspaceService>;
  emit: (ev: TicketRunEventBody) => void;
  signal: AbortSignal;
  /** True once the wall-clock budget has run out (the signal is then aborted too). */
  timeUp: () => boolean;
  /** Whether this ticket had earlier agent turns (the Gemini CLI resumes its session). */
  followUp: boolean;
}

export interface RunEnd {
  status: "completed" | "failed" | "cancelled" | "stopped";
  stop_reason?: TicketStopReason;
  message: string;
  pr_url?: string;
  error?: ApiError;
}

const MAX_TEST_ROUNDS = 3;

/** A turn that did not complete ends the run with its outcome. */
class Halt extends Error {
  constructor(readonly result: Exclude<AgentTurnResult, { status: "completed" }>) {
    super("halt");
  }
}

function commitMessage(review: string, ticketId: string, request: string | undefined): string {
  const lines = review
    .replace(/\r/g, "")
    .replace(/^```\w*\n?|```$/gm, "")
    .split("\n");
  const subject = lines.find((l) => l.trim() !== "")?.trim() ?? "";
  const fallback = `Ticket ${ticketId}: ${(request ?? "changes by the AiCockpit agent").split("\n")[0]!.slice(0, 60)}`;
  if (subject === "" || subject.length > 100) return fallback;
  const body = lines
    .slice(lines.findIndex((l) => l.trim() !== "") + 1)
    .join("\n")
    .trim();
  return body ? `${subject}\n\n${body.slice(0, 4_000)}` : subject;
}

export async function executeRun(s: RunSpec): Promise<RunEnd> {
  try {
    return await execute(s);
  } finally {
    // A stopped or failed run says its checkpoints are kept: they are all written before it ends.
    await s.meter.settled().catch(() => undefined);
  }
}

async function execute(s: RunSpec): Promise<RunEnd> {
  const { repo, emit, ticket } = s;
  const turn = async (step: AgentStep, prompt: string): Promise<string> => {
    const r = await s.agent.runTurn({
      ticket,
      action: s.action,
      step,
      prompt,
      followUp: s.followUp,
      model: s.model,
      budgets: s.meter.budgets,
      meter: s.meter,
      confirm: (req) => s.confirmations.ask(req, s.signal),
      emit,
      signal: s.signal,
    });
    s.followUp = true;
    if (r.status !== "completed") throw new Halt(r);
    await s.meter.settled();
    return r.text;
  };
  const phase = (p: string) => emit({ type: "status", status: "running", phase: p });

  try {
    phase("preparing");
    const dirty = await repo.dirtyFiles();
    if (dirty.length > 0) {
      if (s.dirty !== "commit") throw dirtyTreeError(dirty);
      const sha = await repo.commitAll("Work in progress, committed at the user's request before an AiCockpit run");
      if (sha) emit({ type: "commit", sha, branch: ticket.branch, message: "Work in progress (yours)" });
    }
    if ((await repo.currentBranch()) !== ticket.branch)
      throw new AppError(
        "TICKET_GIT_FAILED",
        `The clone is not on ${ticket.branch}.`,
        "Re-create the ticket (POST /api/tickets) to check the branch out.",
      );
    const start = await repo.head();

    if (s.action === "chat") {
      phase("answering");
      await turn("answer", turnPrompt({ ticketId: ticket.ticketId, ...(s.message ? { message: s.message } : {}) }));
      return { status: "completed", message: "Answered." };
    }

    const planFile = join(ticket.path, TICKET_PLAN_PATH);
    if (s.action === "make_plan") {
      phase("planning");
      const plan = await turn(
        "plan",
        turnPrompt({ ticketId: ticket.ticketId, ...(s.message ? { message: s.message } : {}) }),
      );
      await mkdir(dirname(planFile), { recursive: true });
      await writeFile(planFile, plan.endsWith("\n") ? plan : `${plan}\n`);
      const sha = await repo.commitPaths([TICKET_PLAN_PATH], `Plan for ticket ${ticket.ticketId}`);
      emit({ type: "plan", path: TICKET_PLAN_PATH, text: plan, ...(sha ? { commit: sha } : {}) });
      if (sha) emit({ type: "commit", sha, branch: ticket.branch, message: `Plan for ticket ${ticket.ticketId}` });
      return { status: "completed", message: `The plan is in ${TICKET_PLAN_PATH} on ${ticket.branch}.` };
    }

    // dev
    const plan = existsSync(planFile) ? (await readFile(planFile, "utf8")).slice(0, 32_000) : undefined;
    phase("implementing");
    await turn(
      "implement",
      turnPrompt({
        ticketId: ticket.ticketId,
        ...(s.message ? { message: s.message } : {}),
        ...(plan ? { plan } : {}),
      }),
    );

    const testCommand = findTestCommand(ticket.path);
    let testsNote = "no tests were found";
    if (testCommand) {
      for (let round = 1; round <= MAX_TEST_ROUNDS; round++) {
        phase(`running tests (round ${round})`);
        const r = await runTests(s, testCommand);
        if (r === "declined") {
          testsNote = `the tests (\`${testCommand}\`) were not run: the user declined`;
          break;
        }
        const passed = r.exitCode === 0;
        const tail = r.output.slice(-4_000);
        emit({ type: "test_result", round, command: testCommand, exit_code: r.exitCode, passed, output_tail: tail });
        testsNote = passed ? `\`${testCommand}\` passed` : `\`${testCommand}\` still fails after ${round} round(s)`;
        if (passed || round === MAX_TEST_ROUNDS) break;
        phase(`fixing test failures (round ${round})`);
        await turn(
          "fix_tests",
          turnPrompt({
            ticketId: ticket.ticketId,
            ...(s.message ? { message: s.message } : {}),
            failure: `$ ${testCommand}\nexit code ${r.exitCode ?? "none"}\n${tail}`,
          }),
        );
      }
    }

    let diff = await repo.diffAgainst(start);
    if (diff.files.length === 0)
      return { status: "completed", message: "The agent changed nothing; there is nothing to commit." };
    phase("reviewing");
    const review = await turn(
      "review",
      turnPrompt({
        ticketId: ticket.ticketId,
        ...(s.message ? { message: s.message } : {}),
        diff: diff.patch.slice(0, 24_000),
      }),
    );
    diff = await repo.diffAgainst(start);
    const max = TICKET_LIMITS.diffChars;
    emit({ type: "diff", files: diff.files, patch: diff.patch.slice(0, max), truncated: diff.patch.length > max });

    phase("committing");
    const message = commitMessage(review, ticket.ticketId, s.message);
    const sha = await repo.commitAll(message);
    if (!sha) return { status: "completed", message: "The agent's changes cancelled out; there is nothing to commit." };
    emit({ type: "commit", sha, branch: ticket.branch, message });

    phase("pushing");
    await repo.push(ticket.branch, s.signal);
    emit({ type: "push", branch: ticket.branch, remote: "origin" });

    if (!s.openPr) return { status: "completed", message: `Committed and pushed ${ticket.branch}; ${testsNote}.` };
    if (!s.token || !s.forgeRepo)
      return {
        status: "completed",
        message: `Committed and pushed ${ticket.branch}; ${testsNote}. No pull request: ${
          s.token ? "the repository address names no owner/repository on a forge" : "no forge token was given"
        }.`,
      };
    phase("opening the pull request");
    const pr = await prOrKept(
      ticket.branch,
      openDraftPullRequest({
        apiUrl: s.forgeApiUrl,
        token: s.token,
        owner: s.forgeRepo.owner,
        repo: s.forgeRepo.name,
        head: ticket.branch,
        base: s.baseBranch,
        title: message.split("\n")[0]!,
        body: `${message.split("\n").slice(2).join("\n")}\n\nTicket: ${ticket.ticketId}\nTests: ${testsNote}.\n\n_Opened as a draft by the AiCockpit agent._`,
        signal: s.signal,
      }),
    );
    emit({
      type: "pr",
      url: pr.url,
      ...(pr.number !== undefined ? { number: pr.number } : {}),
      created: pr.created,
      draft: true,
    });
    return {
      status: "completed",
      message: `${pr.created ? "Opened" : "Found"} the draft pull request ${pr.url}; ${testsNote}.`,
      pr_url: pr.url,
    };
  } catch (e) {
    if (s.timeUp()) return stopped("time");
    if (e instanceof Halt) {
      const r = e.result;
      if (r.status === "stopped") return stopped(r.reason, s.meter.stuckReason);
      if (r.status === "cancelled")
        return { status: "cancelled", message: `Cancelled. ${kept(ticket.branch, ticket.runId)}` };
      return { status: "failed", message: r.error.message, error: r.error };
    }
    if (s.signal.aborted) return { status: "cancelled", message: `Cancelled. ${kept(ticket.branch, ticket.runId)}` };
    if (e instanceof AppError) return { status: "failed", message: e.message, error: e.toApiError() };
    throw e;
  }

  function stopped(reason: TicketStopReason, detail?: string): RunEnd {
    const why: Record<TicketStopReason, string> = {
      steps: `the step budget (${s.meter.budgets.maxSteps}) is used up`,
      tokens: `the token budget (${s.meter.budgets.maxTokens}) is used up`,
      time: `the time budget (${Math.round(s.meter.budgets.maxMs / 60_000)} min) is used up`,
      stuck: `the agent is stuck: ${detail ?? "it repeats itself"}`,
    };
    return {
      status: "stopped",
      stop_reason: reason,
      message: `Stopped: ${why[reason]}. ${kept(ticket.branch, ticket.runId)}`,
    };
  }
}

/** A forge error after the push: the message says the work is safe on the pushed branch. */
async function prOrKept(
  branch: string,
  pr: Promise<Awaited<ReturnType<typeof openDraftPullRequest>>>,
): Promise<Awaited<ReturnType<typeof openDraftPullRequest>>> {
  try {
    return await pr;
  } catch (e) {
    if (!(e instanceof AppError) || e.code === "CANCELLED") throw e;
    throw new AppError(
      e.code,
      `No pull request: ${e.message} The commit is pushed to ${branch}, which is kept.`,
      e.hint,
    );
  }
}

function kept(branch: string, runId: string): string {
  return `The branch ${branch} and every step's checkpoint (refs/aicockpit/${runId}/<n>) are kept.`;
}

async function runTests(s: RunSpec, command: string): Promise<CommandOutcome | "declined"> {
  const limits = commandLimits(s.meter.budgets);
  if (s.ticket.workspace) {
    return runWorkspaceCommand(await s.workspaces(), s.ticket.workspace, command, {
      cwd: posix.join(s.ticket.workspace.path),
      signal: s.signal,
      ...limits,
    });
  }
  // The test script is repository content: it runs on this machine only if the user says so.
  const answer = await s.confirmations.ask({ command, cwd: "." }, s.signal);
  if (!answer.run) return "declined";
  return runLocalCommand(command, { cwd: s.ticket.path, signal: s.signal, ...limits });
}
