/**
 * A task is its event log: `<dataDir>/tasks/<task_id>.jsonl`, one header line then one
 * TaskEvent per line, appended with a synchronous write so an event that was sent to a
 * client is on disk first. The TaskView is never stored: it is derived by replaying the
 * log (`reduce`), so a crash can lose at most a half-written last line, which replay drops.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  TASK_LIMITS,
  type Attempt,
  type TaskEvent,
  type TaskLimits,
  type TaskTarget,
  type TaskView,
} from "../api/tasks";

export interface TaskHeader {
  task_id: string;
  target: TaskTarget;
  original_prompt: string;
  created_at: string;
  limits: TaskLimits;
  cwd?: string;
}

export const TERMINAL = new Set(["completed", "failed", "cancelled", "interrupted"]);

export class TaskLog {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  create(h: TaskHeader): void {
    appendFileSync(this.file(h.task_id), JSON.stringify({ header: h }) + "\n", { mode: 0o600, flag: "wx" });
  }

  append(ev: TaskEvent): void {
    appendFileSync(this.file(ev.task_id), JSON.stringify(ev) + "\n");
  }

  remove(id: string): void {
    rmSync(this.file(id), { force: true });
  }

  /** Every task on disk: header and events (a torn last line is dropped). */
  loadAll(): { header: TaskHeader; events: TaskEvent[] }[] {
    const out: { header: TaskHeader; events: TaskEvent[] }[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(".jsonl")) continue;
      const lines = readFileSync(join(this.dir, name), "utf8")
        .split("\n")
        .filter((l) => l !== "");
      let header: TaskHeader | undefined;
      const events: TaskEvent[] = [];
      for (const line of lines) {
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          continue; // torn write at a crash
        }
        if (typeof v === "object" && v !== null && "header" in v) header = (v as { header: TaskHeader }).header;
        else events.push(v as TaskEvent);
      }
      if (header) out.push({ header, events });
    }
    return out;
  }
}

function tail(text: string, max: number): string {
  return text.length > max ? text.slice(text.length - max) : text;
}

/** Output gathered per subtask/attempt/role while replaying, turned into Attempt.output. */
type Pending = Map<string, { text: string; truncated: boolean }>;

export function initialView(h: TaskHeader): TaskView {
  return {
    task_id: h.task_id,
    target: h.target,
    original_prompt: h.original_prompt,
    subtasks: [],
    current_subtask_index: -1,
    status: "pending",
    created_at: h.created_at,
    limits: h.limits,
  };
}

/** Applies one event to the view (mutating it). `buf` holds output not yet attached to an attempt. */
export function reduce(v: TaskView, ev: TaskEvent, buf: Pending): void {
  const key = (s: number, a: number, role: string) => `${s}/${a}/${role}`;
  const attemptOf = (s: number, a: number): Attempt | undefined =>
    v.subtasks[s]?.attempts.find((x) => x.attempt_number === a);
  switch (ev.type) {
    case "task_status_update":
      v.status = ev.status;
      if (ev.plan)
        v.subtasks = ev.plan.map((p, index) => ({
          index,
          description: p.description,
          command: p.command,
          check: p.check,
          status: "pending",
          attempts: [],
        }));
      if (ev.error_message !== undefined) v.error_message = ev.error_message;
      if (TERMINAL.has(ev.status)) {
        v.completed_at = ev.at;
        // A step stopped mid-way (cancel, crash) did not finish: it must not read "running" forever.
        for (const s of v.subtasks) if (s.status === "running") s.status = "pending";
      }
      if (ev.status !== "waiting_for_user") delete v.pending;
      break;
    case "subtask_started": {
      v.current_subtask_index = ev.subtask;
      const s = v.subtasks[ev.subtask];
      if (s) s.status = "running";
      break;
    }
    case "awaiting_confirmation":
      v.pending = ev.pending;
      break;
    case "hang_suspected":
      v.pending = ev.pending;
      break;
    case "command_output": {
      const k = key(ev.subtask, ev.attempt, ev.role);
      const b = buf.get(k) ?? { text: "", truncated: false };
      b.text += ev.text;
      if (b.text.length > TASK_LIMITS.outputChars) {
        b.text = tail(b.text, TASK_LIMITS.outputChars);
        b.truncated = true;
      }
      buf.set(k, b);
      break;
    }
    case "command_result": {
      const s = v.subtasks[ev.subtask];
      if (!s) break;
      const k = key(ev.subtask, ev.attempt, "command");
      const out = buf.get(k) ?? { text: "", truncated: false };
      buf.delete(k);
      s.attempts.push({
        attempt_number: ev.attempt,
        command: ev.command,
        output: out.text,
        output_truncated: out.truncated,
        exit_code: ev.exit_code,
        ...(ev.signal ? { signal: ev.signal } : {}),
        validation_result: "failed",
        timestamp: ev.at,
      });
      break;
    }
    case "check_result": {
      const a = attemptOf(ev.subtask, ev.attempt);
      const k = key(ev.subtask, ev.attempt, "check");
      const out = buf.get(k) ?? { text: "", truncated: false };
      buf.delete(k);
      if (a) a.check = { command: ev.command, exit_code: ev.exit_code, output: out.text };
      break;
    }
    case "validation": {
      const a = attemptOf(ev.subtask, ev.attempt);
      if (a) {
        a.validation_result = ev.result;
        if (ev.advice !== undefined) a.advice = ev.advice;
      }
      const s = v.subtasks[ev.subtask];
      if (s && ev.subtask_status) s.status = ev.subtask_status;
      break;
    }
    case "summary":
      v.summary = ev.summary;
      break;
    case "command_proposed":
    case "heartbeat":
    case "error":
      break;
  }
}
