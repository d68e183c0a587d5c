/**
 * Ticket runs against what breaks in the field (next to faults-ai.test.ts):
 * - a hostile model: tool-call arguments that are not JSON, an argument far over the limit,
 *   a tool that does not exist, then the same call forever; and a flood of distinct calls.
 *   Each bad call is an observation the model sees, the run stops on the stuck detector or
 *   the step budget with the branch kept, and the backend stays healthy;
 * - a silent model (one token, then nothing): the idle timeout ends the run with a clear
 *   error, the branch is kept and the next run starts;
 * - a git remote over https that drops the connection mid-clone, mid-fetch and mid-push:
 *   a clear error, no half-cloned folder, the clone intact after a failed fetch, the commit
 *   kept after a failed push, and the retry works.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CreateTicketResponse, TicketRunEvent, TicketRunView } from "../../server/api/tickets";
import { startScriptedAI, type ScriptedAI, type ScriptedReply } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "./helpers/backend";
import { startGitHttpRemote, type GitHttpRemote } from "./helpers/git-http";
import { follow, seedRemote, sh } from "./helpers/tickets";

const IDLE_MS = 2_000;
const call = (name: string, args: Record<string, unknown> | string) => ({ toolCalls: [{ name, arguments: args }] });

describe("ticket runs against a hostile model and a remote that drops the connection", () => {
  let ai: ScriptedAI;
  let backend: Backend;
  let remote: GitHttpRemote;
  let dir: string;
  let bare: string;
  let root: string;
  let repoUrl: string;

  before(async () => {
    ai = await startScriptedAI();
    dir = mkdtempSync(join(tmpdir(), "aicockpit-faults-tickets-"));
    bare = seedRemote(dir);
    // Enough incompressible bytes that a clone's pack is cut in the middle.
    const seed = join(dir, "seed");
    writeFileSync(join(seed, "blob.bin"), randomBytes(256 * 1024));
    sh(seed, "add", ".");
    sh(seed, "commit", "--quiet", "-m", "a large file");
    sh(seed, "push", "--quiet", "origin", "main");
    remote = await startGitHttpRemote(dir, mkdtempSync(join(tmpdir(), "aicockpit-git-tls-")));
    repoUrl = `${remote.url}/acme/widget.git`;
    root = join(dir, "tickets-root");
    backend = await startBackend({
      env: providerEnv(ai.url, {
        AICOCKPIT_TICKETS_ROOT: root,
        AICOCKPIT_LLM_IDLE_TIMEOUT_MS: String(IDLE_MS),
        GIT_SSL_CAINFO: remote.caFile,
        AICOCKPIT_LOG_LEVEL: "warn",
      }),
    });
  });
  after(async () => {
    await backend?.stop();
    await ai?.close();
    await remote?.close();
  });

  const create = (id: string) =>
    backend.call<CreateTicketResponse & { error?: { code: string; message: string; hint?: string } }>(
      "POST",
      "/api/tickets",
      { ticket_id: id, repo_url: repoUrl },
    );

  async function run(id: string, body: Record<string, unknown>) {
    const r = await backend.call<TicketRunView>("POST", `/api/tickets/${id}/command`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const f = follow(backend, id, r.body.run_id, { answer: "run" });
    await f.ended;
    assert.equal(f.error, undefined);
    const end = f.events.at(-1)!;
    assert.equal(end.type, "end");
    return { events: f.events, end: end as Extract<TicketRunEvent, { type: "end" }> };
  }

  const results = (events: TicketRunEvent[]) =>
    events.filter((e): e is Extract<TicketRunEvent, { type: "tool_result" }> => e.type === "tool_result");

  async function healthy(): Promise<void> {
    const h = await fetch(`${backend.url}/health`);
    assert.equal(h.status, 200);
  }

  test("a remote that drops mid-clone: a clear error, nothing left behind, and the retry clones", async () => {
    remote.cutNext("git-upload-pack", 16 * 1024);
    const r = await create("G1");
    assert.equal(remote.cuts, 1, "the clone was cut");
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, "TICKET_GIT_FAILED");
    assert.match(r.body.error?.message ?? "", /git clone failed: .*(early EOF|unexpected|closed|RPC failed)/s);
    assert.match(r.body.error?.hint ?? "", /Nothing was left behind/);
    assert.deepEqual(readdirSync(root), [], "no half-cloned folder, no partial one");
    const again = await create("G1");
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.status, "created");
    assert.equal(sh(again.body.path, "rev-parse", "--abbrev-ref", "HEAD"), "ticket_G1");
    assert.equal(sh(again.body.path, "status", "--porcelain"), "");
  });

  test("a remote that drops mid-fetch: the clone stays as it was, and the retry fetches", async () => {
    const path = join(root, "G1");
    const before = sh(path, "rev-parse", "HEAD");
    const seed = join(dir, "seed");
    writeFileSync(join(seed, "more.bin"), randomBytes(256 * 1024));
    sh(seed, "add", ".");
    sh(seed, "commit", "--quiet", "-m", "more");
    sh(seed, "push", "--quiet", "origin", "main");
    remote.cutNext("git-upload-pack", 16 * 1024);
    const r = await create("G1");
    assert.equal(remote.cuts, 2, "the fetch was cut");
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.match(r.body.error?.message ?? "", /git fetch failed/);
    assert.match(r.body.error?.hint ?? "", /left as it was/);
    assert.equal(sh(path, "rev-parse", "HEAD"), before);
    assert.equal(sh(path, "rev-parse", "--abbrev-ref", "HEAD"), "ticket_G1");
    assert.equal(sh(path, "status", "--porcelain"), "");
    const again = await create("G1");
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(sh(path, "rev-parse", "origin/main"), sh(bare, "rev-parse", "main"));
  });

  test("a remote that drops mid-push: the run fails clearly, the commit is kept, the next run pushes it", async () => {
    const path = join(root, "G1");
    ai.reset();
    ai.enqueue(
      call("edit_file", { path: "lib.js", old_str: "a - b", new_str: "a + b" }),
      call("finish", { summary: "Fixed." }),
      call("finish", { summary: "Make add() add" }),
    );
    remote.cutNext("git-receive-pack", 64, 5);
    const first = await run("G1", { action: "dev", message: "Fix add()" });
    assert.ok(remote.cuts >= 3, "the push was cut");
    remote.heal();
    assert.equal(first.end.status, "failed", JSON.stringify(first.events.slice(-3)));
    const err = first.events.find((e) => e.type === "error");
    assert.ok(err && err.type === "error");
    assert.equal(err.error.code, "TICKET_GIT_FAILED");
    assert.match(err.error.message, /git push failed/);
    assert.match(err.error.hint ?? "", /kept on ticket_G1/);
    const commit = first.events.find((e) => e.type === "commit");
    assert.ok(commit && commit.type === "commit");
    assert.equal(sh(path, "rev-parse", "ticket_G1"), commit.sha, "the commit is on the branch");
    assert.throws(
      () => sh(bare, "rev-parse", "--verify", "--quiet", "refs/heads/ticket_G1"),
      "nothing reached the remote",
    );

    ai.reset();
    ai.enqueue(
      call("edit_file", { path: "README.md", old_str: "", new_str: "widget\n", create: true }),
      call("finish", { summary: "Readme." }),
      call("finish", { summary: "Add a readme" }),
    );
    const second = await run("G1", { action: "dev", message: "Readme" });
    assert.equal(second.end.status, "completed", JSON.stringify(second.events.slice(-3)));
    assert.equal(sh(bare, "rev-parse", "ticket_G1^"), commit.sha, "both commits are on the remote now");
  });

  test("a hostile model: bad JSON, an oversized argument and an unknown tool are observations; repeating forever is stuck", async () => {
    ai.reset();
    ai.enqueue(
      call("read_file", '{"path": "lib.js"'),
      call("search", JSON.stringify({ pattern: "x".repeat(300_000) })),
      call("rm_rf", { path: "/" }),
    );
    ai.setDefault(call("list_files", { depth: 1 }));
    try {
      const { events, end } = await run("G1", {
        action: "chat",
        message: "misbehave",
        budgets: { maxTokens: 20_000_000 },
      });
      const r = results(events);
      if (r.length < 3)
        console.log(JSON.stringify(events.filter((e) => e.type !== "token").slice(0, 30)).slice(0, 3000));
      assert.match(r[0]!.output, /not a JSON object/);
      // Arguments are kept to 256 KiB while they stream in: this one, cut there, is not JSON any more.
      assert.match(r[1]!.output, /not a JSON object/);
      assert.match(r[2]!.output, /There is no tool "rm_rf"/);
      assert.ok(r.slice(0, 3).every((x) => !x.ok));
      const big = events.find((e) => e.type === "tool_call" && e.tool === "search");
      assert.ok(big && JSON.stringify(big).length < 4_000, "the oversized argument is not echoed whole");
      // The model was told each time.
      const told = JSON.stringify(ai.completionRequests()[3]!.body);
      assert.match(told, /not a JSON object[\s\S]*not a JSON object[\s\S]*There is no tool/);
      assert.equal(end.status, "stopped");
      assert.equal(end.stop_reason, "stuck");
      assert.ok(end.branch_kept);
      assert.match(end.message, /ticket_G1 .* kept/);
      await healthy();
    } finally {
      ai.setDefault({ echo: "last-user" });
    }
  });

  test("a flood of distinct tool calls stops on the step budget with the branch kept", async () => {
    ai.reset();
    const flood: ScriptedReply = {
      toolCalls: Array.from({ length: 40 }, (_, i) => ({
        name: "read_file",
        arguments: { path: "lib.js", start_line: 1, end_line: i + 1 },
      })),
    };
    ai.setDefault(flood);
    try {
      const { events, end } = await run("G1", { action: "chat", message: "flood", budgets: { maxSteps: 12 } });
      assert.equal(end.status, "stopped", JSON.stringify(end));
      assert.equal(end.stop_reason, "steps");
      assert.equal(results(events).length, 12, "not one call past the budget");
      assert.ok(ai.completionRequests().length <= 1, "one reply was enough to hit the budget");
      assert.equal(sh(join(root, "G1"), "rev-parse", "--abbrev-ref", "HEAD"), "ticket_G1");
      await healthy();
    } finally {
      ai.setDefault({ echo: "last-user" });
    }
  });

  test("a model that goes silent: the idle timeout ends the run clearly, the branch is kept, the next run starts", async () => {
    ai.reset();
    ai.enqueue({ fault: { kind: "silence-after-first" } });
    const t0 = Date.now();
    const { events, end } = await run("G1", { action: "chat", message: "hello?" });
    assert.ok(Date.now() - t0 < 60_000);
    assert.equal(end.status, "failed", JSON.stringify(end));
    const err = events.find((e) => e.type === "error");
    assert.ok(err && err.type === "error");
    assert.match(err.error.code, /^PROVIDER_/);
    assert.match(err.error.message, /stopped sending|no data/i);
    assert.ok(end.branch_kept);
    assert.equal(sh(join(root, "G1"), "rev-parse", "--abbrev-ref", "HEAD"), "ticket_G1");
    ai.enqueue({ text: "Back." });
    const next = await run("G1", { action: "chat", message: "again" });
    assert.equal(next.end.status, "completed");
  });
});
