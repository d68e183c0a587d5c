/** `POST /api/edit`: streams EditEvents (see server/api/edit.ts) as SSE. */
import { Router } from "express";
import { DiffRequestSchema, EditRequestSchema } from "../../api/schemas/edit";
import type { AppContext } from "../../context";
import type { EditEvent } from "../../api/edit";
import { route, streamRoute } from "../route";
import { computeHunks } from "../../edit/hunks";
import { runEdit } from "../../edit/session";
import { parseBody } from "../validate";
import { streamEvents } from "../sse";

const lines = (text: string) => text.replace(/\r?\n$/, "").split(/\r?\n/);

export function editRouter(ctx: AppContext): Router {
  const r = Router();
  route(r, "POST /api/edit/diff", (req) => {
    const body = parseBody(DiffRequestSchema, req.body);
    return { hunks: computeHunks(lines(body.code), body.proposed === "" ? [] : lines(body.proposed)) };
  });
  streamRoute(r, "POST /api/edit", async (req, res, next) => {
    const body = parseBody(EditRequestSchema, req.body);
    await streamEvents<EditEvent>(res, next, (signal) => runEdit(ctx.llm, body, signal), (error) => ({ type: "error", error }));
  });
  return r;
}
