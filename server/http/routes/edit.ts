/** `POST /api/edit`: streams EditEvents (see server/api/edit.ts) as SSE. */
import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { DiffResponse, EditEvent, EditRequest } from "../../api/edit";
import { computeHunks, MAX_DIFF_CHARS, MAX_DIFF_LINES } from "../../edit/hunks";
import { AppError } from "../errors";
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

const tooLong = `at most ${MAX_DIFF_CHARS.toLocaleString("en-US")} characters`;
const DiffRequestSchema = z.object({
  code: z.string().max(MAX_DIFF_CHARS, tooLong),
  proposed: z.string().max(MAX_DIFF_CHARS, tooLong),
});

const lines = (text: string) => text.replace(/\r?\n$/, "").split(/\r?\n/);

function cappedLines(field: string, text: string): string[] {
  const out = lines(text);
  if (out.length > MAX_DIFF_LINES) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `${field} has ${out.length.toLocaleString("en-US")} lines; the diff limit is ${MAX_DIFF_LINES.toLocaleString("en-US")} lines per side.`,
      "Diff a smaller part of the file.",
    );
  }
  return out;
}

export function editRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/edit/diff", (req, res) => {
    const body = parseBody(DiffRequestSchema, req.body);
    const oldLines = cappedLines("code", body.code);
    const newLines = body.proposed === "" ? [] : cappedLines("proposed", body.proposed);
    const response: DiffResponse = { hunks: computeHunks(oldLines, newLines) };
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
