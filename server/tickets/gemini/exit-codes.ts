/** The Gemini CLI's exit codes as messages a user can act on (codes from its docs, checked on 0.61.0). */
import type { ApiError } from "../../api/errors";

const MESSAGES: Record<number, { message: string; hint?: string }> = {
  41: {
    message: "The Gemini CLI could not authenticate: the Gemini API key is missing or was rejected (exit 41).",
    hint: "Run “AiCockpit: Set Gemini API Key” with a key from https://aistudio.google.com/apikey.",
  },
  42: { message: "The Gemini CLI refused its input: the prompt or an option was invalid (exit 42)." },
  44: {
    message: "The Gemini CLI's sandbox failed to start (exit 44).",
    hint: "AiCockpit does not use the CLI's sandbox; remove `tools.sandbox` from your Gemini settings.",
  },
  52: {
    message: "The Gemini CLI's configuration is invalid (exit 52).",
    hint: "Check the model name, and the Gemini settings in the ticket's agent home.",
  },
  53: {
    message: "The Gemini CLI stopped at its turn limit before finishing (exit 53).",
    hint: "Split the task, or run the action again to continue the same session.",
  },
  54: { message: "A Gemini CLI tool failed fatally (exit 54)." },
  55: {
    message: "The Gemini CLI refused an untrusted folder (exit 55).",
    hint: "AiCockpit passes --skip-trust; a Gemini CLI of another version may need updating to the pinned one.",
  },
  130: { message: "The Gemini CLI was cancelled (exit 130)." },
};

/** An error for a non-zero exit; `detail` is the CLI's own last words (bounded, untrusted), added when it helps. */
export function exitError(code: number | null, signal: string | null, detail?: string): ApiError {
  const known = code === null ? undefined : MESSAGES[code];
  const base =
    known?.message ??
    (code === null
      ? `The Gemini CLI was killed (${signal ?? "unknown signal"}).`
      : `The Gemini CLI failed (exit ${code}): an API or internal error.`);
  const message = detail && code !== 41 ? `${base} ${detail}` : base;
  return { code: "AGENT_FAILED", message, ...(known?.hint ? { hint: known.hint } : {}) };
}
