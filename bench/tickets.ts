/**
 * Ticket agents: (1) what the agent adds per step beyond the model's own time — tool
 * execution, events to disk, the checkpoint ref, the budget and stuck checks — and (2)
 * resuming the event stream of a run of 10 000 events (a full replay, and the tail after a
 * dropped connection). Real backend, real git, the scripted AI answering instantly.
 *
 * A step's time is the gap between two consecutive `budget` events (each step ends with one);
 * the model's time is the same replies fetched directly from this process. Overhead per
 * step = mean step time − mean model time per reply.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { startScriptedAI, type ScriptedReply } from "../test/fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "../test/integration/helpers/backend";
import { follow, seedRemote } from "../test/integration/helpers/tickets";
import type { TicketRunView } from "../server/api/tickets";
import { loadNote } from "./lib/load-note";
import { nowIso, r1, writeSection } from "./lib/results";

const STEPS = 30;
const EVENTS = 10_000;
const TARGET_STEP_MS = 100;
/** A fast hosted model's time to a tool call; the checkpoint should hide behind it. */
const SLOW_MODEL_MS = 500;
const TARGET_TAIL_MS = 500;
const TARGET_FULL_MS = 3_000;

const call = (name: string, args: Record<string, unknown>): ScriptedReply => ({
  toolCalls: [{ name, arguments: args }],
});

async function modelAlone(
  url: string,
  replies: ScriptedReply[],
  enqueue: (r: ScriptedReply[]) => void,
): Promise<number> {
  enqueue(replies);
  const t0 = performance.now();
  for (let i = 0; i < replies.length; i++) {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    await res.text();
  }
  return performance.now() - t0;
}

async function timedRun(
  b: Backend,
  ticket: string,
  body: Record<string, unknown>,
): Promise<{ ms: number; run: string; stepMs: number }> {
  const t0 = performance.now();
  const r = await b.call<TicketRunView>("POST", `/api/tickets/${ticket}/command`, body);
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  const f = follow(b, ticket, r.body.run_id);
  await f.ended;
  const end = f.events.at(-1);
  if (end?.type !== "end" || end.status !== "completed")
    throw new Error(`run did not complete: ${JSON.stringify(end)}`);
  // Step budget events only (the run's closing budget event repeats the final count).
  const first = f.events.find((e) => e.type === "budget" && e.steps_used === 1);
  const last = f.events.find((e) => e.type === "budget" && e.steps_used === STEPS);
  const stepMs = first && last ? (Date.parse(last.at) - Date.parse(first.at)) / (STEPS - 1) : NaN;
  return { ms: performance.now() - t0, run: r.body.run_id, stepMs };
}

async function timedReplay(
  b: Backend,
  ticket: string,
  run: string,
  lastId: number,
): Promise<{ ms: number; n: number }> {
  const t0 = performance.now();
  const f = follow(b, ticket, run, { lastId });
  await f.ended;
  return { ms: performance.now() - t0, n: f.events.length };
}

async function main(): Promise<void> {
  const ai = await startScriptedAI();
  const dir = mkdtempSync(join(tmpdir(), "aicockpit-bench-tickets-"));
  const bare = seedRemote(dir);
  const b = await startBackend({
    readyTimeoutMs: 60_000,
    env: providerEnv(ai.url, { AICOCKPIT_TICKETS_ROOT: join(dir, "root"), AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS: "1" }),
  });
  const load = loadavg()[0]!;
  try {
    await b.call("POST", "/api/tickets", { ticket_id: "bench", repo_url: bare });
    const enqueue = (rs: ScriptedReply[]) => ai.enqueue(...rs);
    const rows: string[] = [];
    let worst = 0;
    for (const [kind, make] of [
      ["read (list_files)", (i: number) => call("list_files", { depth: 1 + (i % 3) })],
      [
        "edit (edit_file + checkpoint)",
        (i: number) => call("edit_file", { path: `f${i}.txt`, new_str: `${i}\n`, create: true }),
      ],
      [
        `edit, the model taking ${SLOW_MODEL_MS} ms a reply`,
        (i: number): ScriptedReply => ({
          ...call("edit_file", { path: `g${i}.txt`, new_str: `${i}\n`, create: true }),
          latencyMs: SLOW_MODEL_MS,
        }),
      ],
    ] as const) {
      const replies = [...Array.from({ length: STEPS }, (_, i) => make(i)), call("finish", { summary: "done" })];
      const modelPerReply = (await modelAlone(ai.url, replies, enqueue)) / replies.length;
      enqueue(replies);
      // Edits need a dev run; its review turn finishes at once, and with package.json gone no tests are found.
      const action = kind.startsWith("read") ? "chat" : "dev";
      if (action === "dev") {
        rmSync(join(dir, "root", "bench", "package.json"), { force: true });
        enqueue([call("finish", { summary: "Bench edits" })]);
      }
      const { stepMs } = await timedRun(b, "bench", {
        action,
        message: "bench",
        open_pr: false,
        budgets: { maxSteps: STEPS + 10 },
        dirty: "commit",
      });
      const per = stepMs - modelPerReply;
      worst = Math.max(worst, per);
      rows.push(`| ${kind} | ${STEPS} | ${r1(stepMs)} ms | ${r1(modelPerReply)} ms | **${r1(per)} ms** |`);
      console.log(`${kind}: step ${r1(stepMs)} ms, model ${r1(modelPerReply)} ms, overhead/step ${r1(per)} ms`);
    }

    // A run of 10 000 events: one streamed answer of ~10 000 tokens.
    ai.enqueue({ chunks: Array.from({ length: EVENTS - 6 }, (_, i) => `t${i} `) });
    const big = await timedRun(b, "bench", { action: "chat", message: "long", dirty: "commit" });
    const full = await timedReplay(b, "bench", big.run, 0);
    const tail = await timedReplay(b, "bench", big.run, full.n - 100);
    console.log(`replay ${full.n} events: ${r1(full.ms)} ms; tail of 100: ${r1(tail.ms)} ms`);
    const ok = worst <= TARGET_STEP_MS && full.ms <= TARGET_FULL_MS && tail.ms <= TARGET_TAIL_MS;
    writeSection(
      "tickets",
      [
        "## Ticket agents (`bench/tickets.ts`)",
        "",
        `Command: \`node --import tsx bench/tickets.ts\` — ${nowIso()}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ${loadNote(load)}.`,
        "",
        `Agent overhead per step beyond the model's own time: a run of ${STEPS} tool steps against the real backend and real git, the scripted AI answering at once. One step = the gap between two consecutive steps' \`budget\` events; the model's time = the same replies fetched directly from the bench. It covers parsing the streamed tool call, running the tool, writing the events to the run's log, the checkpoint ref (\`refs/aicockpit/<run>/<n>\`: for an edit, a commit written in-process from the previous checkpoint; for a read, the previous one re-pointed), and the budget and stuck checks.`,
        "",
        "| steps | n | one step | model per reply | overhead / step |",
        "| --- | --- | --- | --- | --- |",
        ...rows,
        "",
        `Target: ≤ ${TARGET_STEP_MS} ms per step ${worst <= TARGET_STEP_MS ? "✅" : "❌"}. Before (2026-11-30, load 29.6) an edit step cost **788 ms**: its checkpoint was three git processes (\`add --all\` into a temporary index, \`write-tree\`, \`commit-tree\`) on the critical path. Now an \`edit_file\` checkpoint is written in-process from the previous one (\`server/tickets/tree-mirror.ts\`: the changed file's blob, the trees on its path and the commit as loose objects; one \`git ls-tree\` when the mirror is stale), and every checkpoint is queued off the critical path, serialised, with the agent waiting for it only before the next tool that may change files (a \`run_command\` step still takes the three-process route, overlapped with the next model call).`,
        "",
        `Resuming a run of ${full.n} events over SSE (\`GET /api/tickets/:id/runs/:run/events\`): the whole log from \`Last-Event-ID: 0\` in **${r1(full.ms)} ms** (target ≤ ${TARGET_FULL_MS} ms ${full.ms <= TARGET_FULL_MS ? "✅" : "❌"}), the last ${tail.n} after a dropped connection in **${r1(tail.ms)} ms** (target ≤ ${TARGET_TAIL_MS} ms ${tail.ms <= TARGET_TAIL_MS ? "✅" : "❌"}).`,
      ].join("\n"),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await b.stop();
    await ai.close();
  }
}

void main();
