/** `POST /api/shell/assess` and `POST /api/shell/suggest` (contract: server/api/shell.ts). */
import { Router } from "express";
import { ShellAssessRequestSchema, ShellSuggestRequestSchema } from "../../api/schemas/shell";
import type { AppContext } from "../../context";
import type { ShellAssessment, ShellAssessRequest, ShellSuggestRequest } from "../../api/shell";
import { assess } from "../../shell/risk";
import { suggestCommand } from "../../shell/suggest";
import { parseBody } from "../validate";
import { abortOnClose } from "../sse";

export function shellRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/shell/assess", (req, res, next) => {
    try {
      const body: ShellAssessRequest = parseBody(ShellAssessRequestSchema, req.body);
      const out: ShellAssessment = assess(body.command, body.shell ? { shell: body.shell } : {});
      res.json(out);
    } catch (err) {
      next(err);
    }
  });
  r.post("/api/shell/suggest", async (req, res, next) => {
    try {
      const body: ShellSuggestRequest = parseBody(ShellSuggestRequestSchema, req.body);
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
