/**
 * What the confirmation pickers show, as data (unit-tested without VS Code). Both pickers
 * open with Cancel selected, so Enter or Esc never runs anything: running takes a
 * deliberate choice. The risk is shown three ways — the word in the title, a coloured
 * icon per reason, and the reasons themselves — so it survives themes and colour blindness.
 */
import type { ShellRisk } from "../../server/api/shell";

export type ConfirmChoice = "cancel" | "run" | "edit";

export interface PickItemView {
  /** What choosing it does; "info" rows (explanation, reasons) do nothing when chosen. */
  id: ConfirmChoice | "info";
  label: string;
  description?: string;
  detail?: string;
  /** Codicon id and theme colour id. */
  icon?: { id: string; color?: string };
}

export interface PickView {
  title: string;
  placeholder: string;
  items: PickItemView[];
}

export const RISK_STYLE: Record<ShellRisk, { word: string; icon: string; color: string }> = {
  safe: { word: "SAFE", icon: "pass", color: "testing.iconPassed" },
  review: { word: "REVIEW", icon: "warning", color: "problemsWarningIcon.foreground" },
  dangerous: { word: "DANGEROUS", icon: "error", color: "problemsErrorIcon.foreground" },
};

const RISK_MEANING: Record<ShellRisk, string> = {
  safe: "only reads",
  review: "changes things — check it before running",
  dangerous: "can destroy data or run code from elsewhere",
};

export interface Proposal {
  command: string;
  /** The model's one-line explanation; absent for a command the user gave (chat, Edit). */
  explanation?: string;
  risk: ShellRisk;
  reasons: string[];
}

/** The first confirmation: Cancel / Run / Edit…, then what the command does and why it has its risk. */
export function confirmView(p: Proposal, terminalName: string): PickView {
  const style = RISK_STYLE[p.risk];
  const items: PickItemView[] = [
    { id: "cancel", label: "$(close) Cancel", description: "nothing runs (Esc)" },
    {
      id: "run",
      label: p.risk === "dangerous" ? "$(play) Run…" : "$(play) Run",
      description: p.risk === "dangerous" ? "asks once more: this command is dangerous" : `in the terminal "${terminalName}"`,
      detail: p.command.replace(/\s*\n\s*/g, " ⏎ "),
    },
    { id: "edit", label: "$(edit) Edit…", description: "change the command first; it is assessed again" },
  ];
  if (p.explanation) items.push({ id: "info", label: p.explanation, icon: { id: "info" }, description: "what it does" });
  const reasons = p.reasons.length > 0 ? p.reasons : [`Risk: ${p.risk}.`];
  for (const r of reasons) items.push({ id: "info", label: r, icon: { id: style.icon, color: style.color } });
  return {
    title: `AiCockpit: run in terminal? — ${style.word}: ${RISK_MEANING[p.risk]}`,
    placeholder: `$ ${oneLine(p.command)}`,
    items,
  };
}

/** The danger, named: the first reason (risky parts come first), without its trailing full stop. */
export function dangerName(reasons: readonly string[]): string {
  const first = reasons[0]?.trim().replace(/\.$/, "");
  return first && first !== "" ? first : "This command is dangerous";
}

/** The second confirmation for `dangerous`: names the danger; Cancel stays selected. */
export function dangerView(p: Proposal): PickView {
  const danger = dangerName(p.reasons);
  return {
    title: `AiCockpit: DANGEROUS — ${danger}. Run it anyway?`,
    placeholder: `$ ${oneLine(p.command)}`,
    items: [
      { id: "cancel", label: "$(close) Cancel", description: "nothing runs (Esc)" },
      { id: "run", label: "$(warning) Run dangerous command", description: danger, icon: { id: "error", color: RISK_STYLE.dangerous.color } },
      ...p.reasons.slice(1).map((r): PickItemView => ({ id: "info", label: r, icon: { id: "warning", color: RISK_STYLE.review.color } })),
    ],
  };
}

function oneLine(command: string): string {
  return command.replace(/\s*\n\s*/g, " ⏎ ");
}
