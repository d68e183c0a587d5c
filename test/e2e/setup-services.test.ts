/**
 * E2E: the setup quick pick's "AI service" paths in a real VS Code, against the scripted AI
 * service (which asks for a key). Nothing configured at start. "Another OpenAI-compatible
 * server…": its address, then the key in a password box, then the model name → the status bar
 * names the model and typing shows the service's ghost text. Then "Azure OpenAI": the resource
 * address, the key, the deployment → the same, over Azure's paths and `api-key` header. Each
 * key reaches the service from VS Code's secret storage and is never written to settings.json or
 * the log. Screenshots per step in .test-artifacts/e2e/setup-services/.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type VSCodeSession } from "./harness";

const KEY = "sk-e2e-setup-4f7d2c9a1b6e8d3f";
const MODEL = "scripted-coder";
const DEPLOYMENT = "coder-deployment";

function filesNamed(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesNamed(p, name) : n === name ? [p] : [];
  });
}

describe("E2E: setup → an AI service with a key (OpenAI-compatible URL, Azure)", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("setup-services.test.ts");
    if (skip) return;
    ai = await startScriptedAI({ apiKey: KEY, models: [MODEL, DEPLOYMENT] });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
  });

  test(
    "quick pick → address → key → model: status, ghost text, key only in secret storage",
    { timeout: 360_000 },
    async (t) => {
      if (skip || !ai) return t.skip(skip);
      vs = await startVSCode({
        name: "setup-services",
        settings: {
          "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
          "editor.suggestOnTriggerCharacters": false,
        },
        workspaceFiles: { "calc.js": "", "area.js": "" },
      });
      const v = vs;
      const page = v.page;
      const widget = page.locator(".quick-input-widget");
      const rows = widget.locator(".quick-input-list .monaco-list-row");
      const input = widget.locator("input.input").first();
      const settings = () => readFileSync(join(v.userDataDir, "User", "settings.json"), "utf8");

      /** Opens the setup quick pick from the status item and picks the service row `label`. */
      const pickService = async (label: string) => {
        await v.runCommand("AiCockpit: Set Up a Model");
        // The command palette is a quick input too: wait until the setup pick has replaced it.
        await widget
          .locator(".quick-input-title", { hasText: "AiCockpit: Set Up a Model" })
          .waitFor({ state: "visible", timeout: 30_000 });
        // Rows shift when the server scan and the built-in list arrive: a click while they load can land on
        // a row being replaced (seen once on a loaded CI box), so pick once both are in.
        await rows
          .filter({ hasText: /Looking for model servers|Reading the built-in model list/ })
          .first()
          .waitFor({ state: "detached", timeout: 30_000 });
        const row = rows.filter({ hasText: label }).first();
        await row.waitFor({ state: "visible", timeout: 30_000 });
        return row;
      };
      /** Types into the open input box after checking its title. */
      const answer = async (title: RegExp, value: string, shot: string) => {
        await widget.locator(".quick-input-title", { hasText: title }).waitFor({ state: "visible", timeout: 30_000 });
        await input.fill(value);
        await v.screenshot(shot);
        await page.keyboard.press("Enter");
      };
      const ghostText = async (file: string, typed: string, expected: RegExp, shot: string) => {
        await v.openFile(file);
        const mark = v.readReport().length;
        await page.keyboard.type(typed, { delay: 70 });
        await v.waitForReport((e) => e.event === "completion-shown", 45_000, mark);
        const ghost = page.locator(".monaco-editor .ghost-text-decoration");
        await ghost.first().waitFor({ timeout: 10_000 });
        assert.match((await ghost.allInnerTexts()).join("").replace(/\u00a0/g, " "), expected);
        await v.screenshot(shot);
      };

      // 0. Nothing configured: the neutral invitation.
      await v.waitForStatusBar(/AiCockpit: set up a model$/, 90_000);

      // 1. Another OpenAI-compatible server: address, key (password box), model.
      ai.setDefault({ text: "price * qty;" });
      const custom = await pickService("Another OpenAI-compatible server");
      await v.screenshot("1-quick-pick");
      await custom.click();
      await answer(/OpenAI-compatible server address/, `${ai.url}/v1`, "2-custom-address");
      await widget.locator("input[type='password']").waitFor({ state: "visible", timeout: 30_000 });
      await answer(/API key for custom/, KEY, "3-custom-key");
      await answer(/AiCockpit: Model$/, MODEL, "4-custom-model");
      await v.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 60_000);
      await v.screenshot("5-custom-ready");
      let s = JSON.parse(settings()) as Record<string, unknown>;
      assert.equal(s["aicockpit.provider.kind"], "custom");
      assert.equal(s["aicockpit.provider.baseUrl"], `${ai.url}/v1`);
      assert.equal(s["aicockpit.provider.model"], MODEL);
      await ghostText("calc.js", "const total = ", /price \* qty;/, "6-custom-ghost-text");
      const customReqs = ai.completionRequests().filter((r) => !r.deployment);
      assert.ok(customReqs.length > 0, "no completion request reached the service");
      assert.ok(
        customReqs.every((r) => r.headers.authorization === `Bearer ${KEY}`),
        "a request went out without the stored key",
      );

      // 2. Azure OpenAI: resource address, key, deployment.
      ai.setDefault({ text: "Math.PI * r * r;" });
      const azure = await pickService("Azure OpenAI");
      await v.screenshot("7-azure-pick");
      await azure.click();
      await answer(/Azure OpenAI resource address/, ai.url, "8-azure-address");
      await widget.locator("input[type='password']").waitFor({ state: "visible", timeout: 30_000 });
      await answer(/API key for azure/, KEY, "9-azure-key");
      await answer(/Azure deployment name/, DEPLOYMENT, "10-azure-deployment");
      await v.waitForStatusBar(new RegExp(`AiCockpit: ${DEPLOYMENT}$`), 60_000);
      await v.screenshot("11-azure-ready");
      s = JSON.parse(settings()) as Record<string, unknown>;
      assert.equal(s["aicockpit.provider.kind"], "azure");
      assert.equal(s["aicockpit.provider.model"], DEPLOYMENT);
      await ghostText("area.js", "const area = ", /Math\.PI \* r \* r;/, "12-azure-ghost-text");
      const azureReqs = ai.completionRequests().filter((r) => r.deployment === DEPLOYMENT);
      assert.ok(azureReqs.length > 0, "no request reached the Azure deployment");
      assert.ok(
        azureReqs.every((r) => r.headers["api-key"] === KEY && r.headers.authorization === undefined),
        "Azure requests must carry the stored key in api-key",
      );

      // 3. The key lives in secret storage only: not in settings, not in the log.
      assert.ok(!settings().includes(KEY), "the API key was written to settings.json");
      const logs = filesNamed(join(v.userDataDir, "logs"), "AiCockpit.log");
      assert.ok(logs.length > 0, "no AiCockpit.log written");
      assert.ok(
        !logs
          .map((f) => readFileSync(f, "utf8"))
          .join("\n")
          .includes(KEY),
        "the API key appears in the log",
      );
    },
  );
});
