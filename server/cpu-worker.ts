/**
 * CPU-heavy request work off the event loop. Splitting two 1 MB texts into 50,000 lines,
 * diffing them and serialising 100,000 lines of hunks is 0.3–1 s of CPU and garbage
 * collection however well the diff itself is bounded, and assessing a 10,000-character
 * command of thousands of pipeline stages is 100–300 ms; on the main thread `/health` and
 * every other request would wait for all of it. One worker thread (the backend's own bundle,
 * started on first use and kept) runs such jobs and hands back the response as a JSON string.
 *
 * Each job has a deadline: past it the worker is terminated (a fresh one starts for the next
 * job) and the request fails with a clear error instead of waiting on a stuck thread.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { CpuJob, JobResult } from "./cpu-jobs";

export type { CpuJob, JobResult };

/** Generous over the worker's diff time bound (cpu-jobs.ts): splitting and serialising at the caps takes well under a second. */
export const JOB_DEADLINE_MS = 15_000;

const ROLE = "aicockpit-cpu-worker";

/** Called first thing in the bundle's entry: true when this thread is the CPU worker (and now serves jobs). */
export function serveIfCpuWorker(): boolean {
  if (isMainThread || (workerData as { role?: string } | null)?.role !== ROLE || !parentPort) return false;
  const port = parentPort;
  // The jobs' code (diff, risk assessment) loads here, not in the main thread's startup; messages
  // posted meanwhile wait in the port until the listener is attached.
  void import("./cpu-jobs.js").then(({ runJob }) =>
    port.on("message", (job: CpuJob) => {
      let result: JobResult;
      try {
        result = runJob(job, true);
      } catch {
        result = {
          ok: false,
          error: { code: "INTERNAL", message: "Internal error in the AiCockpit backend while computing this request." },
        };
      }
      port.postMessage(result);
    }),
  );
  return true;
}

/** One worker, one job at a time (jobs queue): one extra core at most for a local backend. */
export class CpuWorker {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** The script that calls serveIfCpuWorker() first thing (the backend bundle). */
    private readonly script: string,
    private readonly deadlineMs = JOB_DEADLINE_MS,
  ) {}

  run(job: CpuJob): Promise<JobResult> {
    const next = this.queue.then(() => this.runNow(job));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private spawn(): Worker {
    const w = new Worker(this.script, { workerData: { role: ROLE } });
    // Idle between jobs, it must not keep the process alive at shutdown.
    w.unref();
    w.on("error", () => this.drop(w));
    w.on("exit", () => this.drop(w));
    return w;
  }

  private drop(w: Worker): void {
    if (this.worker === w) this.worker = undefined;
  }

  private runNow(job: CpuJob): Promise<JobResult> {
    const w = (this.worker ??= this.spawn());
    return new Promise((resolve) => {
      const done = (r: JobResult) => {
        clearTimeout(timer);
        w.off("message", done);
        w.off("exit", onExit);
        resolve(r);
      };
      const onExit = () =>
        done({
          ok: false,
          error: { code: "INTERNAL", message: "The backend's worker thread stopped unexpectedly; try again." },
        });
      const timer = setTimeout(() => {
        this.drop(w);
        void w.terminate();
        done({
          ok: false,
          error: {
            code: "PAYLOAD_TOO_LARGE",
            message: `This request needed more than ${this.deadlineMs / 1000} s of computation and was stopped.`,
            hint: "Send a smaller input.",
          },
        });
      }, this.deadlineMs);
      w.on("message", done);
      w.once("exit", onExit);
      // A request body moves to the worker without a copy.
      w.postMessage(job, job.kind === "diff" ? [job.body.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
