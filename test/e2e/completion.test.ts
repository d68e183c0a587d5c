/**
 * E2E: inline completion in a real VS Code with the scripted model (a Qwen-Coder name, so
 * the engine sends a FIM prompt to /v1/completions).
 *  1. Typing in a file shows the model's ghost text; typing through it is answered locally
 *     (no new model request); Tab inserts the rest and the file on disk is right.
 *  2. `console.log(` with the auto-closed `)` after the cursor, the model's raw output
 *     ending in `)`: after Tab the line has exactly one `)`.
 *  3. Moving the cursor away while a slow completion is generating aborts the upstream
 *     request, long before the time limit.
 *  4. A model too slow for the (live-changed) time limit: one clear message suggesting a
 *     smaller model. The status item's menu snoozes completion (no requests while
 *     snoozed), resumes it, and turns it off for the language.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startScriptedAI, type RecordedRequest, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type VSCodeSession, sleep, waitFor, waitForFile } from "./harness";

const MODEL = "qwen2.5-coder-1.5b";

/** The FIM prefix the engine sent (Qwen format; a repository header may come first). */
function fimPrefix(req: RecordedRequest): string {
  const prompt = (req.body as { prompt?: unknown } | undefined)?.prompt;
  if (typeof prompt !== "string") return "";
  const start = prompt.lastIndexOf("<|fim_prefix|>");
  const end = prompt.indexOf("<|fim_suffix|>", start);
  return start === -1 || end === -1 ? "" : prompt.slice(start + "<|fim_prefix|>".length, end);
}

/** What the scripted model writes for the line the cursor is on (raw, as a model would). */
function oracle(req: RecordedRequest): string {
  const prefix = fimPrefix(req);
  const line = prefix.slice(prefix.lastIndexOf("\n") + 1);
  const target = "const total = price * qty;";
  if (line.length >= 6 && target.startsWith(line)) return target.slice(line.length);
  // A model repeats the closing parenthesis that is already in the file after the cursor.
  if (line.endsWith("console.log(")) return '"hello, " + name)';
  return "";
}

describe("E2E: inline completion", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("completion.test.ts");
    if (skip) return;
    ai = await startScriptedAI({ models: [MODEL] });
    ai.setDefault({ echo: oracle, latencyMs: 60 });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
  });

  test(
    "ghost text, type-through, Tab writes the file, no duplicated ')', cancel aborts upstream, too-slow message, snooze/off",
    { timeout: 300_000 },
    async (t) => {
      if (skip || !ai) return t.skip(skip);
      vs = await startVSCode({
        name: "completion",
        settings: {
          "aicockpit.provider.kind": "custom",
          "aicockpit.provider.baseUrl": `${ai.url}/v1`,
          "aicockpit.provider.model": MODEL,
          // Far above what the scripted model needs: in case 3 only the client can end the request early.
          "aicockpit.completion.timeoutMs": 10_000,
          // Keep the suggest widget and parameter hints out of the way of the ghost text.
          "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
          "editor.suggestOnTriggerCharacters": false,
          "editor.parameterHints.enabled": false,
        },
        workspaceFiles: { "calc.js": "", "greet.js": 'const name = "Ada";\n', "slow.js": "" },
      });
      const page = vs.page;
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);
      await vs.waitForStatusBar(/^Complete$/, 30_000);
      await vs.screenshot("ready");

      const ghost = page.locator(".monaco-editor .ghost-text-decoration");
      // Monaco renders ghost text in several spans (per token), spaces as no-break spaces.
      const ghostText = async () => (await ghost.allInnerTexts()).join("").replace(/\u00a0/g, " ");
      const open = (name: string) => vs!.openFile(name);

      // ---- 1. ghost text from the model, type-through without requests, Tab, file on disk
      await open("calc.js");
      let mark = vs.readReport().length;
      await page.keyboard.type("const total = ", { delay: 70 });
      const shown = await vs.waitForReport((e) => e.event === "completion-shown", 20_000, mark);
      await ghost.first().waitFor({ timeout: 10_000 });
      assert.match(await ghostText(), /price \* qty;$/, "ghost text shows the model's suggestion");
      await vs.screenshot("ghost-text");

      const modelCalls = ai.completionRequests().length;
      mark = vs.readReport().length;
      await page.keyboard.type("pri", { delay: 120 });
      await vs.waitForReport(
        (e) => e.event === "completion-typethrough" && e.id === shown.id && e.left === "ce * qty;".length,
        10_000,
        mark,
      );
      await ghost.first().waitFor({ timeout: 5_000 });
      assert.equal(await ghostText(), "ce * qty;", "the rest of the suggestion is still shown");
      await sleep(600); // a request, had one been sent, would have reached the model by now
      assert.equal(ai.completionRequests().length, modelCalls, "typing through the suggestion sent no model request");
      await vs.screenshot("type-through");

      mark = vs.readReport().length;
      await page.keyboard.press("Tab");
      await vs.waitForReport((e) => e.event === "completion-accepted" && e.id === shown.id, 10_000, mark);
      await page.keyboard.press("Control+S");
      await waitForFile(join(vs.workspaceDir, "calc.js"), "const total = price * qty;");
      await vs.screenshot("accepted");

      // ---- 2. `)` already after the cursor: accepting does not duplicate it
      await open("greet.js");
      await page.keyboard.press("Control+End");
      mark = vs.readReport().length;
      await page.keyboard.type("console.log(", { delay: 70 });
      const paren = await vs.waitForReport((e) => e.event === "completion-shown", 20_000, mark);
      await ghost.first().waitFor({ timeout: 10_000 });
      assert.equal(await ghostText(), '"hello, " + name', "the model's `)` is not shown again");
      await vs.screenshot("ghost-before-paren");
      await page.keyboard.press("Tab");
      await vs.waitForReport((e) => e.event === "completion-accepted" && e.id === paren.id, 10_000, mark);
      await page.keyboard.press("Control+S");
      await waitForFile(join(vs.workspaceDir, "greet.js"), 'const name = "Ada";\nconsole.log("hello, " + name)');
      const asked = ai.completionRequests().find((r) => fimPrefix(r).endsWith("console.log("));
      assert.ok(asked, "the model was asked with the cursor inside the parentheses");
      assert.match(
        String((asked.body as { prompt: string }).prompt),
        /<\|fim_suffix\|>\)<\|fim_middle\|>/,
        "and the `)` after it as the suffix",
      );
      await vs.screenshot("accepted-one-paren");

      // ---- 3. a slow generation is aborted upstream when the user moves away
      await open("slow.js");
      await page.keyboard.type("let x =", { delay: 70 });
      await sleep(1_000); // the oracle has nothing for this line; let those requests finish
      ai.enqueue({ text: "never shown", latencyMs: 8_000 });
      const before = ai.completionRequests().length;
      mark = vs.readReport().length;
      await page.keyboard.type(" ");
      const slowSeq = await waitForCompletionRequest(ai, before, 15_000);
      await vs.waitForReport(
        (e) => e.event === "completion-status" && String(e.text).startsWith("$(sync~spin)"),
        5_000,
        mark,
      );
      await vs.screenshot("slow-waiting-spinner");
      const movedAt = Date.now();
      await page.keyboard.press("Home"); // the cursor moves: VS Code cancels the provider's token, no newer request follows
      let gone = await ai.waitForDisconnect(6_000);
      while (gone.seq !== slowSeq) gone = await ai.waitForDisconnect(6_000); // earlier superseded ones
      const abortMs = Date.now() - movedAt;
      assert.ok(abortMs < 3_000, `upstream aborted ${abortMs} ms after the cursor moved (time limit is 10 s)`);
      await vs.screenshot("after-cancel");

      // ---- 4. too slow → one message; status menu: snooze, resume, off for the language
      const settingsFile = join(vs.userDataDir, "User", "settings.json");
      mark = vs.readReport().length;
      // Changed the way a user would, in the Settings UI; completion settings apply without a backend restart.
      await vs.runCommand("Preferences: Open User Settings");
      await page.locator(".settings-editor").waitFor({ state: "visible", timeout: 15_000 });
      await sleep(500); // the search box has focus once the editor is up
      await page.keyboard.type("aicockpit.completion.timeoutMs");
      // Wait for the search to filter: typing into the first number box could hit another setting.
      const input = page
        .locator(".settings-editor .setting-item-number", { hasText: "Timeout Ms" })
        .locator("input")
        .first();
      await input.waitFor({ timeout: 15_000 });
      await input.click();
      await page.keyboard.press("Control+A");
      await page.keyboard.type("400");
      await page.keyboard.press("Tab");
      await vs.screenshot("setting-timeout");
      await vs.waitForReport((e) => e.event === "completion-settings" && e.timeoutMs === 400, 20_000, mark);
      await page.keyboard.press("Control+W");
      await page.locator(".monaco-editor .view-lines").first().click();
      assert.ok(
        !vs
          .readReport()
          .slice(mark)
          .some((e) => e.event === "backend-spawned"),
        "no backend restart",
      );
      ai.setDefault({ text: "alpha + beta + gamma + delta + epsilon", latencyMs: 150, chunkDelayMs: 200 });
      mark = vs.readReport().length;
      await page.keyboard.press("Control+End");
      await page.keyboard.press("Enter");
      for (const word of ["let y = ", "z", "w", "v", "u"]) {
        if (
          vs
            .readReport()
            .slice(mark)
            .some((e) => e.event === "completion-too-slow")
        )
          break;
        await page.keyboard.type(word, { delay: 50 });
        await sleep(1_200);
      }
      await vs.waitForReport((e) => e.event === "completion-too-slow", 10_000, mark);
      const toast = page.locator(".notifications-toasts .notification-toast", {
        hasText: "too slow for inline completion",
      });
      await toast.first().waitFor({ timeout: 10_000 });
      await sleep(600); // let the toast finish sliding in
      await vs.screenshot("too-slow-message");
      assert.equal(
        vs
          .readReport()
          .slice(mark)
          .filter((e) => e.event === "completion-too-slow").length,
        1,
        "told once",
      );
      await page.keyboard.press("Escape");
      ai.setDefault({ echo: oracle, latencyMs: 60 });

      const menu = async (choice: string) => {
        await vs!.statusBarItem("Complete").first().click();
        await page.locator(".quick-input-widget").waitFor({ state: "visible" });
        await vs!.screenshot(`menu-${choice}`);
        await page.locator(".quick-input-list .monaco-list-row", { hasText: choice }).first().click();
      };
      await menu("Snooze for 5 minutes");
      await vs.waitForStatusBar(/^Complete: 5 min$/, 10_000);
      await page.locator(".monaco-editor .view-lines").first().click();
      await page.keyboard.press("Control+End");
      const whileSnoozed = ai.completionRequests().length;
      await page.keyboard.type(" + 1", { delay: 80 });
      await sleep(1_000);
      assert.equal(ai.completionRequests().length, whileSnoozed, "no requests while snoozed");
      await vs.screenshot("snoozed");
      await menu("Resume now");
      await vs.waitForStatusBar(/^Complete$/, 10_000);
      await menu("Disable for javascript");
      await vs.waitForStatusBar(/^Complete: off \(javascript\)$/, 10_000);
      await waitFor(
        () =>
          /"aicockpit\.completion\.disabledLanguages":\s*\[\s*"javascript"\s*\]/.test(
            readFileSync(settingsFile, "utf8"),
          ),
        "per-language setting written",
      );
      await vs.screenshot("off-for-javascript");
    },
  );
});

/** Seq of the first completion request after the first `count` ones. */
async function waitForCompletionRequest(ai: ScriptedAI, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = ai.completionRequests()[count];
    if (r) return r.seq;
    await sleep(50);
  }
  assert.fail("no completion request reached the model");
}
