/**
 * E2E: Remote Hosts and "Ask a Container" in a real VS Code, against the rig's real sshd and
 * dockerd (the rig's SSH sessions get DOCKER_HOST of its engine) and the scripted model.
 *  1. Add the rig's SSH host from the Remote Hosts view's title action (address, port, user,
 *     key file, name); the connection test shows the host key's SHA256 fingerprint in a modal;
 *     Trust pins it and the login succeeds.
 *  2. The host's row lists the container the test created on the rig's engine, running.
 *  3. Container context menu → Ask a Container… "show the last 20 log lines": the model
 *     answers `docker logs --tail 20 <name>`, it runs over SSH, and the output (exactly the
 *     last 20 of the container's 30 lines) opens in an editor with the command on top.
 *  4. "restart it": nothing runs yet; a modal shows the exact command `docker restart <name>`
 *     with the reason; Run sends the token and the container really restarts.
 * Screenshots land in .test-artifacts/e2e/ (look at them).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import type { InfraEnv } from "../fixtures/infra-env";
import { startScriptedAI, type RecordedRequest, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eInfraOrSkip, startVSCode, type VSCodeSession } from "./harness";

const MODEL = "scripted-gateway-7b";
const NAME = `e2e-remote${process.pid % 1000}`;
const HOST_ID = "rig-e2e";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gateway's model: one docker command for the intent in the last user message. */
function gatewayAnswer(req: RecordedRequest): string {
  const msgs = (req.body as { messages?: { role: string; content: string }[] } | undefined)?.messages ?? [];
  const user = msgs.filter((m) => m.role === "user").at(-1)?.content ?? "";
  const container = /^Container: (\S+)/m.exec(user)?.[1] ?? "unknown";
  if (/restart/i.test(user)) return `\`\`\`bash\ndocker restart ${container}\n\`\`\``;
  if (/log/i.test(user)) return `\`\`\`bash\ndocker logs --tail 20 ${container}\n\`\`\``;
  return "OK";
}

describe("E2E: Remote Hosts and Ask a Container", () => {
  let skip: string | undefined;
  let env: InfraEnv | undefined;
  let docker: Docker;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  const removeContainer = () =>
    docker
      .getContainer(NAME)
      .remove({ force: true })
      .catch(() => undefined);

  before(async () => {
    ({ skip, env } = await e2eInfraOrSkip("remote-hosts.test.ts", "no Docker/SSH test infrastructure"));
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await removeContainer();
    const c = await docker.createContainer({
      name: NAME,
      Image: env.image,
      Cmd: ["sh", "-c", "for i in $(seq 1 30); do echo log-line-$i; done; exec sleep 3600"],
      HostConfig: { NanoCpus: 5e8, Memory: 64 * 1024 * 1024 },
    });
    await c.start();
    ai = await startScriptedAI({ models: [MODEL] });
    ai.setDefault({ echo: gatewayAnswer });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
    if (env) await removeContainer();
  });

  test(
    "add the rig's SSH host, trust its key, see its container, ask for logs, confirm a restart",
    { timeout: 300_000 },
    async (t) => {
      if (skip || !env || !ai) return t.skip(skip);
      vs = await startVSCode({
        name: "remote-hosts",
        env: { DOCKER_HOST: env.dockerHost },
        settings: {
          "aicockpit.provider.kind": "custom",
          "aicockpit.provider.baseUrl": `${ai.url}/v1`,
          "aicockpit.provider.model": MODEL,
          // the DOM renderer: the terminal step reads the terminal's text from the page
          "terminal.integrated.gpuAcceleration": "off",
        },
        workspaceFiles: { "README.md": "# remote hosts\n" },
      });
      const page = vs.page;
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);

      // ---- the AiCockpit side bar: Remote Hosts open, Chat and Workspaces folded away
      await vs.showAiCockpitSideBar();
      const header = page.locator(".pane-header", { hasText: /^Remote Hosts/i }).first();
      await header.waitFor({ timeout: 20_000 });
      for (const other of [/^Chat/i, /^Workspaces/i]) {
        const h = page.locator(".pane-header", { hasText: other }).first();
        if ((await h.count()) > 0 && (await h.getAttribute("aria-expanded")) === "true") await h.click();
      }
      if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
      await sleep(1500);
      await vs.screenshot("remote-empty");
      await page.getByRole("treeitem", { name: /^local/ }).waitFor({ timeout: 20_000 });

      // ---- 1. Add SSH Host from the view's title, trust the fingerprint in the modal
      const quick = page.locator(".quick-input-widget");
      const answer = async (text: string, replace = true) => {
        await quick.locator("input").first().waitFor({ state: "visible", timeout: 15_000 });
        await sleep(250);
        if (replace) await page.keyboard.press("Control+A");
        if (text !== "") await page.keyboard.type(text);
        await page.keyboard.press("Enter");
      };
      let mark = vs.readReport().length;
      await header.hover();
      await header.locator('.actions a[aria-label^="Add SSH Host"]').click();
      await quick.waitFor({ state: "visible", timeout: 15_000 });
      /** Types into the form's step once its title is showing (the widget is reused from step to step). */
      const step = async (title: string, text: string) => {
        await quick.locator(".quick-input-title", { hasText: `Add SSH Host: ${title}` }).waitFor({ timeout: 15_000 });
        await answer(text);
      };
      await step("address", env.ssh.host);
      await step("SSH port", String(env.ssh.port));
      await step("user", env.ssh.user);
      await quick.locator(".quick-input-title", { hasText: "Add SSH Host: log in with" }).waitFor({ timeout: 15_000 });
      await quick
        .locator(".quick-input-list .monaco-list-row", { hasText: "Private key file" })
        .first()
        .waitFor({ timeout: 10_000 });
      await vs.screenshot("add-host-auth");
      await page.keyboard.type("Private key file");
      await page.keyboard.press("Enter");
      await step("private key", env.ssh.keyPath);
      await step("name", HOST_ID);
      const added = await vs.waitForReport((e) => e.event === "remote-host-added", 20_000, mark);
      assert.equal(added.host, HOST_ID);
      assert.equal(added.address, `${env.ssh.host}:${env.ssh.port}`);

      const unknown = await vs.waitForReport((e) => e.event === "remote-host-tested", 45_000, mark);
      assert.equal(unknown.keyStatus, "unknown", "a key nothing vouches for is shown, not accepted");
      assert.equal(unknown.fingerprint, env.ssh.hostFingerprint);
      const dialog = page.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: 10_000 });
      const dialogText = await dialog.innerText();
      assert.match(dialogText, /Trust the SSH host key of/);
      assert.ok(
        dialogText.includes(env.ssh.hostFingerprint),
        `the modal shows the fingerprint; it shows:\n${dialogText}`,
      );
      await page.mouse.move(5, 5);
      await vs.screenshot("trust-fingerprint");
      await dialog.locator(".monaco-button", { hasText: /^Trust$/ }).click();
      const trusted = await vs.waitForReport(
        (e) => e.event === "remote-host-tested" && e.keyStatus === "trusted",
        45_000,
        mark,
      );
      assert.equal(trusted.authenticated, true, `login with the key works: ${String(trusted.error)}`);

      // ---- 2. the host lists the container the test made on the rig's engine
      const hostRow = page.getByRole("treeitem", { name: new RegExp(`^${HOST_ID}`) });
      await hostRow.waitFor({ timeout: 20_000 });
      const listed = await vs.waitForReport(
        (e) =>
          e.event === "remote-tree-containers" &&
          e.host === HOST_ID &&
          String(e.containers).includes(`${NAME}:running`),
        45_000,
        mark,
      );
      assert.ok(String(listed.containers).includes(`${NAME}:running`));
      const item = page.getByRole("treeitem", { name: new RegExp(`^${NAME}`) }).first();
      await item.waitFor({ timeout: 20_000 });
      await page
        .locator(".monaco-list-row", { hasText: NAME })
        .first()
        .locator(".codicon-vm-running")
        .waitFor({ timeout: 10_000 });
      await vs.runCommand("Notifications: Clear All Notifications").catch(() => undefined);
      await page.mouse.move(5, 5);
      await vs.screenshot("host-containers");

      const menu = (label: string, command: string) =>
        vs!.contextMenu(
          item,
          label,
          (e) => e.event === "remote-command" && e.command === `aicockpit.remote.${command}` && e.node === "container",
        );

      // ---- 3. Ask a Container: the last 20 log lines, over SSH, in an editor
      mark = vs.readReport().length;
      await menu("Ask a Container", "ask");
      await quick.waitFor({ state: "visible", timeout: 10_000 });
      assert.match(await quick.locator(".quick-input-title").innerText(), new RegExp(`Ask ${NAME} \\(${HOST_ID}\\)`));
      await answer("show the last 20 log lines", false);
      const logs = await vs.waitForReport((e) => e.event === "remote-ask-result", 60_000, mark);
      assert.equal(logs.status, "SUCCESS", JSON.stringify(logs));
      assert.equal(logs.command, `docker logs --tail 20 ${NAME}`);
      assert.equal(logs.shown, "editor");
      const text = String(logs.text);
      const lines = text.split("\n").filter((l) => l.startsWith("log-line-"));
      assert.deepEqual(
        lines,
        Array.from({ length: 20 }, (_, i) => `log-line-${i + 11}`),
        "exactly the container's last 20 lines",
      );
      assert.match(text, new RegExp(`^\\$ docker logs --tail 20 ${NAME}\\n`));
      await page.locator(".tab.active", { hasText: NAME }).waitFor({ timeout: 15_000 });
      await page.locator(".monaco-editor .view-lines", { hasText: "log-line-30" }).first().waitFor({ timeout: 15_000 });
      await page.mouse.move(5, 5);
      await vs.screenshot("ask-logs-output");
      const prompt = (ai.completionRequests().at(-1)!.body as { messages: { content: string }[] }).messages
        .map((m) => m.content)
        .join("\n");
      assert.match(prompt, /show the last 20 log lines/);

      // ---- 4. "restart it": the exact command in a confirmation, Run restarts the container
      const startedBefore = (await docker.getContainer(NAME).inspect()).State.StartedAt;
      mark = vs.readReport().length;
      await menu("Ask a Container", "ask");
      await answer("restart it", false);
      const confirm = await vs
        .waitForReport((e) => e.event === "remote-ask-confirm", 60_000, mark)
        .catch(async (err: unknown) => {
          await vs!.screenshot("restart-no-confirm");
          throw err;
        });
      assert.equal(confirm.command, `docker restart ${NAME}`);
      await dialog.waitFor({ timeout: 10_000 });
      const confirmText = await dialog.innerText();
      assert.match(confirmText, new RegExp(`Run this command on ${NAME} \\(${HOST_ID}\\)\\?`));
      assert.ok(
        confirmText.includes(`docker restart ${NAME}`),
        `the modal names the exact command; it shows:\n${confirmText}`,
      );
      assert.equal(
        (await docker.getContainer(NAME).inspect()).State.StartedAt,
        startedBefore,
        "nothing ran before Run",
      );
      await page.mouse.move(5, 5);
      await vs.screenshot("ask-restart-confirm");
      await dialog.locator(".monaco-button", { hasText: /^Run$/ }).click();
      const restarted = await vs.waitForReport((e) => e.event === "remote-ask-result", 60_000, mark);
      assert.equal(restarted.status, "SUCCESS", JSON.stringify(restarted));
      assert.equal(restarted.command, `docker restart ${NAME}`);
      const after = await docker.getContainer(NAME).inspect();
      assert.equal(after.State.Running, true);
      assert.notEqual(after.State.StartedAt, startedBefore, "the container was restarted");
      await sleep(800); // the result toast slides in
      await vs.screenshot("ask-restart-done");

      // ---- 5. Show Logs follows in an editor; closing the tab stops following
      await vs.runCommand("View: Close All Editors").catch(() => undefined);
      await vs.runCommand("Notifications: Clear All Notifications").catch(() => undefined);
      mark = vs.readReport().length;
      await menu("Show Container Logs", "showLogs");
      await vs.waitForReport((e) => e.event === "remote-logs-text" && Number(e.chars) > 0, 30_000, mark);
      await page.locator(".monaco-editor .view-lines", { hasText: "log-line-30" }).first().waitFor({ timeout: 15_000 });
      // A line written after the editor opened arrives through the follow stream.
      const exec = await docker
        .getContainer(NAME)
        .exec({ Cmd: ["sh", "-c", "echo followed-line-after-open > /proc/1/fd/1"] });
      await exec.start({ Detach: true });
      await page
        .locator(".monaco-editor .view-lines", { hasText: "followed-line-after-open" })
        .first()
        .waitFor({ timeout: 20_000 });
      await page.mouse.move(5, 5);
      await vs.screenshot("logs-following");
      await vs.runCommand("View: Close All Editors");
      const stopped = await vs.waitForReport((e) => e.event === "remote-logs-stopped", 15_000, mark);
      assert.equal(stopped.closedByUser, true, "closing the editor stopped following");

      // ---- 6. Open Container Terminal: a shell in the container on the SSH host, through the backend
      mark = vs.readReport().length;
      await menu("Open Container Terminal", "openTerminal");
      await vs.waitForReport((e) => e.event === "remote-terminal-ready", 30_000, mark);
      await vs.typeInTerminal("echo hi-$((40+2))");
      await vs.waitForTerminalText(/hi-42/, "container-terminal");
      await vs.screenshot("container-terminal");
    },
  );
});
