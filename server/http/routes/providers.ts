/**
 * Provider management (`/api/providers*`). Handlers are registered by route key (server/http/route.ts).
 */
import { Router } from "express";
import { idOf, route } from "../route";
import type { AppContext } from "../../context";

export function providersRouter(ctx: AppContext): Router {
  const r = Router();
  const reg = ctx.llm.registry;
  route(r, "GET /api/providers", () => reg.list());
  route(r, "POST /api/providers", (req) => reg.add(req.body), 201);
  route(r, "PATCH /api/providers/:id", (req) => reg.update(idOf(req), req.body));
  route(r, "DELETE /api/providers/:id", (req) => {
    reg.remove(idOf(req));
    return { removed: true };
  });
  route(r, "POST /api/providers/:id/activate", (req) => reg.activate(idOf(req)));
  route(r, "POST /api/providers/:id/test", (req) => ctx.llm.testConnection(idOf(req)));
  route(r, "GET /api/providers/:id/models", async (req, signal) => ({
    models: await ctx.llm.listModels(idOf(req), signal),
  }));
  return r;
}
