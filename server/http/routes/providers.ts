/**
 * Provider management (`/api/providers*`). Handlers are registered through `route()`,
 * which takes the key of the typed contract table (server/api/routes.ts), so a handler
 * returning the wrong shape fails to compile.
 */
import { Router, type Request, type Response } from "express";
import { abortOnClose } from "../sse";
import type { AppContext } from "../../context";
import type { RouteKey, RouteResponse } from "../../api/routes";

type Handler<K extends RouteKey> = (req: Request, res: Response) => RouteResponse<K> | Promise<RouteResponse<K>>;

function route<K extends RouteKey>(r: Router, key: K, handler: Handler<K>, status = 200): void {
  const [method, path] = key.split(" ") as [string, string];
  const fn = async (req: Request, res: Response): Promise<void> => {
    const body = await handler(req, res);
    res.status(status).json(body);
  };
  switch (method) {
    case "GET":
      r.get(path, fn);
      break;
    case "POST":
      r.post(path, fn);
      break;
    case "PATCH":
      r.patch(path, fn);
      break;
    case "DELETE":
      r.delete(path, fn);
      break;
    default:
      throw new Error(`unsupported method in route key ${key}`);
  }
}

function idOf(req: Request): string {
  return String(req.params.id);
}

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
  route(r, "GET /api/providers/:id/models", async (req, res) => {
    const ac = abortOnClose(res);
    return { models: await ctx.llm.listModels(idOf(req), ac.signal) };
  });
  return r;
}
