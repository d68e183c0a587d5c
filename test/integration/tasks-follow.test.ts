/**
 * The task panel's follower (extension/tasks/follow.ts + model.ts) with the extension's real
 * BackendClient against the real backend: it follows a task, loses the backend mid-task,
 * reconnects to the restarted one with Last-Event-ID, and ends on `interrupted` — every event
 * applied once, in order, none missed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskView } from "../../server/api/tasks";
import { BackendClient, type ClientConnection } from "../../extension/backend/client";
import { followTask } from "../../extension/tasks/follow";
import { applyEvent, initialState } from "../../extension/tasks/model";
import { startScriptedAI, type RecordedRequest, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, tempDir, type Backend } from "./helpers/backend";

const until = async (what: string, ok: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("task panel follower against the real backend", () => {
  let ai: ScriptedAI;
  let b: Backend;
  let dataDir: string;
  const dir = mkdtempSync(join(tmpdir(), "task-follow-"));

  before(async () => {
    ai = await startScriptedAI();
    ai.setDefault({
      echo: (req: RecordedRequest) => {
        const sys = (req.body as { messages?: { content: string }[] }).messages?.[0]?.content ?? "";
        if (sys.startsWith("TASK-PLANNER"))
          return JSON.stringify({
            subtasks: [
              { description: "one", command: `echo first > ${dir}/one`, check: `test -s ${dir}/one` },
              { description: "two", command: `echo second > ${dir}/two`, check: `test -s ${dir}/two` },
            ],
          });
        return "Fine.";
      },
    });
    dataDir = tempDir("aicockpit-tasks-follow-");
    b = await startBackend({ dataDir, env: providerEnv(ai.url) });
  });

  after(async () => {
    await b?.stop();
    await ai?.close();
  });

  test("a backend restart mid-task: the follower reconnects, applies each event once and ends on interrupted", async () => {
    let conn: ClientConnection | undefined = { baseUrl: b.url, token: b.token };
    const client = new BackendClient(() => conn);
    const view = await client.call("POST /api/tasks", { body: { prompt: "two files", target: { kind: "local" } } });
    const state = initialState(view);
    const seqs: number[] = [];
    const links: string[] = [];
    const ac = new AbortController();
    const following = followTask(
      client,
      view.task_id,
      0,
      {
        onEvent: (e) => {
          seqs.push(e.seq);
          assert.ok(applyEvent(state, e), `seq ${e.seq} applied once`);
        },
        onLink: (l) => links.push(l),
      },
      ac.signal,
    );
    try {
      await until("the first question", () => state.pending?.subtask === 0);
      const first = state.pending!;
      await client.call("POST /api/tasks/:id/decision", {
        params: { id: view.task_id },
        body: { confirmation_id: first.confirmation_id, action: "run" },
      });
      await until("the second question", () => state.pending?.subtask === 1);
      const seen = state.seq;

      await b.stop(); // the backend goes away with a question open
      await until("the follower notices", () => links.includes("reconnecting"));
      b = await startBackend({ dataDir, env: providerEnv(ai.url) });
      conn = { baseUrl: b.url, token: b.token }; // as the supervisor hands out the new port and token
      await following;

      assert.deepEqual(
        seqs,
        seqs.map((_s, i) => i + 1),
        "1, 2, 3 … n: no gap, no repeat",
      );
      assert.ok(state.seq > seen, "the events after the restart arrived");
      assert.equal(state.status, "interrupted");
      assert.match(state.error_message ?? "", /not continued/);
      assert.equal(state.pending, undefined, "no question is left open");
      assert.deepEqual(
        state.steps.map((s) => [s.status, s.attempts.map((a) => [a.run.exit_code, a.result])]),
        [
          ["completed", [[0, "passed"]]],
          ["running", [[undefined, undefined]]], // proposed, asked about, never run
        ],
      );
      assert.deepEqual(links.at(-1), "ended");
      assert.ok(!existsSync(join(dir, "two")), "step 2 never ran");
      const v = await client.call("GET /api/tasks/:id", { params: { id: view.task_id } });
      assert.equal((v as TaskView).status, "interrupted");
    } finally {
      ac.abort();
      conn = undefined;
    }
  });
});
