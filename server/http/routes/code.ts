/** `POST /api/code/target` (contract: server/api/code.ts). */
import { Router } from "express";
import { CodeTargetRequestSchema } from "../../api/schemas/code";
import { codeTarget } from "../../syntax/target";
import { parseBody } from "../../validate";
import { route } from "../route";

export function codeRouter(): Router {
  const r = Router();
  route(r, "POST /api/code/target", (req, signal) => codeTarget(parseBody(CodeTargetRequestSchema, req.body), signal));
  return r;
}
