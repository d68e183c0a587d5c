/**
 * `POST /api/edit/diff` as one pure job, run by the CPU worker (cpu-worker.ts): from the raw
 * request body (parsing 2 MB of JSON is itself tens of ms the main thread should not spend)
 * through validation, splitting, capping and diffing to the serialised response.
 */
import { DiffRequestSchema } from "../api/schemas/edit";
import type { DiffResponse } from "../api/edit";
import type { ApiError } from "../api/errors";
import { AppError } from "../errors";
import { parseBody } from "../validate";
import { computeHunks, MAX_DIFF_LINES, type DiffBounds } from "./hunks";

export interface DiffJob {
  code: string;
  proposed: string;
}

/** The serialised response, or the error to answer with. */
export type JobResult = { ok: true; json: string } | { ok: false; error: ApiError };

const lines = (text: string) => text.replace(/\r?\n$/, "").split(/\r?\n/);

export function runDiffJob(job: DiffJob, bounds?: DiffBounds): JobResult {
  const oldLines = lines(job.code);
  const newLines = job.proposed === "" ? [] : lines(job.proposed);
  for (const [field, n] of [
    ["code", oldLines.length],
    ["proposed", newLines.length],
  ] as const) {
    if (n > MAX_DIFF_LINES) {
      return {
        ok: false,
        error: {
          code: "PAYLOAD_TOO_LARGE",
          message: `${field} has ${n.toLocaleString("en-US")} lines; the diff limit is ${MAX_DIFF_LINES.toLocaleString("en-US")} lines per side.`,
          hint: "Diff a smaller part of the file.",
        },
      };
    }
  }
  const response: DiffResponse = { hunks: computeHunks(oldLines, newLines, bounds) };
  return { ok: true, json: JSON.stringify(response) };
}

/** The same job from the request's bytes (UTF-8 JSON); every problem with them is a BAD_REQUEST. */
export function runDiffJobFromBody(body: Uint8Array, bounds?: DiffBounds): JobResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return { ok: false, error: { code: "BAD_REQUEST", message: "Request body is not valid JSON." } };
  }
  let job: DiffJob;
  try {
    job = parseBody(DiffRequestSchema, parsed);
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err.toApiError() };
    throw err;
  }
  return runDiffJob(job, bounds);
}
