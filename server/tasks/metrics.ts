/**
 * Task metrics on the backend's registry. Counters are fed from the event log as it is written
 * (TaskService calls `observe` once per new event, never on replay), the gauge is counted from
 * the tasks at scrape time, so neither can drift from what the user sees.
 *   aicockpit_tasks{status}                          tasks kept, by status (scrape time)
 *   aicockpit_tasks_finished_total{status}           tasks that reached a final status
 *   aicockpit_task_commands_total{target,role,outcome}  commands and checks run (ok / failed / killed)
 *   aicockpit_task_hangs_total{target}               hang_suspected raised
 *   aicockpit_task_decisions_total{action}           the user's answers (run, edit, skip, stop, wait, input, kill)
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { TaskEvent, TaskList, TaskStatus, TaskTarget } from "../api/tasks";

export interface TaskMetrics {
  observe(ev: TaskEvent, target: TaskTarget): void;
  decision(action: string): void;
}

const STATUSES: TaskStatus[] = [
  "pending",
  "running",
  "waiting_for_user",
  "completed",
  "failed",
  "cancelled",
  "interrupted",
];
const FINAL = new Set<TaskStatus>(["completed", "failed", "cancelled", "interrupted"]);

export function createTaskMetrics(registry: Registry, list: () => Promise<TaskList> | undefined): TaskMetrics {
  new Gauge({
    name: "aicockpit_tasks",
    help: "Host tasks kept by the backend, by status (counted at scrape time)",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of STATUSES) this.set({ status: s }, 0);
      const l = await list();
      for (const t of l?.tasks ?? []) this.inc({ status: t.status });
    },
  });
  const finished = new Counter({
    name: "aicockpit_tasks_finished_total",
    help: "Host tasks that reached a final status",
    labelNames: ["status"],
    registers: [registry],
  });
  const commands = new Counter({
    name: "aicockpit_task_commands_total",
    help: "Commands and checks a task ran, by target kind, role and outcome",
    labelNames: ["target", "role", "outcome"],
    registers: [registry],
  });
  const hangs = new Counter({
    name: "aicockpit_task_hangs_total",
    help: "Commands suspected to hang (no output for the task's hangMs)",
    labelNames: ["target"],
    registers: [registry],
  });
  const decisions = new Counter({
    name: "aicockpit_task_decisions_total",
    help: "Answers to a task's questions, by action",
    labelNames: ["action"],
    registers: [registry],
  });
  return {
    observe(ev, target) {
      switch (ev.type) {
        case "task_status_update":
          if (FINAL.has(ev.status)) finished.inc({ status: ev.status });
          break;
        case "command_result":
          commands.inc({
            target: target.kind,
            role: "command",
            outcome: ev.exit_code === 0 ? "ok" : ev.exit_code === null ? "killed" : "failed",
          });
          break;
        case "check_result":
          commands.inc({ target: target.kind, role: "check", outcome: ev.passed ? "ok" : "failed" });
          break;
        case "hang_suspected":
          hangs.inc({ target: target.kind });
          break;
        default:
          break;
      }
    },
    decision(action) {
      decisions.inc({ action });
    },
  };
}
