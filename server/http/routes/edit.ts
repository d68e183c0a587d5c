/** `POST /api/edit`: streams EditEvents (see server/api/edit.ts) as SSE. */
import { Router } from "express";
import { DiffRequestSchema, EditRequestSchema } from "../../api/schemas/edit";
import type { AppContext } from "../../context";
import type { DiffResponse, EditEvent, EditRequest } from "../../api/edit";
import { computeHunks } from "../../edit/hunks";
import { runEdit } from "../../edit/session";
import { parseBody } from "../validate";
import { streamEvents } from "../sse";

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
