/**
 * E2E: host tasks in a real VS Code, on the rig's real sshd, the scripted model planning.
 *  1. The rig's SSH host is added (palette: Add SSH Host…) and its key trusted in the modal.
 *  2. "AiCockpit: Run a Task…": pick the SSH host, type the task; a task panel opens.
 *  3. Step 1's command is edited (Edit…) into one the backend assesses as dangerous; the panel
 *     asks again with the new risk, and Run… needs the modal second confirmation. The other
 *     commands are confirmed with Run in the panel; checks run by themselves.
 *     Step 2's command fails on the host; the model's alternative is asked about, run, and the
 *     step passes (its check really finds the file on the host).
 *  4. The panel shows the summary; the task is `completed`.
 *  5. After "Developer: Reload Window" the Tasks view lists the task as completed.
 * Screenshots land in .test-artifacts/e2e/ (look at them).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Frame } from "playwright-core";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startScriptedAI, type RecordedRequest, type ScriptedAI } from "../fixtures/scripted-ai";
import { HostRegistry, SshPool } from "../../server/hosts";
import { tempDir } from "../integration/helpers/backend";
import { e2eSkipReason, startVSCode, type VSCodeSession } from "./harness";

const MODEL = "scripted-tasks-7b";
const HOST_ID = "rig-tasks";
const PROMPT = "put a hello page in a folder and copy it";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("E2E: host tasks", () => {
  let skip: string | undefined;
  let env: InfraEnv | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;
  let pool: SshPool | undefined;
  const dir = `/tmp/aicockpit-e2e-task-${randomBytes(4).toString("hex")}`;
  /** The user's edit of step 1: also removes a (non-existent) folder in the home directory — dangerous. */
  const edited = `rm -rf ~/aicockpit-e2e-old-${randomBytes(3).toString("hex")}; mkdir -p ${dir} && echo hello-e2e > ${dir}/index.html`;

  /** The model: a two-step plan; step 2's first command fails and the alternative works. */
  const answer = (req: RecordedRequest): string => {
    const msgs = (req.body as { messages?: { role: string; content: string }[] } | undefined)?.messages ?? [];
    const sys = msgs[0]?.content ?? "";
    if (sys.startsWith("TASK-PLANNER"))
      return JSON.stringify({
        subtasks: [
          {
            description: "write the page",
            command: `mkdir -p ${dir} && echo hello-e2e > ${dir}/index.html`,
            check: `test -s ${dir}/index.html`,
          },
          {
            description: "copy it",
            command: `cp ${dir}/missing.html ${dir}/copy.html`,
            check: `grep -q hello-e2e ${dir}/copy.html`,
          },
        ],
      });
    if (sys.startsWith("TASK-ALTERNATIVE"))
      return JSON.stringify({
        command: `cp ${dir}/index.html ${dir}/copy.html`,
        explanation: "copy the page that exists",
      });
    if (sys.startsWith("TASK-SUMMARY")) return `Wrote ${dir}/index.html and copied it to copy.html on ${HOST_ID}.`;
    if (sys.startsWith("TASK-HANG")) return "It waits.";
    return "The step did what it should.";
  };

  before(async () => {
    skip = e2eSkipReason("tasks.test.ts");
    if (skip) return;
    env = await requireInfraOrSkip("tasks.test.ts (e2e)");
    if (!env) {
      skip = "no Docker/SSH test infrastructure";
      return;
    }
    ai = await startScriptedAI({ models: [MODEL] });
    ai.setDefault({ echo: answer });
    const reg = new HostRegistry(tempDir("aicockpit-e2e-tasks-"));
    reg.add("rig", {
      host: env.ssh.host,
      port: env.ssh.port,
      user: env.ssh.user,
      auth: { kind: "key", privateKeyPath: env.ssh.keyPath },
      hostFingerprint: env.ssh.hostFingerprint,
    });
    pool = new SshPool(reg);
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
    if (pool) {
      await pool.exec("rig", ["rm", "-rf", dir]).catch(() => undefined);
      pool.close();
    }
  });

  test(
    "run a task on the SSH host from the palette, confirm its steps in the panel, a failed step recovers, the summary; history after a reload",
    { timeout: 600_000 },
    async (t) => {
      if (skip || !env || !ai || !pool) return t.skip(skip);
      vs = await startVSCode({
        name: "tasks",
        env: { DOCKER_HOST: env.dockerHost },
        settings: {
          "aicockpit.provider.kind": "custom",
          "aicockpit.provider.baseUrl": `${ai.url}/v1`,
          "aicockpit.provider.model": MODEL,
        },
        workspaceFiles: { "README.md": "# tasks\n" },
      });
      const page = vs.page;
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);
      const quick = page.locator(".quick-input-widget");
      const type = async (text: string, title?: string) => {
        if (title) await quick.locator(".quick-input-title", { hasText: title }).waitFor({ timeout: 15_000 });
        await quick.locator("input").first().waitFor({ state: "visible", timeout: 15_000 });
        await sleep(250);
        await page.keyboard.press("Control+A");
        if (text !== "") await page.keyboard.type(text);
        await page.keyboard.press("Enter");
      };

      // ---- 1. the rig's SSH host, added and trusted as a user does it
      let mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Add SSH Host");
      await type(env.ssh.host, "Add SSH Host: address");
      await type(String(env.ssh.port), "Add SSH Host: SSH port");
      await type(env.ssh.user, "Add SSH Host: user");
      await quick.locator(".quick-input-title", { hasText: "Add SSH Host: log in with" }).waitFor({ timeout: 15_000 });
      await page.keyboard.type("Private key file");
      await page.keyboard.press("Enter");
      await type(env.ssh.keyPath, "Add SSH Host: private key");
      await type(HOST_ID, "Add SSH Host: name");
      await vs.waitForReport((e) => e.event === "remote-host-added", 20_000, mark);
      const dialog = page.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: 45_000 });
      assert.ok((await dialog.innerText()).includes(env.ssh.hostFingerprint));
      await dialog.locator(".monaco-button", { hasText: /^Trust$/ }).click();
      const trusted = await vs.waitForReport(
        (e) => e.event === "remote-host-tested" && e.keyStatus === "trusted",
        45_000,
        mark,
      );
      assert.equal(trusted.authenticated, true, String(trusted.error));
      await vs.runCommand("Notifications: Clear All Notifications").catch(() => undefined);

      // ---- 2. Run a Task…: where, then what
      mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Run a Task");
      await quick.locator(".quick-input-title", { hasText: "Run a Task: where?" }).waitFor({ timeout: 20_000 });
      await quick
        .locator(".quick-input-list .monaco-list-row", { hasText: HOST_ID })
        .first()
        .waitFor({ timeout: 20_000 });
      await vs.screenshot("pick-target");
      await page.keyboard.type(HOST_ID);
      await sleep(300);
      await page.keyboard.press("Enter");
      await type(PROMPT, `Run a Task on ${HOST_ID}`);
      const started = await vs.waitForReport((e) => e.event === "task-started", 30_000, mark);
      const taskId = String(started.task);
      await vs.waitForReport((e) => e.event === "task-panel-opened" && e.task === taskId, 30_000, mark);

      /** The task panel's document (the webview's inner frame). */
      const panelFrame = async (): Promise<Frame> => {
        for (let i = 0; i < 100; i++) {
          for (const f of page.frames()) {
            if (
              (await f
                .locator('[aria-label="AiCockpit task"]')
                .count()
                .catch(() => 0)) > 0
            )
              return f;
          }
          await sleep(200);
        }
        throw new Error("the task panel's webview did not appear");
      };

      // ---- 3. confirm every question with Run, in the panel
      const questions: { step: unknown; command: unknown; risk: unknown }[] = [];
      let seen = mark;
      for (;;) {
        const next = await vs.waitForReport(
          (e) =>
            (e.event === "task-question" && e.task === taskId) ||
            (e.event === "task-status" &&
              e.task === taskId &&
              ["completed", "failed", "cancelled"].includes(String(e.status))),
          90_000,
          seen,
        );
        const at = seen;
        seen = vs.readReport().findIndex((e, i) => i >= at && JSON.stringify(e) === JSON.stringify(next)) + 1;
        if (next.event === "task-status") break;
        questions.push({ step: next.step, command: next.command, risk: next.risk });
        const frame = await panelFrame();
        // the panel shows this very question (its state arrives a moment after the report)
        const box = frame.locator(`.question[data-confirmation="${String(next.id)}"]`);
        await box.locator("button[data-action=run]").waitFor({ state: "visible", timeout: 20_000 });
        assert.match(await box.innerText(), /Run this command\?/);
        if (questions.length === 1) {
          // Edit… the first command into one that deletes a folder in the home directory: the
          // backend assesses it again, and the panel asks about it anew, now DANGEROUS.
          await vs.screenshot("panel-first-question");
          await box.locator("button[data-action=edit]").click();
          await quick.locator(".quick-input-title", { hasText: "edit step 1's command" }).waitFor({ timeout: 15_000 });
          assert.equal(await quick.locator("input").first().inputValue(), String(next.command), "prefilled");
          await type(edited);
          const d = await vs.waitForReport(
            (e) => e.event === "task-decision" && e.task === taskId && e.action === "edit",
            30_000,
            seen,
          );
          assert.deepEqual([d.newRisk, d.newCommand], ["dangerous", edited]);
          continue;
        }
        if (next.risk === "dangerous") {
          assert.match(await box.innerText(), /DANGEROUS/);
          assert.match(
            await frame.locator(".attempt").first().innerText(),
            /home directory outside the current workspace/,
          );
          await vs.screenshot("panel-dangerous-after-edit");
          await box.locator("button[data-action=run]").click();
          const modal = page.locator(".monaco-dialog-box");
          await modal.waitFor({ timeout: 15_000 });
          assert.match(await modal.innerText(), /Run a dangerous command\?/);
          assert.ok((await modal.innerText()).includes(edited), "the second confirmation names the command");
          await modal.locator(".monaco-button", { hasText: /^Run dangerous command$/ }).click();
        } else {
          if (questions.length === 4) await vs.screenshot("panel-alternative-question");
          await box.locator("button[data-action=run]").click();
        }
        await vs.waitForReport(
          (e) => e.event === "task-decision" && e.task === taskId && e.action === "run",
          30_000,
          seen,
        );
      }
      assert.deepEqual(
        questions.map((q) => [q.step, q.command, q.risk]),
        [
          [1, `mkdir -p ${dir} && echo hello-e2e > ${dir}/index.html`, "review"],
          [1, edited, "dangerous"],
          [2, `cp ${dir}/missing.html ${dir}/copy.html`, "review"],
          [2, `cp ${dir}/index.html ${dir}/copy.html`, "review"],
        ],
        "each command was asked about in the panel: the edit again, the alternative too",
      );
      const status = vs
        .readReport()
        .filter((e) => e.event === "task-status" && e.task === taskId)
        .at(-1);
      assert.equal(status?.status, "completed");
      const validations = vs
        .readReport()
        .filter((e) => e.event === "task-validation" && e.task === taskId)
        .map((e) => [e.step, e.attempt, e.result]);
      assert.deepEqual(validations, [
        [1, 1, "passed"],
        [2, 1, "failed"],
        [2, 2, "passed"],
      ]);
      assert.equal(
        (await pool.exec("rig", ["cat", `${dir}/copy.html`])).stdout,
        "hello-e2e\n",
        "it really ran on the host",
      );

      // ---- 4. the summary, in the panel
      const frame = await panelFrame();
      const summary = frame.locator(".summary");
      await summary.waitFor({ timeout: 20_000 });
      assert.match(await summary.innerText(), new RegExp(`copied it to copy.html on ${HOST_ID}`));
      assert.match(await frame.locator(".status").first().innerText(), /Completed/);
      assert.equal(await frame.locator(".step").count(), 2);
      assert.match(await frame.locator('.step[data-step="2"]').innerText(), /Attempt 2/);
      await page.mouse.move(5, 5);
      await sleep(300);
      await vs.screenshot("panel-summary");

      // ---- 5. after a reload, the Tasks view lists it (from the backend's history on disk)
      mark = vs.readReport().length;
      await vs.runCommand("Developer: Reload Window");
      await vs.waitForWorkbench(60_000);
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);
      await vs.showAiCockpitSideBar();
      const header = page.locator(".pane-header", { hasText: /^Tasks/i }).first();
      await header.waitFor({ timeout: 20_000 });
      for (const other of [/^Chat/i, /^Workspaces/i, /^Remote Hosts/i]) {
        const h = page.locator(".pane-header", { hasText: other }).first();
        if ((await h.count()) > 0 && (await h.getAttribute("aria-expanded")) === "true") await h.click();
      }
      if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
      const listed = await vs.waitForReport(
        (e) => e.event === "tasks-tree" && String(e.tasks).includes(`${taskId}:completed`),
        60_000,
        mark,
      );
      assert.ok(listed);
      const row = page.getByRole("treeitem", { name: new RegExp(`^${PROMPT}, completed`) });
      await row.waitFor({ timeout: 20_000 });
      await page
        .locator(".monaco-list-row", { hasText: PROMPT })
        .first()
        .locator(".codicon-pass-filled")
        .waitFor({ timeout: 10_000 });
      await page.mouse.move(5, 5);
      await vs.screenshot("tasks-history-after-reload");
      // and opening it again replays the whole task
      mark = vs.readReport().length;
      await row.click();
      await vs.waitForReport((e) => e.event === "task-summary" && e.task === taskId, 30_000, mark);
      await (await panelFrame()).locator(".summary").waitFor({ timeout: 20_000 });
      await vs.screenshot("panel-reopened");
    },
  );
});
