/**
 * E2E: Ctrl+K edit in a real VS Code with the scripted model.
 *  1. Select a function, Ctrl+K, type an instruction: the diff streams in decorated; accept
 *     one hunk and reject the other; the file on disk has exactly the accepted change, and
 *     one Ctrl+Z brings the original back.
 *  2. A second edit is cancelled mid-stream with Esc: the file is byte-for-byte unchanged
 *     and the upstream request was aborted.
 *  3. Ctrl+K and VS Code's Ctrl+K chords: with `aicockpit.edit.ctrlK` on, Ctrl+K opens the
 *     edit prompt at once (no "waiting for second key"); turned off, Ctrl+K Ctrl+C comments
 *     the line again.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scriptedE2E, scriptedProvider, startVSCode, sleep, waitFor, waitForFile } from "./harness";

const MODEL = "scripted-coder-7b";
const ORIGINAL = [
  "function total(items) {",
  "  let s = 0;",
  "  for (const it of items) s += it.price;",
  "  return s;",
  "}",
  "",
].join("\n");
// Two separate hunks: the loop line changes, and a guard line is added before it.
const ANSWER = [
  "```javascript",
  "function total(items) {",
  "  if (!items) return 0;",
  "  let s = 0;",
  "  for (const it of items) s += it.price * it.qty;",
  "  return s;",
  "}",
  "```",
].join("\n");

describe("E2E: Ctrl+K edit", () => {
  const suite = scriptedE2E("edit.test.ts", [MODEL], { text: "OK" });

  test(
    "streamed diff, per-hunk accept/reject, one undo step, cancel restores, chords",
    { timeout: 300_000 },
    async (t) => {
      const { ai } = suite;
      if (suite.skip || !ai) return t.skip(suite.skip);
      const vs = (suite.vs = await startVSCode({
        name: "edit",
        settings: scriptedProvider(ai, MODEL),
        workspaceFiles: { "cart.js": ORIGINAL, "notes.js": "let a = 1;\n" },
      }));
      const page = vs.page;
      const file = join(vs.workspaceDir, "cart.js");
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);

      const open = (name: string) => vs.openFile(name);
      const lens = (text: string) => page.locator(".codelens-decoration a", { hasText: new RegExp(`^${text}$`) });
      const quickInput = page.locator(".quick-input-widget");

      // ---- 1. select the function, Ctrl+K, instruction → streamed diff → accept one hunk, reject the other
      await open("cart.js");
      await page.keyboard.press("Control+A");
      ai.enqueue({ text: ANSWER, chunkDelayMs: 40 });
      let mark = vs.readReport().length;
      await page.keyboard.press("Control+K");
      await quickInput.waitFor({ state: "visible", timeout: 10_000 });
      const title = await quickInput.locator(".quick-input-title").innerText();
      assert.match(title, /edit selection \(lines 1–5\)/, "Ctrl+K opened the edit prompt and names the target");
      await vs.screenshot("prompt");
      await page.keyboard.type("guard against null and use the quantity");
      await page.keyboard.press("Enter");

      await vs.waitForReport((e) => e.event === "edit-started", 10_000, mark);
      const review = await vs.waitForReport((e) => e.event === "edit-review", 30_000, mark);
      assert.equal(review.hunks, 2, "two separate hunks");
      await lens("Accept All \\(2\\)").waitFor({ timeout: 10_000 });
      await vs.screenshot("diff-decorated");
      const sent = ai.completionRequests().at(-1)!.body as { messages: { content: string }[] };
      assert.match(sent.messages.map((m) => m.content).join("\n"), /guard against null and use the quantity/);

      // First hunk (the added guard): Accept. Second hunk (the loop line): Reject.
      await lens("Accept").first().click();
      await vs.waitForReport((e) => e.event === "edit-review" && e.pending === 1, 10_000, mark);
      await lens("Reject").last().click();
      const finished = await vs.waitForReport((e) => e.event === "edit-finished", 10_000, mark);
      assert.equal(finished.outcome, "accepted");
      await page.keyboard.press("Control+S");
      const expected = ORIGINAL.replace(
        "function total(items) {\n",
        "function total(items) {\n  if (!items) return 0;\n",
      );
      await waitForFile(file, expected);
      await vs.screenshot("after-accept-reject");

      // The whole accepted edit is one undo step.
      await page.keyboard.press("Control+Z");
      await page.keyboard.press("Control+S");
      await waitForFile(file, ORIGINAL);

      // ---- 2. cancel mid-stream with Esc: the file stays byte-for-byte the same
      const before = readFileSync(file);
      const slow = ["```javascript", ...Array.from({ length: 40 }, (_, i) => `  step${i}();`), "```"].join("\n");
      ai.enqueue({ text: slow, chunkDelayMs: 120 });
      mark = vs.readReport().length;
      await page.keyboard.press("Control+A");
      await page.keyboard.press("Control+K");
      await quickInput.waitFor({ state: "visible" });
      await page.keyboard.type("rewrite as steps");
      await page.keyboard.press("Enter");
      const disconnected = ai.waitForDisconnect(20_000);
      await vs.waitForStatusBar(/AiCockpit: editing… \(Esc to cancel\)/, 15_000);
      await sleep(800); // some lines have streamed in
      await vs.screenshot("streaming");
      await page.keyboard.press("Escape");
      const cancelled = await vs.waitForReport((e) => e.event === "edit-finished", 10_000, mark);
      assert.equal(cancelled.outcome, "cancelled");
      await vs
        .statusBarItem(/AiCockpit: editing/)
        .first()
        .waitFor({ state: "hidden", timeout: 5_000 });
      await disconnected;
      await page.keyboard.press("Control+S");
      await sleep(500);
      assert.ok(readFileSync(file).equals(before), "file unchanged after cancel");
      await vs.screenshot("after-cancel");

      // ---- 3. Ctrl+K chords: off → Ctrl+K Ctrl+C comments the line
      // Turned off the way a user would: the Settings UI.
      await vs.runCommand("Preferences: Open User Settings");
      // The search box has focus when the settings editor opens.
      await page.locator(".settings-editor").waitFor({ state: "visible", timeout: 15_000 });
      await sleep(500);
      await page.keyboard.type("aicockpit.edit.ctrlK");
      const checkbox = page
        .locator('.settings-editor .setting-item-bool .setting-value-checkbox[aria-checked="true"]')
        .first();
      await checkbox.waitFor({ timeout: 15_000 });
      await vs.screenshot("setting-ctrlk");
      await checkbox.click();
      const settingsFile = join(vs.userDataDir, "User", "settings.json");
      await waitFor(
        () => /"aicockpit\.edit\.ctrlK":\s*false/.test(readFileSync(settingsFile, "utf8")),
        "setting written",
      );
      await page.keyboard.press("Control+W");
      await open("notes.js");
      await page.keyboard.press("Control+Home");
      await page.keyboard.press("Control+K");
      await vs.screenshot("chord-first-key");
      await page.keyboard.press("Control+C");
      await vs.screenshot("chord-second-key");
      await page.keyboard.press("Control+S");
      await waitForFile(join(vs.workspaceDir, "notes.js"), "// let a = 1;\n");
      assert.ok(!(await quickInput.isVisible()), "the edit prompt did not open");
      await vs.screenshot("chord-comment");

      // ---- 4. two edits in two files at once (Ctrl+Alt+K works whatever the setting): no crosstalk
      mark = vs.readReport().length;
      const startEdit = async (name: string, instruction: string) => {
        await open(name);
        await page.keyboard.press("Control+A");
        await page.keyboard.press("Control+Alt+K");
        await quickInput.waitFor({ state: "visible" });
        await page.keyboard.type(instruction);
        await page.keyboard.press("Enter");
      };
      ai.enqueue({ text: "```js\n// cart edited\n```", latencyMs: 2_500 });
      await startEdit("cart.js", "replace with a cart comment");
      ai.enqueue({ text: "```js\n// notes edited\n```" });
      await startEdit("notes.js", "replace with a notes comment");
      await vs.waitForReport((e) => e.event === "edit-review" && String(e.file).endsWith("notes.js"), 15_000, mark);
      await vs.waitForReport((e) => e.event === "edit-review" && String(e.file).endsWith("cart.js"), 15_000, mark);
      await vs.screenshot("two-pending");
      await page.keyboard.press("Control+Shift+Enter"); // accept all in notes.js (active)
      await page.keyboard.press("Control+S");
      await open("cart.js");
      await page.keyboard.press("Control+Shift+Enter");
      await page.keyboard.press("Control+S");
      await waitForFile(join(vs.workspaceDir, "notes.js"), "// notes edited\n");
      await waitForFile(file, "// cart edited\n");

      // ---- 5. an empty answer: the document is unchanged and the user is told why
      mark = vs.readReport().length;
      ai.enqueue({ text: "" });
      await startEdit("cart.js", "do something impossible");
      const failed = await vs.waitForReport((e) => e.event === "edit-finished", 15_000, mark);
      assert.equal(failed.outcome, "failed");
      await page
        .locator(".notifications-toasts .notification-toast", { hasText: "returned no code" })
        .first()
        .waitFor({ timeout: 10_000 });
      await sleep(600); // let the toast finish sliding in for the screenshot
      await vs.screenshot("empty-answer");
      await page.keyboard.press("Control+S");
      await waitForFile(file, "// cart edited\n");
    },
  );
});
