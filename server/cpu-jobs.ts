/** The jobs the CPU worker runs (cpu-worker.ts), as pure functions: also run in-process when there is no worker. */
import { runDiffJobFromBody, type JobResult } from "./edit/diff-job";
import type { DiffBounds } from "./edit/hunks";
import { assess, type AssessOptions } from "./shell/risk";

export type CpuJob = { kind: "diff"; body: Uint8Array } | { kind: "assess"; command: string; options: AssessOptions };
export type { JobResult };

/** Off the loop the exact diff may search longer: a big refactor still gets a precise diff. */
const WORKER_DIFF_BOUNDS: DiffBounds = { maxEditLength: 20_000, timeoutMs: 2_000 };

export function runJob(job: CpuJob, inWorker = false): JobResult {
  switch (job.kind) {
    case "diff":
      return runDiffJobFromBody(job.body, inWorker ? WORKER_DIFF_BOUNDS : undefined);
    case "assess":
      return { ok: true, json: JSON.stringify(assess(job.command, job.options)) };
  }
}
