/**
 * Every task of this backend: its log on disk, its replayed view, its live subscribers and,
 * while it runs, its loop. On start-up a task whose log does not end in a final status was
 * running when the backend stopped: it is marked `interrupted` (with its history) and never
 * continued — its commands may have half-run, and only the user can judge what to do next.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { AppError } from "../errors";
import type {
  StartTaskRequest,
  TaskDecisionRequest,
  TaskDecisionResponse,
  TaskEvent,
  TaskEventBody,
  TaskLimits,
  TaskList,
  TaskView,
} from "../api/tasks";
import { initialView, reduce, TaskLog, TERMINAL, type TaskHeader } from "./store";
import { TaskRun, type LoopDeps } from "./loop";
import type { TaskMetrics } from "./metrics";

export const DEFAULT_LIMITS: TaskLimits = {
  maxSteps: 10,
  maxAttempts: 3,
  wallClockMs: 3_600_000,
  maxModelTokens: 60_000,
  hangMs: 30_000,
};
const BOUNDS: Record<keyof TaskLimits, [number, number]> = {
  maxSteps: [1, 10],
  maxAttempts: [1, 3],
  wallClockMs: [1_000, 24 * 3_600_000],
  maxModelTokens: [500, 2_000_000],
  hangMs: [500, 3_600_000],
};

export function clampLimits(l: Partial<TaskLimits> = {}): TaskLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(BOUNDS) as (keyof TaskLimits)[]) {
    const v = l[k];
    if (v !== undefined) out[k] = Math.min(BOUNDS[k][1], Math.max(BOUNDS[k][0], Math.floor(v)));
  }
  return out;
}

type Listener = (e: TaskEvent) => void;

class TaskRecord {
  readonly events: TaskEvent[] = [];
  readonly view: TaskView;
  private readonly buf = new Map<string, { text: string; truncated: boolean }>();
  readonly listeners = new Set<Listener>();
  run: TaskRun | undefined;
  constructor(readonly header: TaskHeader) {
    this.view = initialView(header);
  }
  apply(e: TaskEvent): void {
    this.events.push(e);
    reduce(this.view, e, this.buf);
  }
  get seq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }
}

export interface TaskServiceDeps extends LoopDeps {
  dataDir: string;
  metrics?: TaskMetrics;
  /** Finished tasks kept (history and logs); older ones are deleted. Default 200. */
  keep?: number;
}

export const DEFAULT_KEEP = 200;

export class TaskService {
  private readonly log: TaskLog;
  private readonly tasks = new Map<string, TaskRecord>();

  constructor(private readonly deps: TaskServiceDeps) {
    this.log = new TaskLog(join(deps.dataDir, "tasks"));
    const loaded = this.log.loadAll();
    for (const { header, events } of loaded) {
      const rec = new TaskRecord(header);
      for (const e of events) rec.apply(e);
      this.tasks.set(header.task_id, rec);
      if (!TERMINAL.has(rec.view.status)) {
        this.emit(rec, {
          type: "task_status_update",
          status: "interrupted",
          error_message:
            "The backend stopped while this task was running; it was not continued. Check the target before starting it again.",
        });
      }
    }
    this.prune();
  }

  private emit(rec: TaskRecord, body: TaskEventBody): void {
    const ev = { ...body, seq: rec.seq + 1, task_id: rec.header.task_id, at: new Date().toISOString() } as TaskEvent;
    this.log.append(ev); // on disk before anyone sees it
    rec.apply(ev);
    this.deps.metrics?.observe(ev, rec.header.target);
    for (const l of rec.listeners) l(ev);
  }

  /**
   * History is bounded: beyond `keep` finished tasks, the oldest go (record and log file).
   * Running tasks are never pruned. Called at start-up and whenever a task ends.
   */
  prune(): void {
    const keep = this.deps.keep ?? DEFAULT_KEEP;
    const done = [...this.tasks.values()]
      .filter((r) => TERMINAL.has(r.view.status) && !r.run && r.listeners.size === 0)
      .sort((a, b) => b.header.created_at.localeCompare(a.header.created_at));
    for (const r of done.slice(keep)) {
      this.tasks.delete(r.header.task_id);
      this.log.remove(r.header.task_id);
    }
  }

  private rec(id: string): TaskRecord {
    const r = this.tasks.get(id);
    if (!r) throw new AppError("TASK_NOT_FOUND", `No task ${JSON.stringify(id)}.`, "List tasks with GET /api/tasks.");
    return r;
  }

  start(req: StartTaskRequest): TaskView {
    const header: TaskHeader = {
      task_id: `task_${randomUUID()}`,
      target: req.target,
      original_prompt: req.prompt,
      created_at: new Date().toISOString(),
      limits: clampLimits(req.limits),
      ...(req.cwd ? { cwd: req.cwd } : {}),
    };
    this.log.create(header);
    const rec = new TaskRecord(header);
    this.tasks.set(header.task_id, rec);
    const view = structuredClone(rec.view);
    rec.run = new TaskRun(
      header,
      () => rec.view,
      (b) => this.emit(rec, b),
      { ...this.deps, ...(req.model ? { model: req.model } : {}) },
    );
    void rec.run.run().finally(() => {
      rec.run = undefined;
      this.prune();
    });
    return view;
  }

  list(): TaskList {
    const tasks = [...this.tasks.values()].map((r) => {
      const { subtasks: _omit, ...rest } = r.view;
      return structuredClone(rest);
    });
    tasks.sort((a, b) => b.created_at.localeCompare(a.created_at));
    return { tasks };
  }

  get(id: string): TaskView {
    return structuredClone(this.rec(id).view);
  }

  decide(id: string, req: TaskDecisionRequest): Promise<TaskDecisionResponse> {
    const r = this.rec(id);
    if (!r.run) throw new AppError("TASK_DECISION_STALE", `Task ${id} is not running (${r.view.status}).`);
    const answer = r.run.decide(req);
    this.deps.metrics?.decision(req.action);
    return answer;
  }

  cancel(id: string): TaskView {
    const r = this.rec(id);
    r.run?.stop("cancelled", "Cancelled by the user.");
    return structuredClone(r.view);
  }

  /**
   * Events after `after`, then live ones, in order and without repeats. Returns the unsubscribe
   * function; `onEvent` is called synchronously for the backlog.
   */
  subscribe(id: string, after: number, onEvent: Listener): () => void {
    const r = this.rec(id);
    for (const e of r.events) if (e.seq > after) onEvent(e);
    r.listeners.add(onEvent);
    return () => r.listeners.delete(onEvent);
  }

  /** The task's loop is still going (a final status can precede its last bookkeeping). */
  hasRun(id: string): boolean {
    return this.rec(id).run !== undefined;
  }
}
