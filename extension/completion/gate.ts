/**
 * Whether completion runs for a language right now (setting, per-language list, snooze),
 * how the status item shows it, and when to tell the user the model is too slow.
 * vscode-free: the status item and the provider both read it, tests drive it directly.
 */

export interface GateInput {
  enabled: boolean;
  disabledLanguages: readonly string[];
  /** Epoch ms until which completion is snoozed; 0 = not snoozed. */
  snoozedUntil: number;
}

export type GateState =
  | { kind: "on" }
  | { kind: "off"; why: "disabled" }
  | { kind: "off"; why: "language"; languageId: string }
  | { kind: "snoozed"; minutesLeft: number };

export function gateState(input: GateInput, languageId: string | undefined, now: number): GateState {
  if (!input.enabled) return { kind: "off", why: "disabled" };
  if (input.snoozedUntil > now)
    return { kind: "snoozed", minutesLeft: Math.max(1, Math.ceil((input.snoozedUntil - now) / 60_000)) };
  if (languageId !== undefined && input.disabledLanguages.includes(languageId))
    return { kind: "off", why: "language", languageId };
  return { kind: "on" };
}

export interface StatusText {
  text: string;
  tooltip: string;
}

export function statusText(state: GateState, waiting: boolean, model: string | undefined): StatusText {
  const about = model ? ` from ${model}` : "";
  switch (state.kind) {
    case "on":
      return waiting
        ? {
            text: "$(sync~spin) Complete",
            tooltip: `AiCockpit is asking for a completion${about}… (click for options)`,
          }
        : {
            text: "$(sparkle) Complete",
            tooltip: `AiCockpit inline completion is on${about}. Click to turn off, snooze or disable for this language.`,
          };
    case "snoozed":
      return {
        text: `$(bell-slash) Complete: ${state.minutesLeft} min`,
        tooltip: `AiCockpit inline completion is snoozed for ${state.minutesLeft} more minute(s). Click to resume.`,
      };
    case "off":
      return state.why === "language"
        ? {
            text: `$(circle-slash) Complete: off (${state.languageId})`,
            tooltip: `AiCockpit inline completion is off for ${state.languageId}. Click to turn it on.`,
          }
        : {
            text: "$(circle-slash) Complete: off",
            tooltip: "AiCockpit inline completion is off. Click to turn it on.",
          };
  }
}

/**
 * Responses that keep hitting the time limit mean the model is too slow for completion.
 * Warn once per model when `threshold` of the last `window` model answers were cut short,
 * never again for that model in this session (a warning per keystroke would be spam).
 */
export class SlowModelDetector {
  private recent: boolean[] = [];
  private lastModel: string | undefined;
  private readonly warned = new Set<string>();

  constructor(
    private readonly window = 5,
    private readonly threshold = 3,
  ) {}

  /** Records one model answer; true exactly when the user should be told now. */
  record(model: string, partial: boolean): boolean {
    // Another model's speed says nothing about this one.
    if (model !== this.lastModel) this.recent = [];
    this.lastModel = model;
    this.recent.push(partial);
    if (this.recent.length > this.window) this.recent.shift();
    if (this.warned.has(model)) return false;
    if (this.recent.filter(Boolean).length < this.threshold) return false;
    this.warned.add(model);
    this.recent = [];
    return true;
  }
}

export const SNOOZE_CHOICES_MIN = [5, 15, 60] as const;
