/** `POST /api/edit`: streams EditEvents (see server/api/edit.ts) as SSE. */
import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { DiffResponse, EditEvent, EditRequest } from "../../api/edit";
import { computeHunks } from "../../edit/hunks";
import { runEdit } from "../../edit/session";
import { parseBody } from "../validate";
import { streamEvents } from "../sse";

const EditRequestSchema = z.object({
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

const DiffRequestSchema = z.object({ code: z.string().max(2_000_000), proposed: z.string().max(2_000_000) });

const lines = (text: string) => text.replace(/\r?\n$/, "").split(/\r?\n/);

export function editRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/edit/diff", (req, res) => {
    const body = parseBody(DiffRequestSchema, req.body);
    const response: DiffResponse = { hunks: computeHunks(lines(body.code), body.proposed === "" ? [] : lines(body.proposed)) };
    res.json(response);
  });
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
