/** Request schemas of the shell routes; server/api/shell.ts derives the request types from them (see schemas/completion.ts). */
import { z } from "zod";
import { SHELL_LIMITS as L } from "../shell";

// Values that go into the model's prompt on one line must not smuggle in extra lines.
const oneLine = (max: number, name: string) =>
  z
    .string()
    .max(max, `${name} must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${name} must be a single line without control characters`);

/**
 * e.g. "bash", "zsh", "/bin/sh", "pwsh", "powershell.exe", "cmd.exe". POSIX shells (the
 * default) and PowerShell/cmd have their own parsers; any other shell is judged with the
 * POSIX rules as an approximation and is never `safe`.
 */
const shellName = oneLine(L.shellChars, "shell").refine(
  (s) => /^[\w .:/\\()-]*$/.test(s),
  "shell must be a shell name or path",
);

export const ShellAssessRequestSchema = z.object({
  command: z
    .string({ error: "command must be a string" })
    .max(L.commandChars, `command must be at most ${L.commandChars} characters`)
    .refine((s) => s.trim() !== "", "command must not be empty"),
  shell: shellName.optional(),
  /** The terminal's working directory: deletions inside it (the workspace) are judged apart from the rest of home. */
  cwd: oneLine(L.cwdChars, "cwd").optional(),
});

export const ShellSuggestRequestSchema = z.object({
  /** What the user wants, in their words. */
  description: z
    .string({ error: "description must be a string" })
    .max(L.descriptionChars, `description must be at most ${L.descriptionChars} characters`)
    .refine((s) => s.trim() !== "", "description must not be empty"),
  shell: shellName.optional(),
  /** e.g. "Ubuntu 24.04", "macOS 15", "Windows 11". */
  os: oneLine(L.osChars, "os").optional(),
  /** The terminal's working directory. */
  cwd: oneLine(L.cwdChars, "cwd").optional(),
  project: z
    .object({
      /** e.g. "npm", "pnpm", "yarn", "pip", "cargo". */
      packageManager: oneLine(50, "project.packageManager").optional(),
      /** Script names the project defines (e.g. package.json scripts). */
      scripts: z
        .array(oneLine(L.scriptNameChars, "project.scripts[]"))
        .max(L.scripts, `project.scripts may list at most ${L.scripts} scripts`)
        .optional(),
    })
    .optional(),
  /**
   * A command that just failed, for "Fix it": the model proposes a corrected command from
   * its exit code and the tail of its output. The output is untrusted text from the
   * terminal and is quoted to the model as data.
   */
  previous: z
    .object({
      command: z.string().min(1).max(L.commandChars, `previous.command must be at most ${L.commandChars} characters`),
      /** Undefined when the shell did not report one. */
      exitCode: z.number().int().optional(),
      /** The last lines of its output (ANSI codes stripped). */
      output: z
        .string()
        .max(L.previousOutputChars, `previous.output must be at most ${L.previousOutputChars} characters`)
        .optional(),
    })
    .optional(),
  /** Model override; defaults to the active provider's model. */
  model: z.string().min(1).max(200).optional(),
});
