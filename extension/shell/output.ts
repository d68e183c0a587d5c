/**
 * What a finished command shows the user: its exit code and the last lines of its output.
 * Pure, so the wording and the trimming are unit-tested without VS Code.
 */

/** The last `maxLines` non-empty lines, at most `maxChars` (cut at the front). */
export function tailLines(text: string, maxLines: number, maxChars: number): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  let out = lines.slice(-maxLines).join("\n");
  if (out.length > maxChars) out = `…${out.slice(out.length - maxChars + 1)}`;
  return out;
}

export interface RunOutcome {
  command: string;
  /** Undefined when the shell did not report one (no shell integration, or it is unknown). */
  exitCode: number | undefined;
  /** Plain output, already stripped. */
  output: string;
  /** Whether shell integration captured the run at all. */
  captured: boolean;
}

/** One-line command for a message; long ones are cut at the end. */
export function shortCommand(command: string, max = 80): string {
  const one = command.replace(/\s*\n\s*/g, " ⏎ ");
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Notification text: exit code first, then the output's last lines (notifications are one paragraph). */
export function outcomeMessage(o: RunOutcome): { failed: boolean; text: string } {
  if (!o.captured) {
    return {
      failed: false,
      text: `AiCockpit: Sent to a terminal without shell integration, so its exit code and output can't be captured here: \`${shortCommand(o.command, 60)}\`.`,
    };
  }
  const failed = o.exitCode !== undefined && o.exitCode !== 0;
  // Status first: a collapsed notification shows only its beginning.
  const status =
    o.exitCode === undefined
      ? "Finished (the shell reported no exit code)"
      : failed
        ? `Failed with exit code ${o.exitCode}`
        : "Exit code 0";
  const tail = tailLines(o.output, 3, 300);
  const said = tail === "" ? " No output." : ` Output: ${tail.split("\n").join(" ⏎ ")}`;
  return { failed, text: `AiCockpit: ${status}: \`${shortCommand(o.command, 60)}\`.${said}` };
}
