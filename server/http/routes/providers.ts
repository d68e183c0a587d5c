// PLACEHOLDER — replaced by the LLM provider layer.
import { Router } from "express";
import type { AppContext } from "../../context";
export function providersRouter(_ctx: AppContext): Router {
  return Router();
}
