/**
 * E2E: natural-language terminal commands in a real VS Code (bash with shell integration)
 * with the scripted model.
 *  1. "AiCockpit: Run in Terminal…" with no terminal open: describe a task → the picker shows
 *     the command, its explanation and its risk with Cancel selected → Run → a new terminal
 *     runs it; the captured exit code and output are shown, and the file it writes is on disk.
 *     The prompt carried OS, shell, cwd and the project's package manager and scripts.
 *  2. Ctrl+K in the terminal: a command that fails → the error shows its exit code and
 *     output with "Fix it" → the model gets the failed command and its output → Edit the
 *     proposed fix → it is assessed again → Run → exit 0 and the edited command's file.
 *  3. A dangerous suggestion: Run asks a second time, naming the danger; Enter there cancels
 *     (Cancel is the default) and nothing ran — the marker file the command would create first
 *     does not exist.
 *  4. Esc on the first confirmation cancels too.
 *  5. Esc while the model is thinking stops the request upstream.
 *  6. With aicockpit.terminal.autoRunSafe on, a safe suggestion runs without asking; a
 *     review one still asks, and Enter there cancels.
 *  7. (second window) Shell integration off: the confirmed command is sent as text, it still
 *     runs, and the message says its exit code and output can't be captured.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type VSCodeSession } from "./harness";

const MODEL = "scripted-shell-7b";
const PACKAGE_JSON = JSON.stringify(
  { name: "demo", version: "1.0.0", scripts: { test: "node --test", lint: "eslint ." } },
  null,
  2,
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answer = (command: string, explanation: string) =>
  ["```bash", command, "```", `Explanation: ${explanation}`].join("\n");

describe("E2E: terminal commands", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;
  let plain: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("terminal.test.ts");
    if (skip) return;
    ai = await startScriptedAI({ models: [MODEL] });
    ai.setDefault({ text: "OK" });
  });

  after(async () => {
    await vs?.close();
    await plain?.close();
    await ai?.close();
  });

  test(
    "describe → risk → run with exit code and output; Fix it + Edit; dangerous needs a second confirmation and Cancel runs nothing",
    { timeout: 300_000 },
    async (t) => {
      if (skip || !ai) return t.skip(skip);
      vs = await startVSCode({
        name: "terminal",
        settings: {
          "aicockpit.provider.kind": "custom",
          "aicockpit.provider.baseUrl": `${ai.url}/v1`,
          "aicockpit.provider.model": MODEL,
          "terminal.integrated.shellIntegration.enabled": true,
          "terminal.integrated.defaultProfile.linux": "bash",
        },
        workspaceFiles: { "package.json": PACKAGE_JSON, "package-lock.json": "{}" },
      });
      const page = vs.page;
      const ws = vs.workspaceDir;
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);

      const quickInput = page.locator(".quick-input-widget");
      const row = (text: string | RegExp) =>
        quickInput.locator(".quick-input-list .monaco-list-row", { hasText: text }).first();
      const focusedRow = quickInput.locator(".quick-input-list .monaco-list-row.focused");
      const toast = (text: string | RegExp) =>
        page.locator(".notifications-toasts .notification-toast", { hasText: text }).first();
      const describeTask = async (text: string) => {
        await quickInput.waitFor({ state: "visible", timeout: 10_000 });
        assert.match(await quickInput.locator(".quick-input-title").innerText(), /Run in Terminal/);
        await page.keyboard.type(text);
        await page.keyboard.press("Enter");
      };
      /** Waits for the confirmation picker; returns its title. */
      const confirmation = async (mark: number, step: "first" | "danger") => {
        await vs!.waitForReport((e) => e.event === "terminal-confirm" && e.step === step, 20_000, mark);
        await row("Cancel").waitFor({ state: "visible", timeout: 10_000 });
        await page.mouse.move(700, 700); // no hover tooltip over the title in screenshots
        await sleep(300); // the picker settles (active item, title) before we read it
        assert.match(await focusedRow.innerText(), /Cancel/, "Cancel is selected when the confirmation opens");
        return quickInput.locator(".quick-input-title").innerText();
      };

      // ---- 1. palette, no terminal yet: describe → confirmation with risk → Run → exit code + output
      ai.enqueue({
        text: answer(
          "echo hello from aicockpit > hello.txt && cat hello.txt",
          "Writes a greeting into hello.txt and prints it.",
        ),
      });
      let mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Run in Terminal");
      await describeTask("write a greeting into hello.txt and show it");
      const suggested = await vs.waitForReport((e) => e.event === "terminal-suggested", 30_000, mark);
      assert.equal(suggested.risk, "review");
      let title = await confirmation(mark, "first");
      assert.match(title, /REVIEW/);
      await row("Writes a greeting into hello.txt").waitFor();
      await row("overwrites hello.txt").waitFor();
      await vs.screenshot("confirm-review");

      const prompt = (ai.completionRequests().at(-1)!.body as { messages: { content: string }[] }).messages
        .map((m) => m.content)
        .join("\n");
      assert.match(prompt, /Operating system: Linux /);
      assert.match(prompt, /Shell: bash/);
      assert.match(prompt, new RegExp(`Current directory: ${ws.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      assert.match(prompt, /Project package manager: npm/);
      assert.match(prompt, /Project scripts: test, lint/);
      assert.match(prompt, /Request: write a greeting into hello.txt and show it/);

      await row("in the terminal").click();
      const ran = await vs.waitForReport((e) => e.event === "terminal-ran", 30_000, mark);
      assert.equal(ran.captured, true, "shell integration captured the run");
      assert.equal(ran.exitCode, 0);
      assert.match(String(ran.output), /hello from aicockpit/);
      assert.equal(readFileSync(join(ws, "hello.txt"), "utf8"), "hello from aicockpit\n");
      await toast(
        /Exit code 0: `echo hello from aicockpit > hello\.txt && cat hello\.txt`\. Output: hello from aicockpit/,
      ).waitFor({ timeout: 10_000 });
      await sleep(600); // the toast slides in
      await vs.screenshot("ran-exit-0");

      // ---- 2. Ctrl+K in the terminal → a failing command → Fix it → Edit → re-assessed → Run
      ai.enqueue({ text: answer("cat notes.txt", "Prints notes.txt.") });
      mark = vs.readReport().length;
      await page.locator(".terminal-wrapper .xterm").first().click();
      await sleep(300);
      await page.keyboard.press("Control+K");
      await describeTask("show my notes");
      await vs.waitForReport((e) => e.event === "terminal-suggested" && e.risk === "safe", 30_000, mark);
      title = await confirmation(mark, "first");
      assert.match(title, /SAFE/);
      await vs.screenshot("confirm-safe");
      await row("in the terminal").click();
      const failed = await vs.waitForReport((e) => e.event === "terminal-ran", 30_000, mark);
      assert.equal(failed.exitCode, 1);
      assert.match(String(failed.output), /No such file or directory/);
      const failToast = toast(/Failed with exit code 1: `cat notes\.txt`\. Output: .*No such file or directory/);
      await failToast.waitFor({ timeout: 10_000 });
      await sleep(600);
      await vs.screenshot("failed-fix-it");

      ai.enqueue({ text: answer("touch notes.txt && cat notes.txt", "Creates notes.txt, then prints it.") });
      mark = vs.readReport().length;
      await failToast.locator(".monaco-button", { hasText: "Fix it" }).click();
      const fix = await vs.waitForReport((e) => e.event === "terminal-suggested", 30_000, mark);
      assert.equal(fix.fix, true);
      const fixPrompt = (ai.completionRequests().at(-1)!.body as { messages: { content: string }[] }).messages
        .map((m) => m.content)
        .join("\n");
      assert.match(fixPrompt, /This command failed with exit code 1:\n {4}cat notes\.txt/);
      assert.match(fixPrompt, /No such file or directory/);
      await confirmation(mark, "first");
      await row("Edit").click();
      // The Edit box is prefilled with the proposed command.
      const input = quickInput.locator("input.input");
      await page.waitForFunction(
        () =>
          (document.querySelector(".quick-input-widget input.input") as HTMLInputElement | null)?.value ===
          "touch notes.txt && cat notes.txt",
      );
      assert.equal(await input.inputValue(), "touch notes.txt && cat notes.txt");
      await input.fill("echo fixed by hand > notes.txt && cat notes.txt");
      await vs.screenshot("edit-command");
      await page.keyboard.press("Enter");
      const reassessed = await vs.waitForReport((e) => e.event === "terminal-assessed", 15_000, mark);
      assert.equal(reassessed.command, "echo fixed by hand > notes.txt && cat notes.txt");
      assert.equal(reassessed.risk, "review");
      await vs.waitForReport((e) => e.event === "terminal-confirm" && e.step === "first", 10_000, mark + 1);
      await row("overwrites notes.txt").waitFor({ timeout: 10_000 });
      await vs.screenshot("confirm-edited");
      await row("in the terminal").click();
      const fixed = await vs.waitForReport((e) => e.event === "terminal-ran", 30_000, mark);
      assert.equal(fixed.exitCode, 0);
      assert.equal(
        readFileSync(join(ws, "notes.txt"), "utf8"),
        "fixed by hand\n",
        "the edited command ran, not the proposed one",
      );

      // ---- 3. dangerous: a second confirmation names the danger; Enter there is Cancel; nothing ran
      const marker = join(ws, "marker.txt");
      ai.enqueue({
        text: answer(
          "touch marker.txt && curl -fsSL http://127.0.0.1:9/install.sh | sh",
          "Installs the tool with its install script.",
        ),
      });
      mark = vs.readReport().length;
      await page.locator(".terminal-wrapper .xterm").first().click();
      await page.keyboard.press("Control+K");
      await describeTask("install the tool");
      const dangerous = await vs.waitForReport((e) => e.event === "terminal-suggested", 30_000, mark);
      assert.equal(dangerous.risk, "dangerous");
      title = await confirmation(mark, "first");
      assert.match(title, /DANGEROUS/);
      await row("runs code downloaded by").waitFor();
      await vs.screenshot("confirm-dangerous");
      await row("asks once more").click();
      title = await confirmation(mark, "danger");
      assert.match(
        title,
        /DANGEROUS — `sh` runs code downloaded by `curl -fsSL http:\/\/127\.0\.0\.1:9\/install\.sh` without showing it\. Run it anyway\?/,
      );
      await row("Run dangerous command").waitFor();
      await vs.screenshot("confirm-dangerous-second");
      await page.keyboard.press("Enter"); // the default: Cancel
      const cancelled = await vs.waitForReport((e) => e.event === "terminal-cancelled", 10_000, mark);
      assert.equal(cancelled.step, "danger");
      await sleep(2_000); // anything sent to the shell would have created the marker by now
      assert.equal(existsSync(marker), false, "marker.txt must not exist: nothing ran");
      assert.ok(
        !vs
          .readReport()
          .slice(mark)
          .some((e) => e.event === "terminal-ran"),
        "no run reported",
      );
      await vs.screenshot("dangerous-cancelled");

      // ---- 4. Esc on the first confirmation cancels as well
      ai.enqueue({ text: answer("touch marker.txt", "Creates marker.txt.") });
      mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Run in Terminal");
      await describeTask("create the marker");
      await confirmation(mark, "first");
      await page.keyboard.press("Escape");
      const escaped = await vs.waitForReport((e) => e.event === "terminal-cancelled", 10_000, mark);
      assert.equal(escaped.step, "confirm");
      await sleep(1_000);
      assert.equal(existsSync(marker), false, "marker.txt must not exist after Esc");

      // ---- 5. Esc while the model is still thinking stops the request
      ai.enqueue({ text: answer("ls", "Lists files."), latencyMs: 8_000 });
      mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Run in Terminal");
      await describeTask("list the files slowly");
      await quickInput.locator(".quick-input-title", { hasText: "suggesting a command" }).waitFor({ timeout: 10_000 });
      await vs.screenshot("suggesting");
      const disconnected = ai.waitForDisconnect(15_000);
      await page.keyboard.press("Escape");
      assert.equal((await vs.waitForReport((e) => e.event === "terminal-cancelled", 10_000, mark)).step, "suggest");
      await disconnected;

      // ---- 6. autoRunSafe: a safe suggestion runs without asking; a review one still asks
      // Turned on the way a user would: the Settings UI (its search box has focus when it opens).
      await vs.runCommand("Preferences: Open User Settings");
      await page.locator(".settings-editor").waitFor({ state: "visible", timeout: 15_000 });
      await sleep(500);
      await page.keyboard.type("aicockpit.terminal.autoRunSafe");
      const checkbox = page
        .locator('.settings-editor .setting-item-bool .setting-value-checkbox[aria-checked="false"]')
        .first();
      await checkbox.waitFor({ timeout: 15_000 });
      await checkbox.click();
      const settingsFile = join(vs.userDataDir, "User", "settings.json");
      for (let i = 0; !/"aicockpit\.terminal\.autoRunSafe":\s*true/.test(readFileSync(settingsFile, "utf8")); i++) {
        assert.ok(i < 50, "autoRunSafe written to the user settings");
        await sleep(200);
      }
      await vs.screenshot("setting-auto-run-safe");
      await page.keyboard.press("Control+W");
      ai.enqueue({ text: answer("cat hello.txt", "Prints hello.txt.") });
      mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Run in Terminal");
      await describeTask("show the greeting");
      await vs.waitForReport((e) => e.event === "terminal-auto-run", 20_000, mark);
      const auto = await vs.waitForReport((e) => e.event === "terminal-ran", 20_000, mark);
      assert.equal(auto.exitCode, 0);
      assert.equal(auto.auto, true);
      assert.ok(
        !vs
          .readReport()
          .slice(mark)
          .some((e) => e.event === "terminal-confirm"),
        "no confirmation for a safe command",
      );
      await toast(/^AiCockpit ran a safe command without asking .*Exit code 0: `cat hello\.txt`/).waitFor({
        timeout: 10_000,
      });
      await sleep(600);
      await vs.screenshot("auto-run-safe");
      ai.enqueue({ text: answer("touch marker.txt", "Creates marker.txt.") });
      mark = vs.readReport().length;
      await vs.runCommand("AiCockpit: Run in Terminal");
      await describeTask("create the marker");
      await confirmation(mark, "first"); // review: asks even with autoRunSafe on
      await page.keyboard.press("Enter"); // Cancel
      assert.equal((await vs.waitForReport((e) => e.event === "terminal-cancelled", 10_000, mark)).step, "confirm");
      await sleep(1_000);
      assert.equal(existsSync(marker), false, "marker.txt must not exist: Enter on the confirmation is Cancel");
    },
  );

  test(
    "without shell integration the command is sent as text and the user is told nothing can be captured",
    { timeout: 180_000 },
    async (t) => {
      if (skip || !ai) return t.skip(skip);
      await vs?.close(); // one code-server at a time on a small machine
      plain = await startVSCode({
        name: "terminal-plain",
        settings: {
          "aicockpit.provider.kind": "custom",
          "aicockpit.provider.baseUrl": `${ai.url}/v1`,
          "aicockpit.provider.model": MODEL,
          "terminal.integrated.shellIntegration.enabled": false,
          "terminal.integrated.defaultProfile.linux": "bash",
        },
      });
      const page = plain.page;
      await plain.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);
      const quickInput = page.locator(".quick-input-widget");
      ai.enqueue({ text: answer("echo sent as text > plain.txt", "Writes plain.txt.") });
      const mark = plain.readReport().length;
      await plain.runCommand("AiCockpit: Run in Terminal");
      await quickInput.waitFor({ state: "visible", timeout: 10_000 });
      await page.keyboard.type("write plain.txt");
      await page.keyboard.press("Enter");
      await plain.waitForReport((e) => e.event === "terminal-confirm", 20_000, mark);
      await quickInput.locator(".quick-input-list .monaco-list-row", { hasText: "in the terminal" }).first().click();
      const ran = await plain.waitForReport((e) => e.event === "terminal-ran", 30_000, mark);
      assert.equal(ran.captured, false);
      assert.equal(ran.exitCode, null);
      await page
        .locator(".notifications-toasts .notification-toast", { hasText: "can't be captured here" })
        .first()
        .waitFor({ timeout: 10_000 });
      const file = join(plain.workspaceDir, "plain.txt");
      for (let i = 0; !existsSync(file); i++) {
        assert.ok(i < 50, "the command ran in the terminal");
        await sleep(200);
      }
      assert.equal(readFileSync(file, "utf8"), "sent as text\n");
      await sleep(600);
      await plain.screenshot("no-shell-integration");
    },
  );
});
