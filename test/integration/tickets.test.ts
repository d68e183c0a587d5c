/**
 * Ticket agents end to end: the real backend, real git with a local bare repository as the
 * remote, the scripted AI issuing real tool calls, and a local server playing GitHub's pulls
 * API. Runs are followed over SSE and their confirmations answered like the VS Code view does.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CreateTicketResponse, TicketDetail, TicketRunEvent, TicketRunView } from "../../server/api/tickets";
import type { RecordedRequest } from "../fixtures/scripted-ai";
import { startBackend } from "./helpers/backend";
import { runTicket, ticketSuite } from "./helpers/ticket-suite";
import { follow, sh, waitUntil, type Follow } from "./helpers/tickets";

const TOKEN = "ghp_TicketSecret0123456789abcdef";

const call = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });
const finish = (summary: string) => call("finish", { summary });

function toolMessages(req: RecordedRequest): string[] {
  const msgs = (req.body as { messages?: { role: string; content: string | null }[] }).messages ?? [];
  return msgs.filter((m) => m.role === "tool").map((m) => m.content ?? "");
}

describe("tickets", () => {
  const suite = ticketSuite("aicockpit-tickets-");
  const allEvents: TicketRunEvent[] = [];

  async function create(id: string, extra: Record<string, unknown> = {}) {
    return suite.backend.call<CreateTicketResponse>("POST", "/api/tickets", {
      ticket_id: id,
      repo_url: suite.bare,
      secrets: { forge_token: TOKEN },
      ...extra,
    });
  }

  async function run(id: string, body: Record<string, unknown>, answer: "run" | "reject" = "run") {
    const r = await runTicket(suite.backend, id, { secrets: { forge_token: TOKEN }, ...body }, answer);
    allEvents.push(...r.events);
    return r;
  }

  test("bad ids and addresses are refused and nothing is cloned", async () => {
    const bad: [Record<string, unknown>, number, string?][] = [
      [{ ticket_id: "../x", repo_url: suite.bare }, 400],
      [{ ticket_id: "a".repeat(65), repo_url: suite.bare }, 400],
      [{ ticket_id: "ok1", repo_url: "ext::sh -c touch% /tmp/aicockpit-pwned" }, 400, "TICKET_REPO_REFUSED"],
      [{ ticket_id: "ok2", repo_url: "--upload-pack=touch /tmp/aicockpit-pwned" }, 400, "TICKET_REPO_REFUSED"],
      [{ ticket_id: "ok3", repo_url: "../acme/widget.git" }, 400, "TICKET_REPO_REFUSED"],
      [{ ticket_id: "ok4", repo_url: `${suite.dir}/acme/../acme/widget.git` }, 400, "TICKET_REPO_REFUSED"],
      [{ ticket_id: "ok5", repo_url: "ssh://-oProxyCommand=touch%20/tmp/x/repo" }, 400, "TICKET_REPO_REFUSED"],
      [{ ticket_id: "ok6", repo_url: "https://user:pw@github.com/acme/widget.git" }, 400, "TICKET_REPO_REFUSED"],
      [{ ticket_id: "ok7", repo_url: suite.bare, base_branch: "--orphan" }, 400],
    ];
    for (const [body, status, code] of bad) {
      const r = await suite.backend.call<{ error: { code: string } }>("POST", "/api/tickets", body);
      assert.equal(r.status, status, JSON.stringify(body));
      if (code) assert.equal(r.body.error.code, code);
    }
    assert.equal(existsSync("/tmp/aicockpit-pwned"), false);
    assert.deepEqual(existsSync(suite.root) ? readdirSync(suite.root) : [], []);
  });

  test("create clones on ticket_<id>; re-create fetches and fast-forwards", async () => {
    const r = await create("T1");
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, "created");
    assert.equal(r.body.branch, "ticket_T1");
    assert.equal(sh(r.body.path, "rev-parse", "--abbrev-ref", "HEAD"), "ticket_T1");
    assert.ok(existsSync(join(suite.root, "T1", "lib.js")));
    // Someone pushes ticket_T1 to the remote: re-creating fast-forwards the local branch to it.
    const other = join(suite.dir, "other");
    sh(suite.dir, "clone", "--quiet", suite.bare, other);
    sh(other, "checkout", "--quiet", "-b", "ticket_T1");
    writeFileSync(join(other, "README.md"), "hello\n");
    sh(other, "add", ".");
    sh(other, "commit", "--quiet", "-m", "readme");
    sh(other, "push", "--quiet", "origin", "ticket_T1");
    const again = await create("T1");
    assert.equal(again.body.status, "updated");
    assert.match(again.body.message, /fast-forwarded/);
    assert.ok(existsSync(join(suite.root, "T1", "README.md")));
    const list = await suite.backend.call<{ tickets: { ticket_id: string }[] }>("GET", "/api/tickets");
    assert.deepEqual(
      list.body.tickets.map((t) => t.ticket_id),
      ["T1"],
    );
  });

  test("chat answers with read-only tools whose results reach the model", async () => {
    suite.ai.reset();
    suite.ai.enqueue(call("search", { pattern: "exports\\.add" }), { text: "add() lives in lib.js and subtracts." });
    const { events, end } = await run("T1", { action: "chat", message: "Where is add defined?" });
    assert.equal(end.type, "end");
    assert.equal(end.type === "end" && end.status, "completed");
    const result = events.find((e) => e.type === "tool_result");
    assert.ok(result && result.type === "tool_result" && result.ok && /lib\.js:1:/.test(result.output));
    const reqs = suite.ai.completionRequests();
    assert.match(toolMessages(reqs[1]!)[0]!, /lib\.js:1:exports\.add/);
    // Only read tools were offered.
    const tools = (reqs[0]!.body as { tools: { function: { name: string } }[] }).tools.map((t) => t.function.name);
    assert.deepEqual(tools.sort(), ["finish", "list_files", "read_file", "search"]);
    assert.equal(
      events
        .filter((e) => e.type === "token")
        .map((e) => (e.type === "token" ? e.text : ""))
        .join(""),
      "add() lives in lib.js and subtracts.",
    );
    // Events are in order, gap-free.
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
  });

  test("make_plan writes .aicockpit/plan.md, commits it on the branch and streams it", async () => {
    suite.ai.reset();
    const plan = "# Plan\n\n1. Make add() add in lib.js.\n2. Run npm test.";
    suite.ai.enqueue(call("list_files", {}), finish(plan));
    const { events, end } = await run("T1", { action: "make_plan", message: "add() is wrong" });
    assert.equal(end.type === "end" && end.status, "completed", JSON.stringify(end));
    const p = events.find((e) => e.type === "plan");
    assert.ok(p && p.type === "plan" && p.text === plan && p.path === ".aicockpit/plan.md");
    assert.equal(readFileSync(join(suite.root, "T1", ".aicockpit/plan.md"), "utf8"), `${plan}\n`);
    assert.equal(sh(join(suite.root, "T1"), "log", "-1", "--format=%s"), "Plan for ticket T1");
    assert.equal(sh(join(suite.root, "T1"), "status", "--porcelain"), "");
  });

  test("dev: edits, a failing test fed back, a fix, review, commit, push and a draft PR", async () => {
    suite.ai.reset();
    suite.ai.enqueue(
      call("read_file", { path: "lib.js" }),
      call("edit_file", { path: "lib.js", old_str: "a - b", new_str: "a * b" }),
      finish("Changed the operator."),
      // fix_tests turn: sees the failure
      call("edit_file", { path: "lib.js", old_str: "a * b", new_str: "a + b" }),
      { text: "Fixed: add() now adds." },
      // review turn: the commit message
      finish("Make add() add instead of subtract\n\nadd(2, 3) returned -1; it now returns 5."),
    );
    const { events, end } = await run("T1", { action: "dev", message: "Fix add()" });
    assert.equal(end.type === "end" && end.status, "completed", JSON.stringify(events.slice(-4)));
    const tests = events.filter((e) => e.type === "test_result");
    assert.deepEqual(
      tests.map((t) => t.type === "test_result" && [t.round, t.command, t.passed]),
      [
        [1, "npm test", false],
        [2, "npm test", true],
      ],
    );
    // The failure reached the model in the fix turn.
    const fixTurn = suite.ai.completionRequests()[3]!;
    assert.match(JSON.stringify(fixTurn.body), /add\(2, 3\) gave 6, expected 5/);
    // Commands on this machine were confirmed first (the test runs).
    assert.equal(events.filter((e) => e.type === "confirm").length, 2);
    const diff = events.find((e) => e.type === "diff");
    assert.ok(
      diff &&
        diff.type === "diff" &&
        diff.files.includes("lib.js") &&
        /\+exports\.add = \(a, b\) => a \+ b;/.test(diff.patch),
    );
    const commit = events.find((e) => e.type === "commit");
    assert.ok(commit && commit.type === "commit");
    assert.equal(sh(suite.bare, "rev-parse", "refs/heads/ticket_T1"), commit.sha, "the commit landed in the remote");
    assert.equal(sh(suite.bare, "log", "-1", "--format=%s", "ticket_T1"), "Make add() add instead of subtract");
    assert.ok(events.some((e) => e.type === "push"));
    const pr = events.find((e) => e.type === "pr");
    assert.ok(pr && pr.type === "pr" && pr.created && pr.draft);
    assert.equal(end.type === "end" && end.pr_url, pr.url);
    // The GitHub contract: method, path, auth header, body.
    const post = suite.forge.calls.find((c) => c.method === "POST")!;
    assert.equal(post.path, "/repos/acme/widget/pulls");
    assert.equal(post.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(post.headers.accept, "application/vnd.github+json");
    const body = post.body as Record<string, unknown>;
    assert.equal(body.head, "ticket_T1");
    assert.equal(body.base, "main");
    assert.equal(body.draft, true);
    assert.equal(body.title, "Make add() add instead of subtract");
    // Every step left a checkpoint.
    const refs = sh(
      join(suite.root, "T1"),
      "for-each-ref",
      "--format=%(refname)",
      `refs/aicockpit/${events[0]!.run_id}/`,
    );
    assert.equal(refs.split("\n").length, 3);

    // A second dev run: the PR exists → its URL.
    suite.ai.reset();
    suite.ai.enqueue(
      call("edit_file", { path: "README.md", old_str: "hello", new_str: "hello, widget" }),
      finish("readme"),
      finish("Say hello to the widget"),
    );
    const second = await run("T1", { action: "dev", message: "Greet" });
    const pr2 = second.events.find((e) => e.type === "pr");
    assert.ok(pr2 && pr2.type === "pr" && !pr2.created && pr2.url === pr.url, JSON.stringify(second.events.slice(-3)));
    assert.ok(suite.forge.calls.some((c) => c.method === "GET" && c.path.includes("head=acme%3Aticket_T1")));
  });

  test("the token is in no URL, log, event or git config", async () => {
    const repo = join(suite.root, "T1");
    assert.ok(allEvents.length > 20);
    assert.ok(!JSON.stringify(allEvents).includes(TOKEN));
    assert.ok(!suite.backend.stderr().includes(TOKEN) && !suite.backend.stdout().includes(TOKEN));
    assert.ok(!readFileSync(join(repo, ".git", "config"), "utf8").includes(TOKEN));
    assert.ok(!sh(repo, "remote", "-v").includes(TOKEN));
    assert.ok(!sh(repo, "log", "--all", "--format=%B").includes(TOKEN));
    const logs = readdirSync(join(suite.backend.dataDir, "tickets", "T1", "runs"));
    for (const f of logs)
      assert.ok(!readFileSync(join(suite.backend.dataDir, "tickets", "T1", "runs", f), "utf8").includes(TOKEN));
  });

  test("a dirty tree is refused with 409; dirty: commit keeps it as the user's commit", async () => {
    writeFileSync(join(suite.root, "T1", "notes.txt"), "mine\n");
    const r = await suite.backend.call<{ error: { code: string; message: string } }>(
      "POST",
      "/api/tickets/T1/command",
      {
        action: "chat",
        message: "hi",
      },
    );
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, "TICKET_DIRTY_TREE");
    assert.match(r.body.error.message, /\(notes\.txt\)/, "the message names the user's file");
    assert.equal(readFileSync(join(suite.root, "T1", "notes.txt"), "utf8"), "mine\n");
    suite.ai.reset();
    suite.ai.enqueue({ text: "Hi." });
    const { events } = await run("T1", { action: "chat", message: "hi", dirty: "commit" });
    assert.ok(events.some((e) => e.type === "commit"));
    assert.equal(sh(join(suite.root, "T1"), "show", "HEAD:notes.txt"), "mine");
  });

  test("SSE resumes after a dropped connection with nothing lost or repeated; a second action gets 409", async () => {
    suite.ai.reset();
    const words = Array.from({ length: 40 }, (_, i) => `w${i} `);
    suite.ai.enqueue({ chunks: words, chunkDelayMs: 25 });
    const r = await suite.backend.call<TicketRunView>("POST", "/api/tickets/T1/command", {
      action: "chat",
      message: "talk",
    });
    const id = r.body.run_id;
    const busy = await suite.backend.call<{ error: { code: string } }>("POST", "/api/tickets/T1/command", {
      action: "chat",
      message: "again",
    });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, "TICKET_RUN_ACTIVE");
    const first = follow(suite.backend, "T1", id);
    await waitUntil("a few tokens", () => first.events.filter((e) => e.type === "token").length >= 5 || undefined);
    first.abort();
    await first.ended;
    const last = first.events.at(-1)!.seq;
    const rest: Follow = follow(suite.backend, "T1", id, { lastId: last });
    await rest.ended;
    const seqs = [...first.events, ...rest.events].map((e) => e.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
    );
    const whole = follow(suite.backend, "T1", id);
    await whole.ended;
    assert.deepEqual(whole.events, [...first.events, ...rest.events]);
    assert.equal(
      rest.events
        .concat(first.events)
        .filter((e) => e.type === "token")
        .map((e) => (e.type === "token" ? e.text : ""))
        .sort()
        .join(""),
      [...words].sort().join(""),
    );
  });

  test("cancel stops the agent and kills the command it started", async () => {
    suite.ai.reset();
    const pidFile = join(suite.dir, "cmd.pid");
    suite.ai.enqueue(call("run_command", { command: `echo $$ > ${pidFile}; exec sleep 300` }));
    const r = await suite.backend.call<TicketRunView>("POST", "/api/tickets/T1/command", {
      action: "dev",
      message: "hang",
    });
    const f = follow(suite.backend, "T1", r.body.run_id);
    await waitUntil("the command to start", () => existsSync(pidFile) || undefined);
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    await waitUntil("the pid", () => pid > 0 || undefined);
    const c = await suite.backend.call<TicketRunView>("POST", `/api/tickets/T1/runs/${r.body.run_id}/cancel`);
    assert.equal(c.status, 200);
    await f.ended;
    const end = f.events.at(-1)!;
    assert.equal(end.type === "end" && end.status, "cancelled");
    assert.throws(() => process.kill(pid, 0), "the command's process is gone");
    assert.equal(sh(join(suite.root, "T1"), "rev-parse", "--abbrev-ref", "HEAD"), "ticket_T1");
  });

  test("a step budget and the stuck detector stop the run and keep the branch", async () => {
    suite.ai.reset();
    suite.ai.setDefault(call("list_files", { depth: 1 }));
    const budget = await run("T1", { action: "chat", message: "loop", budgets: { maxSteps: 3 } });
    assert.equal(budget.end.type === "end" && budget.end.status, "stopped");
    assert.equal(budget.end.type === "end" && budget.end.stop_reason, "steps");
    assert.match(budget.end.type === "end" ? budget.end.message : "", /ticket_T1 .* kept/);
    const b = budget.events.filter((e) => e.type === "budget").at(-1);
    assert.ok(b && b.type === "budget" && b.steps_used === 3 && b.steps_max === 3);

    suite.ai.reset();
    suite.ai.setDefault(call("read_file", { path: "missing.txt" }));
    const stuck = await run("T1", { action: "chat", message: "loop" });
    assert.equal(stuck.end.type === "end" && stuck.end.stop_reason, "stuck");
    assert.match(stuck.end.type === "end" ? stuck.end.message : "", /failed 3 times/);
    suite.ai.setDefault({ echo: "last-user" });
    const detail = await suite.backend.call<TicketDetail>("GET", "/api/tickets/T1");
    assert.equal(detail.body.branch, "ticket_T1");
    assert.equal(sh(suite.bare, "rev-parse", "--verify", "refs/heads/ticket_T1").length, 40);
    assert.equal(detail.body.active_run, undefined);
  });

  test("after a restart an unfinished run is interrupted", async () => {
    const data = suite.backend.dataDir;
    suite.ai.reset();
    suite.ai.enqueue({ text: "slow", latencyMs: 20_000 });
    const r = await suite.backend.call<TicketRunView>("POST", "/api/tickets/T1/command", {
      action: "chat",
      message: "  Why is add() wrong?  ",
    });
    // The run keeps what the user asked (the panel shows it above the run), also after a restart.
    assert.equal(r.body.message, "Why is add() wrong?");
    await suite.ai.waitForRequests(1);
    suite.backend.child.kill("SIGKILL");
    await suite.backend.exited;
    suite.backend = await startBackend({ dataDir: data, env: suite.env });
    const v = await suite.backend.call<TicketRunView>("GET", `/api/tickets/T1/runs/${r.body.run_id}`);
    assert.equal(v.body.status, "interrupted");
    assert.equal(v.body.message, "Why is add() wrong?");
    const f = follow(suite.backend, "T1", r.body.run_id);
    await f.ended;
    assert.equal(f.events.at(-1)!.type, "end");
    // A new action may start.
    suite.ai.enqueue({ text: "back" });
    const again = await run("T1", { action: "chat", message: "hello" });
    assert.equal(again.end.type === "end" && again.end.status, "completed");
  });
});
