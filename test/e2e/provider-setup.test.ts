/**
 * E2E: first-run provider setup in a real VS Code, against the scripted AI service.
 * A key the service rejects shows "API key rejected"; clicking the status bar item opens
 * the password box; the key goes to SecretStorage and the backend restarts with it; Select
 * Model lists the service's models and switches; Test Connection reports latency, and a 429
 * as "rate limited". The key never appears in the extension's log. Screenshots per step in
 * .test-artifacts/e2e/.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type VSCodeSession } from "./harness";

const KEY = "sk-e2e-0123456789abcdefXYZ";
const MODELS = ["scripted-a", "scripted-b"];

function filesNamed(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesNamed(p, name) : n === name ? [p] : [];
  });
}

describe("E2E: provider setup (Set API Key, Select Model, Test Connection)", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("provider-setup.test.ts");
    if (skip) return;
    ai = await startScriptedAI({ apiKey: KEY, models: MODELS, strictModels: true });
    ai.setDefault({ text: "OK" });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
  });

  test("auth failure → click → key → ready; select model; test connection; 429", { timeout: 240_000 }, async (t) => {
    if (skip || !ai) return t.skip(skip);
    vs = await startVSCode({
      name: "provider-setup",
      settings: {
        "aicockpit.provider.kind": "custom",
        "aicockpit.provider.baseUrl": `${ai.url}/v1`,
        "aicockpit.provider.model": "scripted-a",
      },
    });
    const page = vs.page;
    const toasts = page.locator(".notifications-toasts .notification-toast");

    // 1. No key stored: the service answers 401 and the status bar says so, with a notification.
    await vs.waitForStatusBar(/AiCockpit: API key rejected$/, 60_000);
    await toasts.filter({ hasText: "API key rejected" }).first().waitFor({ state: "visible", timeout: 15_000 });
    await vs.screenshot("auth-failed");

    // 2. Clicking the status bar item runs Set API Key: a password box.
    const mark = vs.readReport().length;
    await vs.statusBarItem("API key rejected").click();
    const input = page.locator(".quick-input-widget input[type='password']");
    await input.waitFor({ state: "visible", timeout: 10_000 });
    await vs.screenshot("password-box");
    await input.fill(KEY);
    await page.keyboard.press("Enter");
    // The key change restarts the backend (new pid) and the service accepts the key.
    await vs.waitForReport((e) => e.event === "backend-ready", 30_000, mark);
    await vs.waitForStatusBar(/AiCockpit: scripted-a$/, 30_000);
    assert.ok(
      ai.requests.some((r) => r.headers.authorization === `Bearer ${KEY}`),
      "the backend never sent the stored key to the AI service",
    );
    await vs.screenshot("ready-after-key");

    // 3. Select Model: the service's list; picking one switches the status bar.
    await vs.runCommand("AiCockpit: Select Model");
    const rowB = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: "scripted-b" });
    await rowB.first().waitFor({ state: "visible", timeout: 15_000 });
    await vs.screenshot("model-list");
    await rowB.first().click();
    await vs.waitForStatusBar(/AiCockpit: scripted-b$/, 30_000);
    await vs.screenshot("ready-model-b");

    // 4. Test Connection: success with latency, then a 429 as "rate limited".
    await vs.runCommand("AiCockpit: Test Connection");
    await toasts
      .filter({ hasText: /connected to scripted-b in \d+ ms/ })
      .first()
      .waitFor({ state: "visible", timeout: 20_000 });
    await vs.screenshot("test-ok");
    ai.enqueue({ status: 429, headers: { "retry-after": "0" } });
    await vs.runCommand("AiCockpit: Test Connection");
    await toasts.filter({ hasText: "AiCockpit: rate limited." }).first().waitFor({ state: "visible", timeout: 20_000 });
    await vs.screenshot("test-rate-limited");

    // 5. The key never reaches the log channel (backend stderr included).
    const logs = filesNamed(join(vs.userDataDir, "logs"), "AiCockpit.log");
    assert.ok(logs.length > 0, "no AiCockpit.log written");
    const text = logs.map((f) => readFileSync(f, "utf8")).join("\n");
    assert.match(text, /backend ready on 127\.0\.0\.1:\d+/);
    assert.ok(!text.includes(KEY), "the API key appears in the AiCockpit log");
  });
});
