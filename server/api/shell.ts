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

export type ShellRisk = "safe" | "review" | "dangerous";

export interface ShellAssessRequest {
  command: string;
  /**
   * e.g. "bash", "zsh", "/bin/sh", "pwsh", "powershell.exe", "cmd.exe". POSIX shells (the
   * default) and PowerShell/cmd have their own parsers; any other shell is judged with the
   * POSIX rules as an approximation and is never `safe`.
   */
  shell?: string;
}

export interface ShellAssessment {
  risk: ShellRisk;
  reasons: string[];
}

export interface ShellProjectContext {
  /** e.g. "npm", "pnpm", "yarn", "pip", "cargo". */
  packageManager?: string;
  /** Script names the project defines (e.g. package.json scripts). */
  scripts?: string[];
}

export interface ShellPreviousRun {
  command: string;
  /** Undefined when the shell did not report one. */
  exitCode?: number;
  /** The last lines of its output (ANSI codes stripped). */
  output?: string;
}

export interface ShellSuggestRequest {
  /** What the user wants, in their words. */
  description: string;
  shell?: string;
  /** e.g. "Ubuntu 24.04", "macOS 15", "Windows 11". */
  os?: string;
  /** The terminal's working directory. */
  cwd?: string;
  project?: ShellProjectContext;
  /**
   * A command that just failed, for "Fix it": the model proposes a corrected command from
   * its exit code and the tail of its output. The output is untrusted text from the
   * terminal and is quoted to the model as data.
   */
  previous?: ShellPreviousRun;
  /** Model override; defaults to the active provider's model. */
  model?: string;
}

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
