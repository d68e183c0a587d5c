/**
 * E2E: first run with no AI service at all — the built-in model. A stand-in model host
 * (test/fixtures/tiny-model-host.ts: the tiny random-weight GGUF, paced so progress is visible)
 * replaces the public one through the extension host's environment. From the neutral "set up
 * a model" status item: the quick pick offers the built-in model with its size and origin, a
 * consent dialog says what, how big and from where, the download runs as a progress
 * notification with size and speed, the status bar becomes "<model> (local)", and ghost text
 * and a chat answer come from the model (random weights: the content is noise; what is proven
 * is that it flows end to end through node-llama-cpp in the backend).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FrameLocator } from "playwright-core";
import { startTinyModelHost, TINY_MODEL_ID, TINY_MODEL_PATH, type TinyModelHost } from "../fixtures/tiny-model-host";
import { tempDir } from "../integration/helpers/backend";
import { e2eSkipReason, startVSCode, type VSCodeSession } from "./harness";

describe("E2E: first run with the built-in model", () => {
  let skip: string | undefined;
  let tiny: TinyModelHost | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("local-model-first-run.test.ts");
    if (skip) return;
    tiny = await startTinyModelHost(tempDir("aicockpit-e2e-tiny-"));
    // ~0.5 MB in 16 KiB pieces every 120 ms: a few seconds of visible progress.
    tiny.host.pace(16 * 1024, 120);
  });

  after(async () => {
    await vs?.close();
    await tiny?.close();
  });

  test(
    "set up → built-in model (size, origin) → consent → download progress → '(local)' → ghost text and chat",
    { timeout: 360_000 },
    async (t) => {
      if (skip || !tiny) return t.skip(skip);
      vs = await startVSCode({
        name: "local-first-run",
        env: tiny.env,
        settings: {
          // One thread: on a loaded 2-core machine it beats all threads (recipes/agents-and-models.md).
          "aicockpit.local.threads": 1,
          "aicockpit.local.contextSize": 1024,
          "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
          "editor.suggestOnTriggerCharacters": false,
        },
        workspaceFiles: { "calc.js": "function add(a, b) {\n  return a + b;\n}\n" },
      });
      const page = vs.page;
      const rows = page.locator(".quick-input-widget .quick-input-list .monaco-list-row");
      const toasts = page.locator(".notifications-toasts .notification-toast");

      // 1. Nothing configured: the neutral status item opens the setup, which offers the built-in model.
      await vs.waitForStatusBar(/AiCockpit: set up a model$/, 90_000);
      await vs.statusBarItem("AiCockpit: set up a model").first().click();
      const builtIn = rows.filter({ hasText: "Tiny Coder (test)" }).first();
      await builtIn.waitFor({ state: "visible", timeout: 30_000 });
      const rowText = await builtIn.innerText();
      const kb = `${Math.round(tiny.bytes.length / 1024)} KB`;
      assert.ok(rowText.includes(kb), `the row shows the size (${kb}): ${rowText}`);
      assert.ok(
        rowText.includes(`download from ${new URL(tiny.host.url).host}`),
        `the row says from where: ${rowText}`,
      );
      await vs.screenshot("quick-pick-builtin");
      await builtIn.click();

      // 2. Consent: what, how big, from where — nothing was downloaded before this.
      const dialog = page.locator(".monaco-dialog-box");
      await dialog.waitFor({ state: "visible", timeout: 15_000 });
      const said = await dialog.innerText();
      assert.match(said, new RegExp(`Download Tiny Coder \\(test\\) \\(${kb}\\)\\?`));
      assert.ok(said.includes(`${tiny.host.url}/${TINY_MODEL_PATH}`), `the dialog names the address: ${said}`);
      assert.equal(tiny.host.requests.length, 0, "no byte was requested before the user agreed");
      await vs.screenshot("consent");
      const mark = vs.readReport().length;
      await dialog.locator(".monaco-button", { hasText: "Download" }).first().click();

      // 3. Progress notification with size and speed, then done.
      const progress = toasts.filter({ hasText: "Downloading Tiny Coder (test)" }).first();
      await progress.waitFor({ state: "visible", timeout: 15_000 });
      await progress
        .locator(".notification-list-item-message", { hasText: /KB of \d+ KB · [\d.]+ (KB|MB)\/s/ })
        .waitFor({
          timeout: 15_000,
        });
      await vs.screenshot("download-progress");
      await vs.waitForReport((e) => e.event === "local-download" && e.phase === "done", 60_000, mark);
      const progressed = vs
        .readReport()
        .slice(mark)
        .filter((e) => e.event === "local-download" && e.phase === "progress");
      assert.ok(progressed.length >= 2, `progress events reached VS Code (${progressed.length})`);

      // 4. The backend restarts with the built-in model; the status bar says "(local)".
      const ready = await vs.waitForStatusBar(/AiCockpit: .+ \(local\)$/, 90_000);
      await vs.screenshot("status-local");
      const settings = JSON.parse(readFileSync(join(vs.userDataDir, "User", "settings.json"), "utf8")) as Record<
        string,
        unknown
      >;
      assert.equal(settings["aicockpit.provider.kind"], "local");
      assert.equal(settings["aicockpit.provider.model"], TINY_MODEL_ID);
      assert.ok(ready.length > 0);
      // The chosen model is loaded in the background before anyone types (extension/setup/flow.ts).
      const preloaded = await vs.waitForReport((e) => e.event === "local-preload" && e.phase !== "start", 90_000, mark);
      assert.equal(preloaded.phase, "done");
      assert.equal(preloaded.state, "loaded");

      // 5. Ghost text from the local model.
      await vs.openFile("calc.js");
      await page.keyboard.press("Control+End");
      let at = vs.readReport().length;
      let shown = false;
      for (const line of ["function mul(a, b) {", "  return a", "const x = "]) {
        await page.keyboard.type(line, { delay: 60 });
        const r = await vs.waitForReport(
          // A request superseded by the next keystroke is no answer from the model: wait for the last one's.
          (e) =>
            e.event === "completion-shown" ||
            (e.event === "completion-none" && e.source === "model" && e.reason !== "superseded"),
          90_000,
          at,
        );
        at = vs.readReport().length;
        if (r.event === "completion-shown") {
          shown = true;
          break;
        }
        await page.keyboard.press("Enter");
      }
      assert.ok(shown, "the local model produced ghost text");
      await page.locator(".monaco-editor .ghost-text-decoration").first().waitFor({ timeout: 10_000 });
      await vs.screenshot("ghost-text-local");
      await page.keyboard.press("Escape");

      // 6. A chat answer from the local model.
      at = vs.readReport().length;
      await vs.showAiCockpitSideBar();
      await vs.waitForReport((e) => e.event === "chat-ready", 30_000, at);
      const frame: FrameLocator = page.frameLocator(".webview.ready").first().frameLocator("#active-frame");
      const input = frame.locator("textarea.input");
      await input.waitFor({ timeout: 15_000 });
      await input.click();
      at = vs.readReport().length;
      await page.keyboard.type("Say hello.");
      await page.keyboard.press("Enter");
      const finished = await vs.waitForReport((e) => e.event === "chat-finished", 120_000, at);
      assert.equal(finished.status, "done");
      assert.ok(Number(finished.chars) > 0, "the answer has content");
      await vs.screenshot("chat-local");

      // The verified model sits in the extension's storage, complete.
      const file = join(
        vs.userDataDir,
        "User",
        "globalStorage",
        "aicockpit.aicockpit",
        "models",
        `${TINY_MODEL_ID}.gguf`,
      );
      assert.ok(existsSync(file), `${file} exists`);
      assert.equal(statSync(file).size, tiny.bytes.length);
    },
  );
});
