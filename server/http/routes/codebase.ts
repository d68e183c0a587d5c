/** @codebase indexes over HTTP (contract: server/api/codebase.ts). */
import { Router } from "express";
import type { AppContext } from "../../context";
import type { CodebaseProgressEvent } from "../../api/codebase";
import {
  CodebaseChangesRequestSchema,
  CodebaseIndexRequestSchema,
  CodebaseQueryRequestSchema,
} from "../../api/schemas/codebase";
import { parseBody } from "../../validate";
import { idOf, route, streamRoute } from "../route";
import { streamEvents } from "../sse";

export function codebaseRouter(ctx: AppContext): Router {
  const r = Router();
  // A malformed id is simply unknown: CODEBASE_NOT_FOUND, like an evicted one.
  const id = idOf;
  route(r, "POST /api/codebase/index", async (req) =>
    (await ctx.codebase()).ensure(parseBody(CodebaseIndexRequestSchema, req.body)),
  );
  route(r, "POST /api/codebase/changes", async (req, signal) =>
    (await ctx.codebase()).changes(parseBody(CodebaseChangesRequestSchema, req.body), signal),
  );
  route(r, "POST /api/codebase/query", async (req, signal) =>
    (await ctx.codebase()).query(parseBody(CodebaseQueryRequestSchema, req.body), signal),
  );
  route(r, "GET /api/codebase/:id", async (req) => (await ctx.codebase()).view(id(req)));
  route(r, "DELETE /api/codebase/:id", async (req) => {
    (await ctx.codebase()).remove(id(req));
    return { removed: true as const };
  });
  streamRoute(r, "GET /api/codebase/:id/progress", async (req, res, next) => {
    const svc = await ctx.codebase();
    const index = id(req);
    svc.view(index); // unknown id: a plain 404 before the stream starts
    await streamEvents<CodebaseProgressEvent>(
      res,
      next,
      (signal) => svc.progress(index, signal),
      (error) => ({ type: "error", error }),
    );
  });
  return r;
}
