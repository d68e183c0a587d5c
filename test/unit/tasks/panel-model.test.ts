/** The task panel's state from the event log, and the Tasks view's rows (extension/tasks/model.ts). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TaskEvent, TaskEventBody, TaskStatus, TaskView } from "../../../server/api/tasks";
import {
  applyEvent,
  backoffMs,
  initialState,
  PANEL_OUTPUT_CHARS,
  STATUS_ICONS,
  taskLook,
} from "../../../extension/tasks/model";

const base = {
  task_id: "task_1",
  original_prompt: "serve the site",
  target: { kind: "host" as const, hostId: "staging" },
  created_at: "2026-11-30T10:00:00.000Z",
  status: "pending" as TaskStatus,
};

/** A log as the backend writes it: seq 1, 2, 3 … */
function log(...bodies: TaskEventBody[]): TaskEvent[] {
  return bodies.map((b, i) => ({ ...b, seq: i + 1, task_id: "task_1", at: base.created_at }) as TaskEvent);
}

const plan = [
  { description: "install", command: "apt-get install -y nginx", check: "command -v nginx" },
  { description: "start", command: "systemctl start nginx", check: "systemctl is-active nginx" },
];
const pending = (id: string, command: string, risk: "safe" | "review" | "dangerous") => ({
  kind: "confirmation" as const,
  confirmation_id: id,
  subtask: 0,
  role: "command" as const,
  command,
  risk,
  reasons: risk === "dangerous" ? ["deletes recursively"] : [],
});

const events = log(
  { type: "task_status_update", status: "running" },
  { type: "task_status_update", status: "running", plan },
  { type: "subtask_started", subtask: 0, description: "install" },
  {
    type: "command_proposed",
    subtask: 0,
    attempt: 1,
    role: "command",
    command: plan[0]!.command,
    risk: "review",
    reasons: ["installs"],
  },
  { type: "awaiting_confirmation", pending: pending("c1", plan[0]!.command, "review") },
  { type: "task_status_update", status: "waiting_for_user" },
  // the user edits: the backend assesses the edit again and asks anew
  {
    type: "command_proposed",
    subtask: 0,
    attempt: 1,
    role: "command",
    command: "rm -rf ~/src && apt-get install -y nginx",
    risk: "dangerous",
    reasons: ["deletes recursively"],
    explanation: "edited by the user",
  },
  { type: "awaiting_confirmation", pending: pending("c2", "rm -rf ~/src && apt-get install -y nginx", "dangerous") },
  { type: "task_status_update", status: "running" },
  { type: "command_output", subtask: 0, attempt: 1, role: "command", text: "Reading package lists…\n" },
  { type: "command_output", subtask: 0, attempt: 1, role: "command", text: "done\n" },
  {
    type: "command_result",
    subtask: 0,
    attempt: 1,
    command: "rm -rf ~/src && apt-get install -y nginx",
    exit_code: 0,
    output_tail: "done\n",
  },
  {
    type: "command_proposed",
    subtask: 0,
    attempt: 1,
    role: "check",
    command: "command -v nginx",
    risk: "safe",
    reasons: [],
  },
  { type: "command_output", subtask: 0, attempt: 1, role: "check", text: "/usr/sbin/nginx\n" },
  { type: "check_result", subtask: 0, attempt: 1, command: "command -v nginx", exit_code: 0, passed: true },
  {
    type: "validation",
    subtask: 0,
    attempt: 1,
    result: "passed",
    advice: "nginx is installed",
    subtask_status: "completed",
  },
  { type: "subtask_started", subtask: 1, description: "start" },
  {
    type: "command_proposed",
    subtask: 1,
    attempt: 1,
    role: "command",
    command: plan[1]!.command,
    risk: "review",
    reasons: [],
  },
  { type: "awaiting_confirmation", pending: { ...pending("c3", plan[1]!.command, "review"), subtask: 1 } },
  { type: "task_status_update", status: "running" },
  {
    type: "hang_suspected",
    pending: { kind: "hang", hang_id: "h1", subtask: 1, command: plan[1]!.command },
    last_lines: ["Starting…"],
    analysis: "It may wait for a lock.",
    silent_ms: 30_500,
  },
  { type: "task_status_update", status: "waiting_for_user" },
);

function replay(evs: TaskEvent[]) {
  const s = initialState(base);
  for (const e of evs) applyEvent(s, e);
  return s;
}

describe("task panel state", () => {
  test("a log replays into steps, attempts, output, checks, advice and the open question", () => {
    const s = replay(events);
    assert.equal(s.target, "SSH host staging");
    assert.deepEqual(
      s.steps.map((x) => [x.description, x.status]),
      [
        ["install", "completed"],
        ["start", "running"],
      ],
    );
    const a = s.steps[0]!.attempts[0]!;
    assert.equal(a.run.command, "rm -rf ~/src && apt-get install -y nginx");
    assert.equal(a.run.output, "Reading package lists…\ndone\n");
    assert.equal(a.run.exit_code, 0);
    assert.deepEqual(
      [a.check?.command, a.check?.output, a.check?.passed],
      ["command -v nginx", "/usr/sbin/nginx\n", true],
    );
    assert.deepEqual([a.result, a.advice], ["passed", "nginx is installed"]);
    assert.equal(s.pending, undefined);
    assert.deepEqual(
      [s.hang?.pending.hang_id, s.hang?.last_lines, s.hang?.analysis],
      ["h1", ["Starting…"], "It may wait for a lock."],
    );
    assert.equal(s.status, "waiting_for_user");
  });

  test("an edited command shows its new assessment and the new question, never the old risk", () => {
    const s = replay(events.slice(0, 8));
    const run = s.steps[0]!.attempts[0]!.run;
    assert.deepEqual(
      [run.command, run.risk, run.explanation],
      ["rm -rf ~/src && apt-get install -y nginx", "dangerous", "edited by the user"],
    );
    assert.deepEqual([s.pending?.confirmation_id, s.pending?.risk], ["c2", "dangerous"]);
  });

  test("a reconnect that resends events, or a full replay after it, repeats nothing", () => {
    const s = initialState(base);
    for (const e of events.slice(0, 12)) applyEvent(s, e);
    // the stream broke after seq 12; the server resumes after the last id, a careless one from 10
    const again = events.slice(9).map((e) => applyEvent(s, e));
    assert.deepEqual(again.slice(0, 3), [false, false, false], "seq 10–12 were applied already");
    assert.deepEqual(s, replay(events), "the same state as one clean pass");
    assert.equal(s.steps[0]!.attempts[0]!.run.output, "Reading package lists…\ndone\n", "no output line twice");
    assert.equal(applyEvent(s, { type: "heartbeat", seq: 0, task_id: "task_1", at: base.created_at }), false);
  });

  test("a final status clears the open question; the summary and errors are kept", () => {
    const s = replay([
      ...events,
      ...log(
        {
          type: "summary",
          summary: {
            text: "nginx installed; start was killed",
            facts: { target: "SSH host staging", ran: [], failed: [1], skipped: [] },
          },
        },
        { type: "error", error: { code: "PROVIDER_ERROR", message: "model down" } },
        { type: "task_status_update", status: "failed", error_message: "Step 2 (start) failed after 1 attempt(s)." },
      ).map((e, i) => ({ ...e, seq: events.length + i + 1 })),
    ]);
    assert.equal(s.status, "failed");
    assert.equal(s.hang, undefined);
    assert.equal(s.summary?.text, "nginx installed; start was killed");
    assert.deepEqual(s.errors, [{ code: "PROVIDER_ERROR", message: "model down" }]);
    assert.equal(s.error_message, "Step 2 (start) failed after 1 attempt(s).");
  });

  test("output kept in the panel is bounded (the tail), and says it was cut", () => {
    const s = replay(events.slice(0, 9));
    const big = "x".repeat(PANEL_OUTPUT_CHARS);
    applyEvent(s, {
      type: "command_output",
      subtask: 0,
      attempt: 1,
      role: "command",
      text: "head\n",
      seq: 10,
      task_id: "task_1",
      at: "",
    });
    applyEvent(s, {
      type: "command_output",
      subtask: 0,
      attempt: 1,
      role: "command",
      text: `${big}tail`,
      seq: 11,
      task_id: "task_1",
      at: "",
    });
    const run = s.steps[0]!.attempts[0]!.run;
    assert.equal(run.output.length, PANEL_OUTPUT_CHARS);
    assert.ok(run.output.endsWith("tail") && run.outputCut);
  });

  test("reconnect delays grow and stay bounded", () => {
    assert.deepEqual([1, 2, 3, 4, 10, 50].map(backoffMs), [250, 500, 1000, 2000, 5000, 5000]);
  });
});

describe("Tasks view rows", () => {
  const row = (status: TaskStatus, extra: Partial<TaskView> = {}) =>
    taskLook(
      {
        ...base,
        status,
        limits: { maxSteps: 10, maxAttempts: 3, wallClockMs: 1, maxModelTokens: 1, hangMs: 1 },
        current_subtask_index: 0,
        ...extra,
      },
      Date.parse(base.created_at) + 5 * 60_000,
    );

  test("label, status, target and age; the status drives icon and menus like the other views", () => {
    const r = row("waiting_for_user");
    assert.equal(r.label, "serve the site");
    assert.equal(r.description, "waiting for you · SSH host staging · 5 min ago");
    assert.deepEqual([r.icon, r.color, r.contextValue], ["bell-dot", "charts.yellow", "task.waiting_for_user"]);
    assert.match(row("failed", { error_message: "Step 2 failed" }).tooltip, /Step 2 failed/);
    for (const st of Object.keys(STATUS_ICONS) as TaskStatus[]) assert.equal(row(st).contextValue, `task.${st}`);
  });

  test("a long or multi-line prompt is one short line", () => {
    const r = row("completed", { original_prompt: `find out why\nthe disk ${"is full ".repeat(20)}` });
    assert.ok(!r.label.includes("\n") && r.label.length <= 60 && r.label.endsWith("…"));
  });
});
