/** What the agent is told for each kind of turn. The user's words and repository text are data, quoted as such. */
import type { AgentStep } from "./agent";
import { TICKET_PLAN_PATH } from "../api/tickets";

const COMMON = [
  "You work in a git repository checked out on a ticket branch. Use the tools to look before you answer.",
  "Paths are relative to the repository root. Never touch .git. Do not commit, push or change branches: that is done for you.",
  "When you are done, call `finish` with your final text.",
].join("\n");

const STEP: Record<AgentStep, string> = {
  answer: "Answer the user's question about this repository. You may only read files.",
  plan: `Write an implementation plan for the ticket in markdown (goal, files to change, steps, how to test). You may only read files; the plan is saved to ${TICKET_PLAN_PATH} for you. Call finish with the whole plan as the summary.`,
  implement:
    "Implement the ticket following the plan: edit files with edit_file (exact, unique old_str). Keep changes focused. Call finish with a short summary of what you changed.",
  fix_tests:
    "The project's tests failed after your change. Read the failure, fix the code (not the tests, unless they are wrong), and call finish with what you fixed.",
  review:
    "Review your own change (the diff is below). Fix real problems with edit_file if you see any. Then call finish with a commit message: a subject line under 72 characters, a blank line, and a short body.",
};

export function systemPrompt(step: AgentStep): string {
  return `${COMMON}\n\n${STEP[step]}`;
}

const fence = (label: string, text: string) => `${label}:\n<<<\n${text}\n>>>`;

export function turnPrompt(parts: {
  ticketId: string;
  message?: string;
  plan?: string;
  failure?: string;
  diff?: string;
}): string {
  const out = [`Ticket: ${parts.ticketId}`];
  if (parts.message) out.push(fence("The user's request", parts.message));
  if (parts.plan) out.push(fence(`The plan (${TICKET_PLAN_PATH})`, parts.plan));
  if (parts.failure) out.push(fence("Test output", parts.failure));
  if (parts.diff) out.push(fence("Your diff", parts.diff));
  return out.join("\n\n");
}
