/**
 * What the confirmation pickers show, as data (unit-tested without VS Code). Both pickers
 * open with Cancel selected, so Enter or Esc never runs anything: running takes a
 * deliberate choice. The risk is shown three ways — the word in the title, a coloured
 * icon per reason, and the reasons themselves — so it survives themes and colour blindness.
 * The coloured icons are SVG files (media/terminal/): a quick pick draws codicons in the
 * foreground colour only, whatever ThemeColor they are given.
 */
import type { ShellRisk } from "../../server/api/shell";

export type ConfirmChoice = "cancel" | "run" | "edit";

export interface PickItemView {
  /** What choosing it does; "info" rows (explanation, reasons) do nothing when chosen. */
  id: ConfirmChoice | "info";
  label: string;
  description?: string;
  detail?: string;
  /** A codicon, or the coloured icon of a risk level. */
  icon?: { codicon: string } | { risk: ShellRisk };
}

export interface PickView {
  title: string;
  placeholder: string;
  items: PickItemView[];
}

export const RISK_WORD: Record<ShellRisk, string> = { safe: "SAFE", review: "REVIEW", dangerous: "DANGEROUS" };

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
  const items: PickItemView[] = [
    { id: "cancel", label: "$(close) Cancel", description: "nothing runs (Esc)" },
    {
      id: "run",
      label: p.risk === "dangerous" ? "$(play) Run…" : "$(play) Run",
      description:
        p.risk === "dangerous" ? "asks once more: this command is dangerous" : `in the terminal "${terminalName}"`,
      detail: p.command.replace(/\s*\n\s*/g, " ⏎ "),
    },
    { id: "edit", label: "$(edit) Edit…", description: "change the command first; it is assessed again" },
  ];
  if (p.explanation)
    items.push({ id: "info", label: p.explanation, icon: { codicon: "info" }, description: "what it does" });
  const reasons = p.reasons.length > 0 ? p.reasons : [`Risk: ${p.risk}.`];
  // Risky parts come first; the others may be harmless (`touch m` next to `curl | sh`), so
  // only the first reason wears the risk's colour.
  reasons.forEach((r, i) =>
    items.push({ id: "info", label: r, icon: i === 0 ? { risk: p.risk } : { codicon: "circle-small" } }),
  );
  return {
    title: `${RISK_WORD[p.risk]}: ${RISK_MEANING[p.risk]} — AiCockpit: run in terminal?`,
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
    title: `DANGEROUS — ${danger}. Run it anyway?`,
    placeholder: `$ ${oneLine(p.command)}`,
    items: [
      { id: "cancel", label: "$(close) Cancel", description: "nothing runs (Esc)" },
      {
        id: "run",
        label: "Run dangerous command",
        description: "I have read the danger above",
        icon: { risk: "dangerous" },
      },
      ...p.reasons
        .slice(1)
        .map((r): PickItemView => ({ id: "info", label: `also: ${r}`, icon: { codicon: "circle-small" } })),
    ],
  };
}

function oneLine(command: string): string {
  return command.replace(/\s*\n\s*/g, " ⏎ ");
}
