/**
 * The Gemini CLI adapter driven by the real pinned CLI (@google/gemini-cli, installed into the
 * cache by scripts/install-deps.sh), offline: its hidden `--fake-responses-non-strict` flag
 * replays scripted model responses while the CLI's own tools really run in a git clone.
 *
 * Under CI=true a missing CLI fails the suite; elsewhere it skips loudly.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TicketRunEventBody } from "../../server/api/tickets";
import type { AgentStep, AgentTurnInput, StepRecord } from "../../server/tickets/agent";
import type { TicketAction } from "../../server/api/tickets";
import { GeminiCliAgent } from "../../server/tickets/gemini/agent";
import { findGeminiCli, GEMINI_CLI_VERSION } from "../../server/tickets/gemini/install";
import { IN_CI } from "../fixtures/infra-env";

const cli = findGeminiCli();
if (!cli) {
  const why = `the Gemini CLI ${GEMINI_CLI_VERSION} is not installed (bash scripts/install-deps.sh puts it into the cache)`;
  if (IN_CI) throw new Error(`CI=true: ${why}`);
  console.error(`\n!!! SKIPPING tickets-gemini: ${why}\n`);
}

// First start of the CLI on a loaded machine: allow well over the ~7 s it takes idle.
const TURN_MS = 120_000;

/** One scripted model answer: text chunks and/or function calls, streamed as the Gemini API does. */
function response(parts: ({ text: string } | { functionCall: { name: string; args: object } })[][]): string {
  const chunks = parts.map((p, i) => ({
    candidates: [{ content: { role: "model", parts: p }, ...(i === parts.length - 1 ? { finishReason: "STOP" } : {}) }],
    ...(i === parts.length - 1
      ? { usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 } }
      : {}),
  }));
  return JSON.stringify({ method: "generateContentStream", response: chunks });
}

let root: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of processes whose working directory is the clone (the CLI and anything it started). */
function cliProcesses(repo: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) === repo) out.push(Number(pid));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}
let n = 0;

function setup(script: string[]) {
  const dir = join(root, `t${++n}`);
  const repo = join(dir, "repo");
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  writeFileSync(join(repo, "README.md"), "# demo\n\nA tiny project.\n");
  execFileSync("git", ["-C", repo, "add", "."]);
  execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"]);
  const fake = join(dir, "responses.jsonl");
  writeFileSync(fake, script.join("\n") + "\n");
  const state = join(dir, "state");
  execFileSync("mkdir", ["-p", state]);
  return { repo, fake, state };
}

function turn(
  ctx: { repo: string; state: string },
  step: AgentStep,
  action: TicketAction,
  opts: { apiKey?: string; followUp?: boolean; signal?: AbortSignal } = {},
) {
  const events: TicketRunEventBody[] = [];
  const steps: StepRecord[] = [];
  const tokens: number[] = [];
  const input: AgentTurnInput = {
    ticket: { ticketId: "T-1", runId: "r1", path: ctx.repo, branch: "ticket_T-1", stateDir: ctx.state },
    action,
    step,
    prompt: "Plan the change: add a greeting to the README.",
    followUp: opts.followUp ?? false,
    model: { model: "gemini-2.5-flash", ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) },
    budgets: { maxSteps: 50, maxTokens: 400_000, maxMs: 1_800_000 },
    meter: {
      step: (rec) => {
        steps.push(rec);
        return Promise.resolve(undefined);
      },
      settled: () => Promise.resolve(),
      tokens: (k) => {
        tokens.push(k);
        return undefined;
      },
    },
    confirm: () => Promise.resolve({ run: false, reason: "the Gemini CLI never asks" }),
    emit: (ev) => events.push(ev),
    signal: opts.signal ?? new AbortController().signal,
  };
  return { input, events, steps, tokens };
}

describe("Gemini CLI adapter (real CLI, scripted responses)", { skip: !cli, timeout: 4 * TURN_MS }, () => {
  // The environment the backend would give it, minus any real key a developer may have set.
  const env = { ...process.env, GEMINI_API_KEY: undefined, GOOGLE_API_KEY: undefined };

  before(() => {
    root = mkdtempSync(join(tmpdir(), "aic-gemini-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test(
    "make_plan: the plan streams as tokens; the plan file the CLI saves is the turn's plan",
    { timeout: TURN_MS },
    async () => {
      const plan = "## Plan\n\n1. Add a greeting line to README.md.\n2. Check it renders.\n";
      const ctx = setup([
        response([
          [{ text: "Reading the project. " }],
          [{ text: "Here is the plan:\n" }],
          [{ functionCall: { name: "write_file", args: { file_path: "greeting-plan.md", content: plan } } }],
        ]),
        response([[{ text: "Saved the plan." }]]),
      ]);
      const agent = new GeminiCliAgent({ env, fakeResponsesFile: ctx.fake, installOnDemand: false });
      const t = turn(ctx, "plan", "make_plan", { apiKey: "test-key-not-real" });
      const res = await agent.runTurn(t.input);
      assert.equal(res.status, "completed", JSON.stringify(res));
      const streamed = t.events.filter((e) => e.type === "token").map((e) => (e.type === "token" ? e.text : ""));
      assert.deepEqual(streamed, ["Reading the project. ", "Here is the plan:\n", "Saved the plan."]);
      assert.equal(res.status === "completed" && res.text, plan);
      assert.deepEqual(
        t.events.map((e) => e.type),
        ["token", "token", "tool_call", "tool_result", "token"],
      );
      assert.deepEqual(t.tokens, [240]); // two model calls, 120 each
      // Plan mode writes only into the CLI's own plans folder in the ticket's HOME, never the clone.
      assert.equal(execFileSync("git", ["-C", ctx.repo, "status", "--porcelain"], { encoding: "utf8" }), "");
      // The key is in no file the CLI wrote, in its HOME or in the clone.
      const grep = spawnSync("grep", ["-rl", "test-key-not-real", ctx.state, ctx.repo], { encoding: "utf8" });
      assert.equal(grep.stdout, "");
    },
  );

  test(
    "a tool error is a failure even though the CLI ends with result success and exit 0",
    { timeout: TURN_MS },
    async () => {
      const ctx = setup([
        response([[{ functionCall: { name: "write_file", args: { file_path: "notes.txt", content: "x\n" } } }]]),
        response([[{ text: "I wrote the notes." }]]),
      ]);
      const agent = new GeminiCliAgent({ env, fakeResponsesFile: ctx.fake, installOnDemand: false });
      const t = turn(ctx, "plan", "make_plan", { apiKey: "test-key-not-real" });
      const res = await agent.runTurn(t.input);
      assert.equal(res.status, "failed");
      assert.equal(res.status === "failed" && res.error.code, "AGENT_FAILED");
      assert.match(res.status === "failed" ? res.error.message : "", /a tool call failed — write_file: .*Plan Mode/);
      const call = t.events.find((e) => e.type === "tool_call");
      const result = t.events.find((e) => e.type === "tool_result");
      assert.equal(call?.type === "tool_call" && call.tool, "write_file");
      assert.ok(result?.type === "tool_result" && !result.ok && result.tool === "write_file");
      assert.deepEqual(
        t.steps.map((s) => [s.tool, s.failed]),
        [["write_file", true]],
      );
      assert.equal(existsSync(join(ctx.repo, "notes.txt")), false);
    },
  );

  test("dev (auto_edit): the CLI's edit lands in the clone; shell commands are not available to it", async () => {
    const ctx = setup([
      response([[{ functionCall: { name: "write_file", args: { file_path: "hello.txt", content: "hello\n" } } }]]),
      response([[{ text: "Created hello.txt." }]]),
    ]);
    const agent = new GeminiCliAgent({ env, fakeResponsesFile: ctx.fake, installOnDemand: false });
    const t = turn(ctx, "implement", "dev", { apiKey: "test-key-not-real" });
    const res = await agent.runTurn(t.input);
    assert.equal(res.status, "completed", JSON.stringify(res));
    assert.equal(readFileSync(join(ctx.repo, "hello.txt"), "utf8"), "hello\n");
    assert.ok(t.events.some((e) => e.type === "tool_result" && e.ok && e.tool === "write_file"));
  });

  test("cancel: the turn ends cancelled and the CLI's whole process group is gone", { timeout: TURN_MS }, async () => {
    const ctx = setup([response([[{ text: "never shown" }]])]);
    const agent = new GeminiCliAgent({ env, fakeResponsesFile: ctx.fake, installOnDemand: false });
    const ac = new AbortController();
    const t = turn(ctx, "answer", "chat", { apiKey: "test-key-not-real", signal: ac.signal });
    const running = agent.runTurn(t.input);
    // Cancel while the CLI is still starting (it takes seconds); its process carries the clone as cwd.
    const started = Date.now();
    while (Date.now() - started < 20_000 && !cliProcesses(ctx.repo).length) await sleep(100);
    assert.ok(cliProcesses(ctx.repo).length > 0, "the CLI was running");
    ac.abort();
    assert.deepEqual(await running, { status: "cancelled" });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && cliProcesses(ctx.repo).length) await sleep(100);
    assert.deepEqual(cliProcesses(ctx.repo), [], "no CLI process is left");
  });

  test("no API key: exit 41 becomes an auth message with the fix", { timeout: TURN_MS }, async () => {
    const ctx = setup([response([[{ text: "never" }]])]);
    const agent = new GeminiCliAgent({ env, fakeResponsesFile: ctx.fake, installOnDemand: false });
    const t = turn(ctx, "answer", "chat");
    const res = await agent.runTurn(t.input);
    assert.equal(res.status, "failed");
    if (res.status !== "failed") return;
    assert.equal(res.error.code, "AGENT_FAILED");
    assert.match(res.error.message, /could not authenticate.*API key.*\(exit 41\)/);
    assert.match(res.error.hint ?? "", /Set Gemini API Key/);
    assert.equal(
      t.events.some((e) => e.type === "token"),
      false,
    );
  });
});
