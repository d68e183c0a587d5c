/**
 * E2E: ticket agents in a real VS Code, with the built-in agent on the scripted model, real
 * git with a local bare repository as the remote, and a local HTTP server standing in for
 * the GitHub REST API (its URL in aicockpit.tickets.githubApiUrl).
 *  1. The opened folder is a git clone of the bare repo. "AiCockpit: Set GitHub Token" stores
 *     the token. The Tickets view's "New Ticket…" asks for the id, offers the folder's remote
 *     as the repository, and the backend clones it on branch ticket_<id>.
 *  2. Make Plan: the run panel opens and streams the model's text, the tool call with its
 *     result, and the plan.
 *  3. Dev: the model's edit lands; the panel shows the diff, the commit, the push and the
 *     draft PR link; the commit is in the bare remote on ticket_<id>; the fake GitHub got the
 *     PR request with the token in its Authorization header only.
 *  4. Reload the window: the run panel comes back and shows the whole run again.
 *  5. Chat on a folder with the user's uncommitted file: a modal asks first; "Commit My Changes
 *     and Start" makes it the user's own commit, then the answer streams into the run panel.
 *  6. Dev whose agent asks for two commands: Reject the first (the panel shows it was declined
 *     by the user, nothing ran), Run the second (its output shows; its file is committed).
 * Screenshots land in .test-artifacts/e2e/ (look at them).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FrameLocator } from "playwright-core";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type VSCodeSession } from "./harness";

const MODEL = "scripted-agent-7b";
const TICKET = "DEMO-1";
const BRANCH = `ticket_${TICKET}`;
const TOKEN = "ghp_e2eTokenNeverInAUrl0123456789";
const PR_URL = "https://github.example/acme/demo/pull/7";
const PLAN = "## Plan\n\n1. Add a friendly greeting line to README.md.\n2. Keep the title as it is.\n";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=E2E", "-c", "user.email=e2e@aicockpit.invalid", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();

interface PullRequest {
  method: string;
  path: string;
  auth: string | undefined;
  body: { title?: string; head?: string; base?: string; draft?: boolean; body?: string };
}

/** The GitHub REST API as far as a draft PR needs it: list (none yet) and create. */
async function fakeGitHub(): Promise<{ url: string; requests: PullRequest[]; server: Server }> {
  const requests: PullRequest[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const path = req.url ?? "";
      let body: PullRequest["body"] = {};
      try {
        body = raw ? (JSON.parse(raw) as PullRequest["body"]) : {};
      } catch {
        /* recorded as empty */
      }
      requests.push({ method: req.method ?? "", path, auth: req.headers.authorization, body });
      res.setHeader("content-type", "application/json");
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.statusCode = 401;
        res.end(JSON.stringify({ message: "Bad credentials" }));
      } else if (req.method === "GET" && path.startsWith("/repos/acme/demo/pulls")) {
        res.end("[]");
      } else if (req.method === "POST" && path === "/repos/acme/demo/pulls") {
        res.statusCode = 201;
        res.end(JSON.stringify({ html_url: PR_URL, number: 7, draft: true }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: "Not Found" }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

describe("E2E: ticket agents (Tickets view, Make Plan, Dev, PR, reload)", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let gh: Awaited<ReturnType<typeof fakeGitHub>> | undefined;
  let vs: VSCodeSession | undefined;
  let root = "";
  let bare = "";

  before(async () => {
    skip = e2eSkipReason("tickets.test.ts");
    if (skip) return;
    root = mkdtempSync(join(tmpdir(), "aic-e2e-tickets-"));
    // The remote: a bare repository whose path names the forge's owner/repo (acme/demo).
    bare = join(root, "acme", "demo.git");
    mkdirSync(bare, { recursive: true });
    git(bare, "init", "-q", "--bare", "-b", "main");
    const seed = join(root, "seed");
    mkdirSync(seed);
    git(seed, "init", "-q", "-b", "main");
    writeFileSync(join(seed, "README.md"), "# Demo\n\nA small demo project.\n");
    git(seed, "add", ".");
    git(seed, "commit", "-qm", "Initial commit");
    git(seed, "push", "-q", bare, "main");
    ai = await startScriptedAI({ models: [MODEL] });
    // Any model call the test did not script (the review, which also gives the commit message): a short plain answer.
    ai.setDefault({ text: "Add a friendly greeting to the README" });
    gh = await fakeGitHub();
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
    gh?.server.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test(
    "create a ticket from the view, Make Plan streams, Dev commits, pushes and opens a draft PR",
    {
      timeout: 600_000,
    },
    async (t) => {
      if (skip || !ai || !gh) return t.skip(skip);
      vs = await startVSCode({
        name: "tickets",
        settings: {
          "aicockpit.provider.kind": "custom",
          "aicockpit.provider.baseUrl": `${ai.url}/v1`,
          "aicockpit.provider.model": MODEL,
          "aicockpit.tickets.allowLocalRepositories": true,
          "aicockpit.tickets.githubApiUrl": gh.url,
        },
        workspaceFiles: { "README.md": "# Demo\n\nA small demo project.\n" },
      });
      const page = vs.page;
      // The opened folder becomes a clone of the bare repository (its remote is what New Ticket offers).
      git(vs.workspaceDir, "init", "-q", "-b", "main");
      git(vs.workspaceDir, "remote", "add", "origin", bare);
      git(vs.workspaceDir, "fetch", "-q", "origin");
      git(vs.workspaceDir, "reset", "-q", "origin/main");
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);

      const quick = page.locator(".quick-input-widget");
      const answer = async (text: string | undefined) => {
        await quick.locator("input").first().waitFor({ state: "visible", timeout: 15_000 });
        await sleep(250);
        if (text !== undefined) {
          await page.keyboard.press("Control+A");
          await page.keyboard.type(text);
        }
        await page.keyboard.press("Enter");
      };

      // ---- 0. the GitHub token into SecretStorage
      let mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Set GitHub Token");
      await answer(TOKEN);
      await vs.waitForReport((e) => e.event === "ticket-secret-set" && e.kind === "githubToken", 15_000, mark);

      // ---- the AiCockpit side bar: Tickets open, the other views folded away
      await vs.showAiCockpitSideBar();
      const header = page.locator(".pane-header", { hasText: /^Tickets/i }).first();
      await header.waitFor({ timeout: 20_000 });
      for (const other of [/^Chat/i, /^Workspaces/i, /^Remote Hosts/i, /^Tasks/i]) {
        const h = page.locator(".pane-header", { hasText: other }).first();
        if ((await h.count()) > 0 && (await h.getAttribute("aria-expanded")) === "true") await h.click();
      }
      if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
      await page.getByRole("treeitem", { name: /New ticket/ }).waitFor({ timeout: 30_000 });
      await vs.screenshot("tickets-empty");

      // ---- 1. New Ticket… from the view's title: id, then the folder's remote as the repository
      mark = vs.readReport().length;
      await header.hover();
      await header.locator('.actions a[aria-label^="New Ticket"]').click();
      await quick.locator(".quick-input-title", { hasText: "ticket id" }).waitFor({ timeout: 15_000 });
      await answer(TICKET);
      await quick.locator(".quick-input-title", { hasText: "repository" }).waitFor({ timeout: 15_000 });
      await sleep(300);
      assert.equal(await quick.locator("input").first().inputValue(), bare, "the folder's git remote is offered");
      await vs.screenshot("new-ticket-repository");
      await answer(undefined);
      const created = await vs.waitForReport((e) => e.event === "ticket-created", 60_000, mark);
      assert.equal(created.status, "created");
      assert.equal(created.branch, BRANCH);
      const row = page.getByRole("treeitem", { name: new RegExp(`^${TICKET}`) }).first();
      await row.waitFor({ timeout: 20_000 });
      await vs.runCommand("Notifications: Clear All Notifications").catch(() => undefined);

      /** Runs one of the ticket row's inline actions (shown on hover). */
      const inline = async (label: string) => {
        await row.hover();
        const action = page
          .locator(".monaco-list-row", { hasText: TICKET })
          .first()
          .locator(`.actions a[aria-label^="${label}"]`);
        await action.waitFor({ timeout: 10_000 });
        await action.click();
      };
      const panel = (): FrameLocator => page.frameLocator(".webview.ready").last().frameLocator("#active-frame");

      // ---- 2. Make Plan: the model looks at the files (text streams first), then finishes with the plan
      ai.enqueue(
        {
          chunks: ["Let me ", "look at ", "the project ", "files first."],
          chunkDelayMs: 400,
          toolCalls: [{ name: "list_files", arguments: { path: "." } }],
        },
        {
          chunks: ["Here is ", "the plan."],
          chunkDelayMs: 300,
          toolCalls: [{ name: "finish", arguments: { summary: PLAN } }],
        },
      );
      mark = vs.readReport().length;
      await inline("Ticket: Make Plan");
      await quick.locator(".quick-input-title", { hasText: "Make Plan" }).waitFor({ timeout: 15_000 });
      await answer("Add a friendly greeting to the README");
      const planRun = await vs.waitForReport((e) => e.event === "ticket-run-started", 30_000, mark);
      assert.equal(planRun.action, "make_plan");
      let frame = panel();
      await frame.locator(".text", { hasText: "Let me look" }).first().waitFor({ timeout: 60_000 });
      await vs.screenshot("plan-streaming");
      const planEnd = await vs.waitForReport(
        (e) => e.event === "ticket-run-end" && e.run === planRun.run,
        180_000,
        mark,
      );
      assert.equal(planEnd.status, "completed");
      await frame.locator("details", { hasText: "list_files" }).first().waitFor({ timeout: 10_000 });
      await frame.locator(".card.plan pre", { hasText: "friendly greeting line" }).waitFor({ timeout: 10_000 });
      await frame.locator("#end", { hasText: "Finished" }).waitFor({ timeout: 10_000 });
      await vs.screenshot("plan-done");

      // ---- 3. Dev: the model edits README.md, then finishes; the run commits, pushes, opens the PR
      ai.enqueue(
        {
          chunks: ["I will add ", "the greeting."],
          chunkDelayMs: 200,
          toolCalls: [
            {
              name: "edit_file",
              arguments: {
                path: "README.md",
                old_str: "A small demo project.",
                new_str: "A small demo project.\n\nHello from AiCockpit!",
              },
            },
          ],
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "Added a greeting line to README.md." } }] },
      );
      mark = vs.readReport().length;
      await inline("Ticket: Dev");
      const devRun = await vs.waitForReport((e) => e.event === "ticket-run-started", 30_000, mark);
      assert.equal(devRun.action, "dev");
      frame = panel();
      await frame.locator("details", { hasText: "edit_file" }).first().waitFor({ timeout: 60_000 });
      const devEnd = await vs.waitForReport((e) => e.event === "ticket-run-end" && e.run === devRun.run, 240_000, mark);
      assert.equal(devEnd.status, "completed", JSON.stringify(devEnd));
      assert.equal(devEnd.pr, PR_URL);
      await frame.locator(".card.commit").first().waitFor({ timeout: 10_000 });
      await frame.locator(".card.pr a", { hasText: PR_URL }).waitFor({ timeout: 10_000 });
      await frame.locator("details", { hasText: "Diff" }).first().waitFor({ timeout: 10_000 });
      await page.mouse.move(5, 5);
      await vs.screenshot("dev-done-pr");

      // the commit is in the bare remote, on the ticket branch, with the model's edit
      assert.match(git(bare, "show", `${BRANCH}:README.md`), /Hello from AiCockpit!/);
      assert.match(git(bare, "show", `${BRANCH}:.aicockpit/plan.md`), /friendly greeting line/, "the plan went along");
      assert.equal(git(bare, "show", "main:README.md").includes("Hello"), false, "main is untouched");
      const prs = gh.requests.filter((r) => r.method === "POST");
      assert.equal(prs.length, 1);
      assert.equal(prs[0]?.path, "/repos/acme/demo/pulls");
      assert.equal(prs[0]?.auth, `Bearer ${TOKEN}`);
      assert.equal(prs[0]?.body.draft, true);
      assert.equal(prs[0]?.body.head, BRANCH);
      assert.equal(prs[0]?.body.base, "main");
      for (const r of gh.requests) assert.ok(!r.path.includes(TOKEN), "the token is never in a URL");
      assert.ok(!git(bare, "log", "--all", "--format=%B").includes(TOKEN), "nor in a commit");

      // the ticket row now has its PR
      await page
        .locator(".monaco-list-row", { hasText: TICKET })
        .first()
        .locator(".label-description", { hasText: "PR" })
        .waitFor({ timeout: 20_000 });

      // ---- 4. reload the window: the run panel comes back with the whole run, read again from its first event
      mark = vs.readReport().length;
      await vs.runCommand("Developer: Reload Window");
      const restored = await vs.waitForReport(
        (e) => e.event === "ticket-run-end" && e.run === devRun.run && e.restored === true,
        120_000,
        mark,
      );
      assert.equal(restored.events, devEnd.events, "the restored panel has every event of the run, none twice");
      assert.equal(restored.pr, PR_URL);
      frame = panel();
      await frame.locator(".card.pr a", { hasText: PR_URL }).waitFor({ timeout: 30_000 });
      await frame.locator("details", { hasText: "edit_file" }).first().waitFor({ timeout: 10_000 });
      await frame.locator(".card.commit").first().waitFor({ timeout: 10_000 });
      await page.mouse.move(5, 5);
      await sleep(500);
      await vs.screenshot("after-reload");

      // ---- 5. Chat with the user's uncommitted file in the ticket's folder: asked first, then their own commit
      const ticketPath = String(created.path);
      writeFileSync(join(ticketPath, "my-notes.txt"), "mine, not the agent's\n");
      ai.enqueue({ chunks: ["The README ", "greets ", "whoever ", "reads it."], chunkDelayMs: 500 });
      mark = vs.readReport().length;
      await inline("Ticket: Chat");
      await quick.locator(".quick-input-title", { hasText: "Chat" }).waitFor({ timeout: 15_000 });
      await answer("What does the README say?");
      await vs.waitForReport((e) => e.event === "ticket-dirty", 30_000, mark);
      const dirtyModal = page.locator(".monaco-dialog-box");
      await dirtyModal.waitFor({ timeout: 15_000 });
      assert.match(await dirtyModal.innerText(), /uncommitted change/);
      assert.match(await dirtyModal.innerText(), /my-notes\.txt/, "the modal names the user's file");
      await vs.screenshot("chat-dirty-tree-question");
      await dirtyModal.locator(".monaco-button", { hasText: /^Commit My Changes and Start$/ }).click();
      const chatRun = await vs.waitForReport((e) => e.event === "ticket-run-started", 30_000, mark);
      assert.equal(chatRun.action, "chat");
      frame = panel();
      await frame.locator(".text", { hasText: "The README" }).first().waitFor({ timeout: 60_000 });
      // The question stays above the answer.
      await frame.locator("#question", { hasText: "You asked" }).waitFor({ timeout: 15_000 });
      assert.equal(await frame.locator("#question .question-text").innerText(), "What does the README say?");
      await vs.screenshot("chat-streaming");
      const chatEnd = await vs.waitForReport(
        (e) => e.event === "ticket-run-end" && e.run === chatRun.run,
        120_000,
        mark,
      );
      assert.equal(chatEnd.status, "completed");
      await frame.locator(".text", { hasText: "The README greets whoever reads it." }).waitFor({ timeout: 10_000 });
      await vs.screenshot("chat-done");
      assert.equal(
        git(ticketPath, "show", "HEAD:my-notes.txt"),
        "mine, not the agent's",
        "committed as the user's own",
      );
      assert.equal(git(ticketPath, "status", "--porcelain"), "", "nothing left behind or discarded");

      // ---- 6. Dev with commands: Reject one (the agent is told it was declined), Run the next (its output shows)
      ai.enqueue(
        { toolCalls: [{ name: "run_command", arguments: { command: "touch rejected-marker" } }] },
        {
          toolCalls: [
            {
              name: "run_command",
              arguments: { command: "echo hello-from-the-command > greeting.txt; cat greeting.txt" },
            },
          ],
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "Wrote greeting.txt." } }] },
      );
      mark = vs.readReport().length;
      await inline("Ticket: Dev");
      const cmdRun = await vs.waitForReport((e) => e.event === "ticket-run-started", 30_000, mark);
      frame = panel();
      const rejectCard = frame.locator(".card.confirm", { hasText: "rejected-marker" });
      await rejectCard.waitFor({ timeout: 60_000 });
      await vs.screenshot("confirm-before-reject");
      await rejectCard.locator("button", { hasText: "Reject" }).click();
      await frame.locator("details", { hasText: "declined by the user" }).first().waitFor({ timeout: 30_000 });
      const runCard = frame.locator(".card.confirm", { hasText: "greeting.txt" });
      await runCard.waitFor({ timeout: 60_000 });
      await runCard.locator("button", { hasText: /^Run/ }).click();
      // The output shows, open, below the card the user clicked (not folded away above it).
      const output = frame.locator("details[open] pre", { hasText: "hello-from-the-command" }).last();
      await output.waitFor({ timeout: 60_000 });
      const below = (await output.boundingBox())!.y > (await runCard.boundingBox())!.y;
      assert.ok(below, "the command's output is below its confirmation card");
      // Answered: no "waits for your confirmation" line stays behind in the log.
      assert.equal(await frame.locator(".status-line", { hasText: "waits for your confirmation" }).count(), 0);
      const cmdEnd = await vs.waitForReport((e) => e.event === "ticket-run-end" && e.run === cmdRun.run, 240_000, mark);
      assert.equal(cmdEnd.status, "completed", JSON.stringify(cmdEnd));
      await page.mouse.move(5, 5);
      await vs.screenshot("confirm-reject-then-run");
      assert.equal(git(bare, "show", `${BRANCH}:greeting.txt`), "hello-from-the-command", "the command that ran");
      assert.ok(
        !git(bare, "ls-tree", "--name-only", BRANCH).split("\n").includes("rejected-marker"),
        "the rejected one never ran",
      );
    },
  );
});
