/**
 * What a user relies on when a ticket run does not go to plan: the forge refusing the pull
 * request (401, 403 rate limit, 403 SAML SSO, 422 validation) says why and keeps the pushed
 * branch; a command the user declines never runs and the agent is told "declined by the
 * user"; every step's checkpoint holds exactly that step's tree and restores it. Real backend,
 * real git with a local bare remote, the scripted model, the local GitHub stand-in.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CreateTicketResponse } from "../../server/api/tickets";
import { runTicket, ticketSuite } from "./helpers/ticket-suite";
import { sh, type ForgeFailure } from "./helpers/tickets";

const TOKEN = "ghp_SafetySecret0123456789abcdef";
const call = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });
const finish = (summary: string) => call("finish", { summary });

describe("tickets when things go wrong", () => {
  const suite = ticketSuite("aicockpit-tickets-safety-");

  async function create(id: string): Promise<string> {
    const r = await suite.backend.call<CreateTicketResponse>("POST", "/api/tickets", {
      ticket_id: id,
      repo_url: suite.bare,
      secrets: { forge_token: TOKEN },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.path;
  }

  const run = (id: string, body: Record<string, unknown>, answer: "run" | "reject" = "run") =>
    runTicket(suite.backend, id, { secrets: { forge_token: TOKEN }, ...body }, answer);

  /** A dev run whose one edit makes the tests pass, so it reaches the pull request. */
  function scriptFixingDev(): void {
    suite.ai.reset();
    suite.ai.enqueue(
      call("edit_file", { path: "lib.js", old_str: "a - b", new_str: "a + b" }),
      finish("Fixed add()."),
      finish("Make add() add"),
    );
  }

  const refusals: [string, ForgeFailure, string, RegExp][] = [
    [
      "401 bad credentials",
      { status: 401, json: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } },
      "FORGE_AUTH_FAILED",
      /rejected the token \(401: Bad credentials\)/,
    ],
    [
      "403 rate limit",
      {
        status: 403,
        json: { message: "API rate limit exceeded for user ID 1." },
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1893456000" },
      },
      "FORGE_FORBIDDEN",
      /rate limit is exhausted \(403: API rate limit exceeded/,
    ],
    [
      "403 SAML SSO",
      {
        status: 403,
        json: {
          message:
            "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.",
        },
        headers: { "x-github-sso": "required; url=https://github.com/orgs/acme/sso?authorization_request=abc" },
      },
      "FORGE_FORBIDDEN",
      /enforces SAML single sign-on/,
    ],
    [
      "422 validation",
      {
        status: 422,
        json: {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", field: "base", code: "invalid" }],
        },
      },
      "FORGE_REJECTED",
      /422 validation failed\): Validation Failed; base: invalid/,
    ],
  ];

  for (const [i, [name, failure, code, message]] of refusals.entries()) {
    test(`a forge answering ${name}: a clear error, the commit pushed, the branch kept`, async () => {
      const id = `F${i}`;
      const path = await create(id);
      scriptFixingDev();
      suite.forge.failNext(failure);
      const before = suite.forge.calls.length;
      const { events, end } = await run(id, { action: "dev", message: "Fix add()" }, "reject");
      assert.equal(end.status, "failed", JSON.stringify(events.slice(-4)));
      const err = events.find((e) => e.type === "error");
      assert.ok(err && err.type === "error", "an error event");
      assert.equal(err.error.code, code);
      assert.match(err.error.message, message);
      assert.match(err.error.message, new RegExp(`pushed to ticket_${id}, which is kept`));
      assert.ok(err.error.hint, "with a hint on what to do");
      assert.ok(end.branch_kept);
      assert.equal(
        events.some((e) => e.type === "pr"),
        false,
      );
      // The request itself kept the GitHub contract; the commit is on the remote and on the local branch.
      const post = suite.forge.calls.slice(before).find((c) => c.method === "POST")!;
      assert.equal(post.path, "/repos/acme/widget/pulls");
      assert.equal(post.headers.authorization, `Bearer ${TOKEN}`);
      const commit = events.find((e) => e.type === "commit");
      assert.ok(commit && commit.type === "commit");
      assert.equal(sh(suite.bare, "rev-parse", `refs/heads/ticket_${id}`), commit.sha);
      assert.equal(sh(path, "rev-parse", "HEAD"), commit.sha);
      assert.equal(sh(path, "rev-parse", "--abbrev-ref", "HEAD"), `ticket_${id}`);
      assert.ok(!JSON.stringify(events).includes(TOKEN));
    });
  }

  test("after a refused pull request, Dev again opens it; once more finds the existing one", async () => {
    // F3's pull request was refused (422); a later run with a change reaches the forge again.
    suite.ai.reset();
    suite.ai.enqueue(
      call("edit_file", { path: "lib.js", old_str: "a + b", new_str: "b + a" }),
      finish("Commutative."),
      finish("Write add() as b + a"),
    );
    const first = await run("F3", { action: "dev", message: "style" }, "reject");
    assert.equal(first.end.status, "completed", JSON.stringify(first.events.slice(-3)));
    const pr = first.events.find((e) => e.type === "pr");
    assert.ok(pr && pr.type === "pr" && pr.created);
    suite.ai.reset();
    suite.ai.enqueue(
      call("edit_file", { path: "lib.js", old_str: "b + a", new_str: "a + b" }),
      finish("Back."),
      finish("Write add() as a + b again"),
    );
    const second = await run("F3", { action: "dev", message: "style back" }, "reject");
    const again = second.events.find((e) => e.type === "pr");
    assert.ok(again && again.type === "pr" && !again.created && again.url === pr.url);
    assert.equal(second.end.pr_url, pr.url);
  });

  test("a declined command never runs; the agent is told and the run goes on", async () => {
    const path = await create("D1");
    const marker = join(path, "command-ran");
    const testsRan = join(path, "tests-ran");
    suite.ai.reset();
    suite.ai.enqueue(
      call("run_command", { command: `touch ${marker}` }),
      // Make the project's tests leave a mark, so a declined test run is provably not run.
      call("edit_file", {
        path: "test.js",
        old_str: 'const { add } = require("./lib.js");',
        new_str: `require("fs").writeFileSync(${JSON.stringify(testsRan)}, "");\nconst { add } = require("./lib.js");`,
      }),
      call("edit_file", { path: "lib.js", old_str: "a - b", new_str: "a + b" }),
      finish("Fixed add() without running anything."),
      finish("Make add() add"),
    );
    const { events, end } = await run("D1", { action: "dev", message: "Fix add()", open_pr: false }, "reject");
    assert.equal(end.status, "completed", JSON.stringify(events.slice(-3)));
    // Two confirmations (the agent's command and the project's tests), both declined.
    const asked = events.filter((e) => e.type === "confirm");
    assert.deepEqual(
      asked.map((e) => e.type === "confirm" && e.pending.command),
      [`touch ${marker}`, "npm test"],
    );
    const result = events.find((e) => e.type === "tool_result" && e.tool === "run_command");
    assert.ok(result && result.type === "tool_result" && !result.ok);
    assert.match(result.output, /declined by the user/);
    // The model saw the refusal as the command's observation.
    const seen = JSON.stringify(suite.ai.completionRequests()[1]!.body);
    assert.match(seen, /declined by the user/);
    assert.equal(existsSync(marker), false, "the declined command did not run");
    assert.equal(existsSync(testsRan), false, "the declined tests did not run");
    assert.equal(
      events.some((e) => e.type === "test_result"),
      false,
    );
    assert.match(end.message, /tests \(`npm test`\) were not run: the user declined/);
    // The run went on: the agent's edits are committed and pushed.
    assert.equal(sh(suite.bare, "show", "ticket_D1:lib.js"), "exports.add = (a, b) => a + b;");
  });

  test("every step's checkpoint holds that step's tree, even with back-to-back edits, and restores it", async () => {
    const path = await create("C1");
    suite.ai.reset();
    suite.ai.enqueue(
      call("edit_file", { path: "notes.txt", new_str: "v1\n", create: true }),
      call("read_file", { path: "notes.txt" }),
      call("edit_file", { path: "notes.txt", old_str: "v1", new_str: "v2" }),
      call("edit_file", { path: "notes.txt", old_str: "v2", new_str: "v3" }),
      call("list_files", {}),
      call("edit_file", { path: "notes.txt", old_str: "v3", new_str: "v4" }),
      call("edit_file", { path: "lib.js", old_str: "a - b", new_str: "a + b" }),
      finish("Notes written."),
      finish("Write notes"),
    );
    const { run: started, end } = await run("C1", { action: "dev", message: "notes", open_pr: false });
    assert.equal(end.status, "completed");
    const at = (n: number, file: string) => sh(path, "show", `refs/aicockpit/${started.run_id}/${n}:${file}`);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => at(n, "notes.txt")),
      ["v1", "v1", "v2", "v3", "v3", "v4", "v4"],
    );
    assert.deepEqual(
      [6, 7].map((n) => at(n, "lib.js")),
      ["exports.add = (a, b) => a - b;", "exports.add = (a, b) => a + b;"],
    );
    // Checkpoints never moved the branch, the index or the files.
    assert.equal(sh(path, "status", "--porcelain"), "");
    // Restoring step 3 gives its files back.
    sh(path, "checkout", `refs/aicockpit/${started.run_id}/3`, "--", ".");
    assert.equal(readFileSync(join(path, "notes.txt"), "utf8"), "v2\n");
    assert.equal(readFileSync(join(path, "lib.js"), "utf8"), "exports.add = (a, b) => a - b;\n");
    assert.equal(sh(path, "rev-parse", "--abbrev-ref", "HEAD"), "ticket_C1");
    sh(path, "checkout", "HEAD", "--", ".");
  });
});
