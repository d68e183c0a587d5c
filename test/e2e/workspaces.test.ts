/**
 * E2E: Docker workspaces in a real VS Code against the real test engine.
 *  1. Create a workspace from the Workspaces tree (+ in the view title): custom image
 *     ci/busybox:latest → name → limits → ports, with a progress notification.
 *  2. Context menu → Open Terminal: a command's output appears in the terminal, and the
 *     file it wrote is in the container.
 *  3. Context menu → Open File: a file inside the container opens through `aicockpit-ws:`,
 *     is edited and saved, and the change is found inside the container.
 *  4. `exit` closes the terminal; Delete (with data) removes container and volume.
 * Not here: "Browse Files" (adds the container's /workspace to the Explorer). It turns the
 * single-folder window into an untitled multi-root workspace, and code-server's reload into
 * it is racy (some runs come back with "No folder opened"), which made the step flaky.
 * Screenshots land in .test-artifacts/e2e/ (look at them).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import type { InfraEnv } from "../fixtures/infra-env";
import { cleanupWorkspaces } from "../integration/helpers/workspaces";
import { e2eInfraOrSkip, startVSCode, type VSCodeSession } from "./harness";

const NAME = `e2e-ws${process.pid % 1000}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function execIn(docker: Docker, name: string, cmd: string[]): Promise<string> {
  const c = docker.getContainer(`aicockpit-ws-${name}`);
  const e = await c.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await e.start({ hijack: true, stdin: false, Tty: true });
  let out = "";
  for await (const chunk of stream as AsyncIterable<Buffer>) out += chunk.toString("utf8");
  return out.replace(/\r\n/g, "\n"); // a TTY turns \n into \r\n
}

describe("E2E: Docker workspaces", () => {
  let skip: string | undefined;
  let env: InfraEnv | undefined;
  let docker: Docker;
  let vs: VSCodeSession | undefined;

  before(async () => {
    ({ skip, env } = await e2eInfraOrSkip("workspaces.test.ts", "no Docker test infrastructure"));
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, NAME);
  });

  after(async () => {
    await vs?.close();
    if (env) await cleanupWorkspaces(docker, NAME);
  });

  test(
    "create from the tree, terminal output, edit a container file via aicockpit-ws:, exit, delete",
    { timeout: 300_000 },
    async (t) => {
      if (skip || !env) return t.skip(skip);
      vs = await startVSCode({
        name: "workspaces",
        env: { DOCKER_HOST: env.dockerHost },
        // DOM renderer: the terminal's text is then in the page, so the test can read it.
        settings: { "terminal.integrated.gpuAcceleration": "off" },
        workspaceFiles: { "README.md": "# host folder\n" },
      });
      const page = vs.page;
      await vs.waitForReport((e) => e.event === "backend-ready", 60_000);

      // ---- the AiCockpit side bar with its Workspaces view
      await vs.showAiCockpitSideBar();
      const header = page.locator(".pane-header", { hasText: /^Workspaces/i }).first();
      await header.waitFor({ timeout: 20_000 });
      if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
      // Chat shares this side bar; collapsed, its webview cannot sit under the tree's context menu.
      const chat = page.locator(".pane-header", { hasText: /^Chat/i }).first();
      if ((await chat.count()) > 0 && (await chat.getAttribute("aria-expanded")) === "true") await chat.click();
      await vs.screenshot("tree-empty");

      // ---- 1. create from the tree's title action
      await header.hover();
      await header.locator('.actions a[aria-label^="Create Workspace"]').click();
      const quick = page.locator(".quick-input-widget");
      await quick.waitFor({ state: "visible", timeout: 15_000 });
      const row = (text: string) => quick.locator(".quick-input-list .monaco-list-row", { hasText: text }).first();
      await row("Custom image").waitFor({ timeout: 15_000 });
      await vs.screenshot("create-stack");
      await page.keyboard.type("Custom image");
      await row("Custom image").click();
      // Each answer clicks into the box first: the walkthrough VS Code opens on a first run may take the
      // keyboard focus while it renders (late, on a loaded machine), and the keys would go to it.
      const answer = async (text: string, replace = true) => {
        await quick.locator("input").first().waitFor({ state: "visible" });
        await sleep(200);
        await quick.locator("input").first().click();
        if (replace) await page.keyboard.press("Control+A");
        if (text !== "") await page.keyboard.type(text);
        await page.keyboard.press("Enter");
      };
      await answer(env.image); // image
      await answer(NAME); // name
      await answer("cpus=1 memory=256 pids=256"); // limits
      await answer(""); // ports: none
      await quick
        .locator(".quick-input-list .monaco-list-row", { hasText: "outbound network allowed" })
        .first()
        .waitFor({ timeout: 10_000 });
      await vs.screenshot("create-network");
      await quick
        .locator(".quick-input-list .monaco-list-row", { hasText: "outbound network allowed" })
        .first()
        .click(); // network: bridge
      const created = await vs.waitForReport((e) => e.event === "workspace-created", 60_000);
      assert.equal(created.id, NAME);
      assert.equal(created.state, "running");
      const item = page.getByRole("treeitem", { name: new RegExp(`^${NAME}`) });
      await item.waitFor({ timeout: 20_000 });
      await page
        .locator(".monaco-list-row", { hasText: NAME })
        .locator(".codicon-vm-running")
        .waitFor({ timeout: 10_000 });
      await vs.screenshot("tree-running");
      const info = await docker.getContainer(`aicockpit-ws-${NAME}`).inspect();
      assert.equal(info.HostConfig.NanoCpus, 1e9);
      assert.equal(info.HostConfig.Memory, 256 * 1024 * 1024);
      assert.equal(info.HostConfig.NetworkMode, "bridge");

      const menu = (label: string, command: string) =>
        vs!.contextMenu(
          item,
          label,
          (e) =>
            e.event === "workspace-command" && e.command === `aicockpit.workspaces.${command}` && e.fromTree === true,
        );
      const clearToasts = () => vs!.runCommand("Notifications: Clear All Notifications").catch(() => undefined);
      await clearToasts();
      await vs.screenshot("tree-running-clean");

      // ---- 2. terminal inside the container
      let mark = vs.readReport().length;
      await menu("Open Terminal in Workspace", "openTerminal");
      await vs.waitForReport((e) => e.event === "workspace-terminal-ready", 20_000, mark);
      await vs.typeInTerminal(
        "echo hello-from-terminal > /workspace/notes.txt; echo out-$((6*7)); cat /workspace/notes.txt",
      );
      await vs.waitForTerminalText(/out-42[\s\S]*hello-from-terminal/, "terminal");
      await clearToasts();
      await vs.screenshot("terminal-output");
      assert.equal((await execIn(docker, NAME, ["cat", "/workspace/notes.txt"])).trim(), "hello-from-terminal");

      // ---- 3. open the container file through aicockpit-ws:, edit, save, check inside
      mark = vs.readReport().length;
      await menu("Open File in Workspace", "openFile");
      await quick.waitFor({ state: "visible", timeout: 10_000 });
      await answer("/workspace/notes.txt");
      const opened = await vs.waitForReport((e) => e.event === "workspace-file-opened", 15_000, mark);
      assert.equal(opened.uri, `aicockpit-ws://${NAME}/workspace/notes.txt`);
      await page.locator('.tab.active[aria-label^="notes.txt"]').waitFor({ timeout: 15_000 });
      await page.locator(".monaco-editor .view-lines").first().click();
      await page.keyboard.press("Control+End");
      await page.keyboard.type("edited-in-vscode");
      await page.keyboard.press("Control+S");
      await vs.waitForReport((e) => e.event === "workspace-file-saved", 15_000, mark);
      await vs.screenshot("file-saved");
      assert.equal(
        await execIn(docker, NAME, ["cat", "/workspace/notes.txt"]),
        "hello-from-terminal\nedited-in-vscode",
      );

      // ---- 4. exit closes the terminal; delete with data
      mark = vs.readReport().length;
      await vs.typeInTerminal("exit 0");
      const closed = await vs.waitForReport((e) => e.event === "workspace-terminal-closed", 15_000, mark);
      assert.equal(closed.exitCode, 0);

      await menu("Delete Workspace", "delete");
      const dialog = page.locator(".monaco-dialog-box");
      await dialog.waitFor({ timeout: 10_000 });
      await vs.screenshot("delete-dialog");
      await dialog.locator(".monaco-button", { hasText: "Delete with Data" }).click();
      await vs.waitForReport((e) => e.event === "workspace-deleted", 30_000, mark);
      await assert.rejects(docker.getContainer(`aicockpit-ws-${NAME}`).inspect());
      await assert.rejects(docker.getVolume(`aicockpit-ws-${NAME}-data`).inspect());
      await item.waitFor({ state: "detached", timeout: 15_000 });
      await vs.screenshot("tree-after-delete");
    },
  );
});
