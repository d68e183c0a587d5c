/** `POST /api/edit`: streams EditEvents (see server/api/edit.ts) as SSE; `POST /api/edit/diff`: exact hunks. */
import express, { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { EditEvent, EditRequest } from "../../api/edit";
import { runJob } from "../../cpu-worker";
import { AppError } from "../errors";
import { runEdit } from "../../edit/session";
import { parseBody } from "../validate";
import { streamEvents } from "../sse";

export const EditRequestSchema = z.object({
  filepath: z.string().min(1).max(4096),
  languageId: z.string().min(1).max(100),
  instruction: z.string().trim().min(1, "instruction must not be empty").max(20_000),
  code: z.string().max(1_000_000),
  linePrefix: z.string().max(100_000).optional(),
  lineSuffix: z.string().max(100_000).optional(),
  before: z.string().max(1_000_000).optional(),
  after: z.string().max(1_000_000).optional(),
  previous: z.array(z.object({ instruction: z.string().max(20_000), result: z.string().max(1_000_000) })).max(20).optional(),
  model: z.string().min(1).max(200).optional(),
});

/**
 * `POST /api/edit/diff`, mounted ahead of express.json() (app.ts): its body (up to 2 MB of
 * text) goes to the CPU worker as raw bytes, which parses, validates and diffs it there.
 */
export function diffRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/edit/diff", express.raw({ type: ["application/json", "application/*+json"], limit: ctx.config.maxBodyBytes }), async (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw new AppError("BAD_REQUEST", "Send a JSON object body (Content-Type: application/json).");
    // Its own copy of the bytes, so the worker can take the buffer over.
    const job = { kind: "diff", body: new Uint8Array(req.body) } as const;
    const result = ctx.cpuWorker ? await ctx.cpuWorker.run(job) : runJob(job);
    if (!result.ok) throw new AppError(result.error.code, result.error.message, result.error.hint);
    res.type("application/json").send(result.json);
  });
  return r;
}

export function editRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/edit", async (req, res, next) => {
    let body: EditRequest;
    try {
      body = parseBody(EditRequestSchema, req.body);
    } catch (err) {
      next(err);
      return;
    }
    await streamEvents<EditEvent>(res, next, (signal) => runEdit(ctx.llm, body, signal), (error) => ({ type: "error", error }));
  });
  return r;
}
