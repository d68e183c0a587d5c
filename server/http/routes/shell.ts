/** `POST /api/shell/assess` and `POST /api/shell/suggest` (contract: server/api/shell.ts). */
import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { SHELL_LIMITS, type ShellAssessment, type ShellAssessRequest, type ShellSuggestRequest } from "../../api/shell";
import { assess } from "../../shell/risk";
import { suggestCommand } from "../../shell/suggest";
import { parseBody } from "../validate";
import { AppError } from "../errors";
import { abortOnClose } from "../sse";

const L = SHELL_LIMITS;
const OFFLOAD_ASSESS_CHARS = 1_000;
// Values that go into the model's prompt on one line must not smuggle in extra lines.
const oneLine = (max: number, name: string) =>
  z
    .string()
    .max(max, `${name} must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${name} must be a single line without control characters`);

const shellName = oneLine(L.shellChars, "shell").refine((s) => /^[\w .:/\\()-]*$/.test(s), "shell must be a shell name or path");

export const AssessSchema = z.object({
  command: z
    .string({ error: "command must be a string" })
    .max(L.commandChars, `command must be at most ${L.commandChars} characters`)
    .refine((s) => s.trim() !== "", "command must not be empty"),
  shell: shellName.optional(),
});

export const SuggestSchema = z.object({
  description: z
    .string({ error: "description must be a string" })
    .max(L.descriptionChars, `description must be at most ${L.descriptionChars} characters`)
    .refine((s) => s.trim() !== "", "description must not be empty"),
  shell: shellName.optional(),
  os: oneLine(L.osChars, "os").optional(),
  cwd: oneLine(L.cwdChars, "cwd").optional(),
  project: z
    .object({
      packageManager: oneLine(50, "project.packageManager").optional(),
      scripts: z.array(oneLine(L.scriptNameChars, "project.scripts[]")).max(L.scripts, `project.scripts may list at most ${L.scripts} scripts`).optional(),
    })
    .optional(),
  previous: z
    .object({
      command: z.string().min(1).max(L.commandChars, `previous.command must be at most ${L.commandChars} characters`),
      exitCode: z.number().int().optional(),
      output: z.string().max(L.previousOutputChars, `previous.output must be at most ${L.previousOutputChars} characters`).optional(),
    })
    .optional(),
  model: z.string().min(1).max(200).optional(),
});

export function shellRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/shell/assess", async (req, res, next) => {
    try {
      const body: ShellAssessRequest = parseBody(AssessSchema, req.body);
      // A typed command takes well under a millisecond; one of thousands of stages takes
      // 100-300 ms, which goes to the worker thread instead of holding up every other request.
      if (ctx.cpuWorker && body.command.length > OFFLOAD_ASSESS_CHARS) {
        const r = await ctx.cpuWorker.run({ kind: "assess", command: body.command, ...(body.shell ? { shell: body.shell } : {}) });
        if (!r.ok) throw new AppError(r.error.code, r.error.message, r.error.hint);
        res.type("application/json").send(r.json);
        return;
      }
      const out: ShellAssessment = assess(body.command, body.shell ? { shell: body.shell } : {});
      res.json(out);
    } catch (err) {
      next(err);
    }
  });
  r.post("/api/shell/suggest", async (req, res, next) => {
    try {
      const body: ShellSuggestRequest = parseBody(SuggestSchema, req.body);
      // Closing the connection cancels the model call.
      const ac = abortOnClose(res);
      const out = await suggestCommand(ctx.llm, body, ac.signal);
      if (!ac.signal.aborted) res.json(out);
    } catch (err) {
      if (res.writableEnded || res.destroyed) return;
      next(err);
    }
  });
  return r;
}
