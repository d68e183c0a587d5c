/**
 * Host tasks: the Skip and Stop answers, the bounded history (AICOCKPIT_TASKS_KEEP) and the
 * task metrics on /metrics — the real backend, a real local shell, the scripted model.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskView } from "../../server/api/tasks";
import { startScriptedAI, type RecordedRequest, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, tempDir, type Backend } from "./helpers/backend";

type Step = { description: string; command: string; check: string };
type Answer = "run" | "skip" | "stop";

describe("host tasks: skip, stop, bounded history, metrics", () => {
  let ai: ScriptedAI;
  let b: Backend;
  let dataDir: string;
  const plans: Step[][] = [];

  before(async () => {
    ai = await startScriptedAI();
    ai.setDefault({
      echo: (req: RecordedRequest) => {
        const sys = (req.body as { messages?: { content: string }[] }).messages?.[0]?.content ?? "";
        if (sys.startsWith("TASK-PLANNER")) return JSON.stringify({ subtasks: plans.shift() ?? [] });
        if (sys.startsWith("TASK-SUMMARY")) return "Summary.";
        return "Fine.";
      },
    });
    dataDir = tempDir("aicockpit-tasks-history-");
    b = await startBackend({ dataDir, env: providerEnv(ai.url, { AICOCKPIT_TASKS_KEEP: "2" }) });
  });

  after(async () => {
    await b?.stop();
    await ai?.close();
  });

  /** Starts a task and answers its questions in order (polling the task, as a second client would). */
  async function run(steps: Step[], answers: Answer[]): Promise<TaskView> {
    plans.push(steps);
    const started = await b.call<TaskView>("POST", "/api/tasks", { prompt: "do it", target: { kind: "local" } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const id = started.body.task_id;
    const answered = new Set<string>();
    const end = Date.now() + 60_000;
    for (;;) {
      const v = (await b.call<TaskView>("GET", `/api/tasks/${id}`)).body;
      if (["completed", "failed", "cancelled"].includes(v.status) && v.summary) return v;
      const p = v.pending;
      if (p?.kind === "confirmation" && !answered.has(p.confirmation_id)) {
        answered.add(p.confirmation_id);
        const action = answers.shift();
        assert.ok(action, `an unexpected question: ${p.command}`);
        const r = await b.call("POST", `/api/tasks/${id}/decision`, { confirmation_id: p.confirmation_id, action });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      if (Date.now() > end) throw new Error(`task did not end: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  test("Skip passes over a step without running it or its check; Stop ends the task before its command runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "task-skip-"));
    const v = await run(
      [
        { description: "one", command: `touch ${dir}/one`, check: `test -f ${dir}/one` },
        { description: "two", command: `touch ${dir}/two`, check: `test -f ${dir}/two` },
        { description: "three", command: `touch ${dir}/three`, check: `test -f ${dir}/three` },
      ],
      ["skip", "run", "stop"],
    );
    assert.equal(v.status, "cancelled");
    assert.match(v.error_message ?? "", /Stopped by the user/);
    assert.deepEqual(
      v.subtasks.map((s) => [s.description, s.status, s.attempts.length]),
      [
        ["one", "skipped", 0],
        ["two", "completed", 1],
        ["three", "pending", 0], // stopped before its command ran: not left "running"
      ],
    );
    assert.ok(!existsSync(join(dir, "one")), "a skipped step's command never ran");
    assert.ok(existsSync(join(dir, "two")));
    assert.ok(!existsSync(join(dir, "three")), "stop ran nothing");
    assert.deepEqual(v.summary?.facts.skipped, [0]);
  });

  test("history keeps the newest AICOCKPIT_TASKS_KEEP finished tasks (records and log files); /metrics counts tasks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "task-keep-"));
    const a = await run([{ description: "a", command: `touch ${dir}/a`, check: `test -f ${dir}/a` }], ["run"]);
    const c = await run([{ description: "c", command: `touch ${dir}/c`, check: `test -f ${dir}/c` }], ["run"]);
    assert.deepEqual([a.status, c.status], ["completed", "completed"]);
    const list = (await b.call<{ tasks: TaskView[] }>("GET", "/api/tasks")).body.tasks;
    assert.deepEqual(
      list.map((t) => t.task_id),
      [c.task_id, a.task_id],
      "the oldest (the stopped task) is gone",
    );
    assert.deepEqual(readdirSync(join(dataDir, "tasks")).sort(), [`${a.task_id}.jsonl`, `${c.task_id}.jsonl`].sort());

    const res = await fetch(`${b.url}/metrics`, { headers: { authorization: `Bearer ${b.token}` } });
    const text = await res.text();
    const value = (line: string) => {
      const hit = text.split("\n").find((l) => l.startsWith(`${line} `));
      return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
    };
    assert.equal(value('aicockpit_tasks{status="completed"}'), 2);
    assert.equal(value('aicockpit_tasks{status="cancelled"}'), 0, "pruned tasks are not counted");
    assert.equal(value('aicockpit_tasks_finished_total{status="completed"}'), 2);
    assert.equal(value('aicockpit_tasks_finished_total{status="cancelled"}'), 1);
    assert.equal(value('aicockpit_task_decisions_total{action="run"}'), 3);
    assert.equal(value('aicockpit_task_decisions_total{action="skip"}'), 1);
    assert.equal(value('aicockpit_task_decisions_total{action="stop"}'), 1);
    assert.equal(value('aicockpit_task_commands_total{target="local",role="command",outcome="ok"}'), 3);
    assert.equal(value('aicockpit_task_commands_total{target="local",role="check",outcome="ok"}'), 3);

    // after a restart the bound still holds and nothing is counted twice
    await b.stop();
    b = await startBackend({ dataDir, env: providerEnv(ai.url, { AICOCKPIT_TASKS_KEEP: "1" }) });
    const after = (await b.call<{ tasks: TaskView[] }>("GET", "/api/tasks")).body.tasks;
    assert.deepEqual(
      after.map((t) => t.task_id),
      [c.task_id],
    );
    assert.deepEqual(readdirSync(join(dataDir, "tasks")), [`${c.task_id}.jsonl`]);
  });
});
