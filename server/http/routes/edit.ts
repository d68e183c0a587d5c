/** `POST /api/edit`: streams EditEvents (see server/api/edit.ts) as SSE; `POST /api/edit/diff`: exact hunks. */
import express, { Router } from "express";
import { EditRequestSchema } from "../../api/schemas/edit";
import type { AppContext } from "../../context";
import type { EditEvent } from "../../api/edit";
import { runJob } from "../../cpu-jobs";
import { AppError } from "../../errors";
import { runEdit } from "../../edit/session";
import { parseBody } from "../../validate";
import { streamEvents } from "../sse";
import { streamRoute, pathOf } from "../route";

/**
 * `POST /api/edit/diff`, mounted ahead of express.json() (app.ts): its body (up to 2 MB of
 * text) goes to the CPU worker as raw bytes, which parses, validates and diffs it there.
 * It is the one JSON route that cannot go through `route()`: it must see the raw body.
 */
export function diffRouter(ctx: AppContext): Router {
  const r = Router();
  r.post(
    pathOf("POST /api/edit/diff"),
    express.raw({ type: ["application/json", "application/*+json"], limit: ctx.config.maxBodyBytes }),
    async (req, res) => {
      if (!Buffer.isBuffer(req.body))
        throw new AppError("BAD_REQUEST", "Send a JSON object body (Content-Type: application/json).");
      // Its own copy of the bytes, so the worker can take the buffer over.
      const job = { kind: "diff", body: new Uint8Array(req.body) } as const;
      const result = ctx.cpuWorker ? await ctx.cpuWorker.run(job) : runJob(job);
      if (!result.ok) throw new AppError(result.error.code, result.error.message, result.error.hint);
      res.type("application/json").send(result.json);
    },
  );
  return r;
}

export function editRouter(ctx: AppContext): Router {
  const r = Router();
  streamRoute(r, "POST /api/edit", async (req, res, next) => {
    const body = parseBody(EditRequestSchema, req.body);
    await streamEvents<EditEvent>(
      res,
      next,
      (signal) => runEdit(ctx.llm, body, signal),
      (error) => ({ type: "error", error }),
    );
  });
  return r;
}
