/** `POST /api/edit/diff` as one pure job (split, cap, diff, serialise), run by the CPU worker (cpu-worker.ts). */
import type { DiffResponse } from "../api/edit";
import type { ApiError } from "../api/errors";
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
