/**
 * E2E: first run with a model server already running on its default port — no settings typed.
 * A scripted OpenAI-compatible server listens on 127.0.0.1:1234 (LM Studio's default port;
 * the backend probes its real default ports, no override). VS Code starts with nothing
 * configured: the status item says "set up a model" (no error colour, no toast), the
 * walkthrough opens, the status item and the walkthrough's "Choose a Model" open the setup
 * quick pick, which lists "LM Studio on 127.0.0.1:1234" with its models; picking it and a
 * model makes the status bar name the model, and typing shows the server's ghost text.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, IN_CI, startVSCode, type VSCodeSession } from "./harness";

/** LM Studio's default port: the suite owns it while it runs. */
const PORT = 1234;
const MODELS = ["qwen2.5-coder-1.5b-instruct", "llama-3.2-3b-instruct"];

describe("E2E: first run finds a model server on its default port", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("first-run.test.ts");
    if (skip) return;
    try {
      ai = await startScriptedAI({ port: PORT, models: MODELS });
    } catch (err) {
      const why = `port ${PORT} (LM Studio's default) is taken on 127.0.0.1, and this suite must listen there: ${String(err)}`;
      if (IN_CI) throw new Error(why, { cause: err });
      skip = why;
      process.stderr.write(`\n!! SKIPPING first-run.test.ts: ${why}\n\n`);
      return;
    }
    ai.setDefault({ text: "price * qty;" });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
  });

  test(
    "status item and walkthrough → quick pick lists the server and its models → pick → ghost text",
    { timeout: 300_000 },
    async (t) => {
      if (skip || !ai) return t.skip(skip);
      vs = await startVSCode({
        name: "first-run",
        settings: {
          // As on a fresh install: VS Code may open an extension's walkthrough (the harness turns it off elsewhere).
          "workbench.welcomePage.walkthroughs.openOnInstall": true,
          "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
          "editor.suggestOnTriggerCharacters": false,
        },
        workspaceFiles: { "calc.js": "" },
      });
      const page = vs.page;
      const toasts = page.locator(".notifications-toasts .notification-toast");
      const widget = page.locator(".quick-input-widget");
      const rows = widget.locator(".quick-input-list .monaco-list-row");

      // 1. Nothing configured: a neutral invitation, no error colour, no toast, and the walkthrough.
      const text = await vs.waitForStatusBar(/AiCockpit: set up a model$/, 90_000);
      assert.equal(text, "AiCockpit: set up a model");
      const item = vs.statusBarItem("AiCockpit: set up a model").first();
      const bg = await item.evaluate((el) => getComputedStyle(el).backgroundColor);
      const errorBg = await page
        .locator(".part.statusbar")
        .evaluate((el) => getComputedStyle(el).getPropertyValue("--vscode-statusBarItem-errorBackground").trim());
      assert.notEqual(bg, errorBg, "the status item is not painted as an error");
      await vs.waitForReport((e) => e.event === "walkthrough-opened", 30_000);
      const walkthrough = page.locator(".gettingStartedContainer");
      await walkthrough.getByText("Get Started with AiCockpit").first().waitFor({ state: "visible", timeout: 30_000 });
      await page.waitForTimeout(1_000); // let the step media render for the screenshot
      await vs.screenshot("walkthrough");
      assert.equal(await toasts.filter({ hasText: /AiCockpit/ }).count(), 0, "no AiCockpit notification on first run");

      // 2. The status item opens the setup quick pick; the server on port 1234 is found with its models.
      await item.click();
      const server = rows.filter({ hasText: `LM Studio on 127.0.0.1:${PORT}` }).first();
      await server.waitFor({ state: "visible", timeout: 30_000 });
      assert.match(await server.innerText(), /2 models/);
      assert.match(await server.innerText(), /qwen2\.5-coder-1\.5b-instruct, llama-3\.2-3b-instruct/);
      await rows.filter({ hasText: "Choose a GGUF file" }).first().waitFor({ state: "visible" });
      await vs.screenshot("quick-pick");
      await page.keyboard.press("Escape");
      await widget.waitFor({ state: "hidden", timeout: 5_000 });

      // 3. The walkthrough's "Choose a Model" button opens the same quick pick; pick the server, then a model.
      await walkthrough.getByText("Choose a Model", { exact: true }).first().click();
      await server.waitFor({ state: "visible", timeout: 30_000 });
      await server.click();
      const model = rows.filter({ hasText: MODELS[0]! }).first();
      await model.waitFor({ state: "visible", timeout: 10_000 });
      await vs.screenshot("model-pick");
      await model.click();

      // 4. The backend restarts with the server; the status bar names the model.
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODELS[0]!.replace(/\./g, "\\.")}$`), 60_000);
      await vs.screenshot("status-ready");
      const settings = JSON.parse(readFileSync(join(vs.userDataDir, "User", "settings.json"), "utf8")) as Record<
        string,
        unknown
      >;
      assert.equal(settings["aicockpit.provider.kind"], "custom");
      assert.equal(settings["aicockpit.provider.baseUrl"], `http://127.0.0.1:${PORT}/v1`);
      assert.equal(settings["aicockpit.provider.model"], MODELS[0]);

      // 5. Ghost text from that server.
      await vs.openFile("calc.js");
      const mark = vs.readReport().length;
      await page.keyboard.type("const total = ", { delay: 70 });
      await vs.waitForReport((e) => e.event === "completion-shown", 30_000, mark);
      const ghost = page.locator(".monaco-editor .ghost-text-decoration");
      await ghost.first().waitFor({ timeout: 10_000 });
      assert.match((await ghost.allInnerTexts()).join("").replace(/\u00a0/g, " "), /price \* qty;/);
      await vs.screenshot("ghost-text");
      assert.ok(
        ai.completionRequests().some((r) => (r.body as { model?: string } | undefined)?.model === MODELS[0]),
        "the completion came from the picked model on the found server",
      );
    },
  );
});
