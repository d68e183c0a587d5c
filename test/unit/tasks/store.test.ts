/** Replaying a task's log gives the view a user sees in the Tasks view and GET /api/tasks/:id. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TaskEventBody, TaskLimits } from "../../../server/api/tasks";
import { initialView, reduce } from "../../../server/tasks/store";

const at = "2026-11-30T12:00:00.000Z";
const header = {
  task_id: "t1",
  target: { kind: "local" as const },
  original_prompt: "clean the build folder",
  created_at: at,
  limits: {
    maxSteps: 10,
    maxAttempts: 3,
    wallClockMs: 3_600_000,
    maxModelTokens: 60_000,
    hangMs: 30_000,
  } satisfies TaskLimits,
};

function replay(events: TaskEventBody[]) {
  const v = initialView(header);
  const buf = new Map<string, { text: string; truncated: boolean }>();
  events.forEach((e, i) => reduce(v, { ...e, task_id: "t1", at, seq: i + 1 }, buf));
  return v;
}

const plan = [
  { description: "list", command: "ls build", check: "true" },
  { description: "remove", command: "rm -r build/tmp", check: "test ! -e build/tmp" },
];

for (const end of ["cancelled", "failed", "interrupted"] as const) {
  test(`a step under way when the task ends ${end} is not left 'running'`, () => {
    const v = replay([
      { type: "task_status_update", status: "running", plan },
      { type: "subtask_started", subtask: 0, description: "list" },
      { type: "task_status_update", status: end },
    ]);
    assert.equal(v.status, end);
    assert.deepEqual(
      v.subtasks.map((s) => s.status),
      ["pending", "pending"],
    );
    assert.equal(v.completed_at, at);
  });
}

test("a step that is running while the task runs stays 'running'", () => {
  const v = replay([
    { type: "task_status_update", status: "running", plan },
    { type: "subtask_started", subtask: 1, description: "remove" },
  ]);
  assert.deepEqual(
    v.subtasks.map((s) => s.status),
    ["pending", "running"],
  );
});
