/** `POST /api/shell/assess` and `POST /api/shell/suggest` (contract: server/api/shell.ts). */
import { Router } from "express";
import { ShellAssessRequestSchema, ShellSuggestRequestSchema } from "../../api/schemas/shell";
import type { ShellAssessment } from "../../api/shell";
import type { AppContext } from "../../context";
import { AppError } from "../../errors";
import { assess, type AssessOptions } from "../../shell/risk";
import { suggestCommand } from "../../shell/suggest";
import { parseBody } from "../../validate";
import { route } from "../route";

// A typed command takes well under a millisecond; one of thousands of stages takes
// 100-300 ms, which goes to the worker thread instead of holding up every other request.
const OFFLOAD_ASSESS_CHARS = 1_000;

export function shellRouter(ctx: AppContext): Router {
  const r = Router();
  route(r, "POST /api/shell/assess", async (req) => {
    const body = parseBody(ShellAssessRequestSchema, req.body);
    const options: AssessOptions = {
      ...(body.shell ? { shell: body.shell } : {}),
      ...(body.cwd ? { cwd: body.cwd } : {}),
    };
    if (ctx.cpuWorker && body.command.length > OFFLOAD_ASSESS_CHARS) {
      const out = await ctx.cpuWorker.run({ kind: "assess", command: body.command, options });
      if (!out.ok) throw new AppError(out.error.code, out.error.message, out.error.hint);
      return JSON.parse(out.json) as ShellAssessment;
    }
    return assess(body.command, options);
  });
  // Closing the connection cancels the model call.
  route(r, "POST /api/shell/suggest", (req, signal) =>
    suggestCommand(ctx.llm, parseBody(ShellSuggestRequestSchema, req.body), signal),
  );
  return r;
}
