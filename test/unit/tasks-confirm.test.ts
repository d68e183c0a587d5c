/**
 * The task loop with a real local shell and a scripted model: a command runs only on the
 * confirmation of exactly that command. An edit voids the old confirmation id, the edited
 * command is assessed again, and a dangerous edit needs its second confirmation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TaskService } from "../../server/tasks/service";
import type { ChatParams } from "../../server/llm/service";
import type { PendingConfirmation, TaskEvent } from "../../server/api/tasks";
import { AppError } from "../../server/errors";

function scriptedModel(plan: unknown) {
  return {
    chat: (p: ChatParams): Promise<string> => {
      const sys = p.messages[0]!.content;
      if (sys.startsWith("TASK-PLANNER")) return Promise.resolve(JSON.stringify(plan));
      if (sys.startsWith("TASK-SUMMARY")) return Promise.resolve("Done.");
      return Promise.resolve("ok");
    },
  };
}

const unused = () => Promise.reject(new Error("not used"));

async function next(events: TaskEvent[], pred: (e: TaskEvent) => boolean, ms = 10_000): Promise<TaskEvent> {
  const end = Date.now() + ms;
  for (;;) {
    const e = events.find(pred);
    if (e) return e;
    if (Date.now() > end) throw new Error(`timed out; events: ${JSON.stringify(events.map((x) => x.type))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("an edited command is assessed again and never runs on the old confirmation; dangerous needs the second one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tasks-unit-"));
  const work = mkdtempSync(join(tmpdir(), "tasks-work-"));
  const marker = join(work, "ran-safe");
  const victim = join(work, "victim");
  writeFileSync(victim, "keep me");
  const svc = new TaskService({
    dataDir: dir,
    llm: scriptedModel({
      subtasks: [{ description: "make a file", command: `touch ${marker}`, check: `test -f ${marker}` }],
    }),
    hosts: unused,
    workspaces: unused,
  });
  const t = svc.start({ prompt: "make a file", target: { kind: "local" }, cwd: work });
  const events: TaskEvent[] = [];
  svc.subscribe(t.task_id, 0, (e) => events.push(e));

  const first = (await next(events, (e) => e.type === "awaiting_confirmation")) as Extract<
    TaskEvent,
    { type: "awaiting_confirmation" }
  >;
  assert.equal(first.pending.command, `touch ${marker}`);
  assert.equal(first.pending.risk, "review");

  // Edit to something dangerous: a new question with a new id and the new risk.
  const edited = await svc.decide(t.task_id, {
    confirmation_id: first.pending.confirmation_id,
    action: "edit",
    command: "rm -rf ~/aicockpit-task-test-does-not-exist",
  }); // dangerous, harmless if it ever ran
  const p2 = edited.pending as PendingConfirmation;
  assert.notEqual(p2.confirmation_id, first.pending.confirmation_id);
  assert.equal(p2.risk, "dangerous");
  // The old confirmation is void: it cannot run the edited command.
  assert.throws(
    () => svc.decide(t.task_id, { confirmation_id: first.pending.confirmation_id, action: "run" }),
    (e: AppError) => e.code === "TASK_DECISION_STALE",
  );
  // "run" alone is not enough for a dangerous command.
  assert.throws(
    () => svc.decide(t.task_id, { confirmation_id: p2.confirmation_id, action: "run" }),
    (e: AppError) => e.code === "BAD_REQUEST" && /second time/.test(e.message),
  );
  // Nothing ran.
  assert.ok(!events.some((e) => e.type === "command_result"));

  // Edit back to something harmless: assessed again, new id; only that one runs it.
  const back = await svc.decide(t.task_id, {
    confirmation_id: p2.confirmation_id,
    action: "edit",
    command: `touch ${marker}`,
  });
  const p3 = back.pending as PendingConfirmation;
  assert.equal(p3.risk, "review");
  assert.throws(
    () => svc.decide(t.task_id, { confirmation_id: p2.confirmation_id, action: "run", confirmDangerous: true }),
    (e: AppError) => e.code === "TASK_DECISION_STALE",
  );
  await svc.decide(t.task_id, { confirmation_id: p3.confirmation_id, action: "run" });

  const done = await next(events, (e) => e.type === "task_status_update" && e.status === "completed");
  assert.ok(done);
  const v = svc.get(t.task_id);
  assert.deepEqual(
    v.subtasks[0]!.attempts.map((a) => [a.command, a.exit_code, a.validation_result]),
    [[`touch ${marker}`, 0, "passed"]],
  );
  assert.ok(existsSync(marker));
  assert.ok(existsSync(victim));
  // Proposals: the original, the dangerous edit, the harmless edit, then the safe check (ran unasked).
  assert.deepEqual(
    events
      .filter((e) => e.type === "command_proposed")
      .map((e) => (e.type === "command_proposed" ? [e.role, e.risk] : [])),
    [
      ["command", "review"],
      ["command", "dangerous"],
      ["command", "review"],
      ["check", "safe"],
    ],
  );
});
