/** `POST /api/shell/assess` and `POST /api/shell/suggest` (contract: server/api/shell.ts). */
import { Router } from "express";
import { ShellAssessRequestSchema, ShellSuggestRequestSchema } from "../../api/schemas/shell";
import type { AppContext } from "../../context";
import { assess } from "../../shell/risk";
import { suggestCommand } from "../../shell/suggest";
import { parseBody } from "../validate";
import { route } from "../route";

export function shellRouter(ctx: AppContext): Router {
  const r = Router();
  route(r, "POST /api/shell/assess", (req) => {
    const body = parseBody(ShellAssessRequestSchema, req.body);
    return assess(body.command, body.shell ? { shell: body.shell } : {});
  });
  // Closing the connection cancels the model call.
  route(r, "POST /api/shell/suggest", (req, signal) => suggestCommand(ctx.llm, parseBody(ShellSuggestRequestSchema, req.body), signal));
  return r;
}
