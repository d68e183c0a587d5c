/**
 * Terminal command contract (`/api/shell/*`).
 *
 * `POST /api/shell/assess` is public and stable: any client may ask how risky a command
 * line is before running it. The assessment parses the line (quotes, `&&`, `||`, `;`,
 * pipes, `$(…)`, backticks, redirections, `sudo`/`env`/`xargs`/`sh -c`/`eval` wrappers,
 * decoding pipelines) and judges every part; the result is the worst part:
 * - `dangerous`: can destroy data or the system, or runs code fetched from elsewhere
 *   (recursive deletes of broad paths, disk writes, permission changes on system paths,
 *   `curl … | sh`, fork bombs, force-pushes, pruning all Docker data, shutdown, …).
 *   Clients must ask for a second, explicit confirmation.
 * - `review`: changes state (installs, deletes of specific files, commits, restarts,
 *   sudo) — or runs a program the rules do not know.
 * - `safe`: only reads.
 * `reasons` are human sentences, each naming the part it is about (risky parts first).
 *
 * `POST /api/shell/suggest` turns a description into one command. Its `risk`/`reasons`
 * come from the same assessment, never from the model.
 */
import type { z } from "zod";
import type { ShellAssessRequestSchema, ShellSuggestRequestSchema } from "./schemas/shell";

export type ShellRisk = "safe" | "review" | "dangerous";

export type ShellAssessRequest = z.infer<typeof ShellAssessRequestSchema>;

export interface ShellAssessment {
  risk: ShellRisk;
  reasons: string[];
}

export type ShellSuggestRequest = z.infer<typeof ShellSuggestRequestSchema>;
export type ShellProjectContext = NonNullable<ShellSuggestRequest["project"]>;
export type ShellPreviousRun = NonNullable<ShellSuggestRequest["previous"]>;

export interface ShellSuggestion extends ShellAssessment {
  command: string;
  explanation: string;
}

/** Limits enforced by the routes (also useful to clients for early checks). */
export const SHELL_LIMITS = {
  commandChars: 10_000,
  descriptionChars: 2_000,
  cwdChars: 4_096,
  shellChars: 64,
  osChars: 100,
  scripts: 200,
  scriptNameChars: 200,
  previousOutputChars: 8_000,
} as const;
