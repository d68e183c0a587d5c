/**
 * E2E: the chat panel in a real VS Code with the scripted model.
 *  1. Open the panel from the activity bar, type a message with an @file mention picked from
 *     the popup (a path with a space): the streamed answer is the fact that only the file
 *     holds, so the file's content reached the prompt.
 *  2. A markdown answer with code blocks: highlighted, with Copy/Insert/Apply/Run; Apply opens
 *     the Ctrl+K review on the file the block names; Run goes through the terminal
 *     confirmation (cancelled: nothing runs).
 *  3. Stop mid-stream: the upstream request is aborted and the answer is marked stopped;
 *     @terminal brings shell-integration output into the prompt; an answer that fails
 *     mid-stream is retried from its error line: the question goes again (its @file read anew,
 *     same model) and the new answer takes the failed one's place; then that question is
 *     edited (Edit puts it back in the composer, Esc cancels) and sent in the last turn's place.
 *  4. Dark theme screenshots; "Ask AiCockpit about This" attaches the selection; reload the
 *     window: the session is in the history list, the edited turn with its new answer only;
 *     high contrast; delete it from the history.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FrameLocator } from "playwright-core";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type VSCodeSession, sleep, waitForFile } from "./harness";

const MODEL = "scripted-chat-7b";
type ChatBody = { model: string; messages: { role: string; content: string }[] };
const FACT = "the launch code is PURPLE-OTTER-42";
const APP = [
  "export function total(items) {",
  "  let s = 0;",
  "  for (const it of items) s += it.price;",
  "  return s;",
  "}",
  "",
].join("\n");
const MARKDOWN_ANSWER = [
  "Here is a **safer** version of `total`:",
  "",
  "```js src/app.js",
  "export function total(items = []) {",
  "  // skip items without a price",
  "  return items.reduce((s, it) => s + (it.price ?? 0), 0);",
  "}",
  "```",
  "",
  "Then run the tests:",
  "",
  "```sh",
  "npm test -- --watch=false",
  "```",
  "",
  "1. `reduce` starts from `0`",
  "2. missing prices count as zero",
].join("\n");

describe("E2E: chat panel", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("chat.test.ts");
    if (skip) return;
    ai = await startScriptedAI({ models: [MODEL, "scripted-large"] });
    ai.setDefault({ echo: "fact", chunkDelayMs: 60 });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
  });

  test(
    "@file mention from the popup, streamed answer, code-block Apply, Stop, dark theme, history after reload",
    { timeout: 300_000 },
    async (t) => {
      if (skip || !ai) return t.skip(skip);
      const settings = {
        "aicockpit.provider.kind": "custom",
        "aicockpit.provider.baseUrl": `${ai.url}/v1`,
        "aicockpit.provider.model": MODEL,
        "workbench.colorTheme": "Default Light Modern",
      };
      vs = await startVSCode({
        name: "chat",
        settings,
        workspaceFiles: {
          "docs/secret notes.txt": `Project notes\nFACT: ${FACT}\nnothing else here\n`,
          "src/app.js": APP,
          ".env": "API_KEY=do-not-send\n",
        },
      });
      const page = vs.page;
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);

      // ---- 1. open the panel from the activity bar
      let mark = vs.readReport().length;
      await vs.showAiCockpitSideBar();
      await vs.waitForReport((e) => e.event === "chat-ready", 30_000, mark);
      const frame: FrameLocator = page.frameLocator(".webview.ready").first().frameLocator("#active-frame");
      const input = frame.locator("textarea.input");
      await input.waitFor({ timeout: 15_000 });
      await frame.locator(".model option", { hasText: MODEL }).waitFor({ state: "attached", timeout: 15_000 });
      // On first open the chat has the side bar: the container's other views start folded.
      for (const name of [/^Workspaces/i, /^Remote Hosts/i, /^Tasks/i, /^Tickets/i]) {
        const header = page.locator(".sidebar .pane-header", { hasText: name }).first();
        assert.equal(await header.getAttribute("aria-expanded"), "false", `${String(name)} starts folded`);
      }
      const sidebarHeight = (await page.locator(".part.sidebar").boundingBox())?.height ?? 0;
      const chatHeight = (await page.locator(".webview.ready").first().boundingBox())?.height ?? 0;
      assert.ok(chatHeight > sidebarHeight * 0.6, `chat ${chatHeight}px of a ${sidebarHeight}px side bar`);
      await vs.screenshot("light-empty");

      // ---- type a message, pick the file from the @ popup
      await input.click();
      await page.keyboard.type("What does @secret");
      const row = frame.locator(".picker-row", { hasText: "secret notes.txt" });
      await row.waitFor({ timeout: 10_000 });
      assert.equal(
        await frame.locator(".picker-row", { hasText: ".env" }).count(),
        0,
        "secret files are never offered",
      );
      await vs.screenshot("light-picker");
      await row.click();
      const chip = frame.locator(".composer .chip", { hasText: "docs/secret notes.txt" });
      await chip.waitFor({ timeout: 10_000 });
      assert.equal(await frame.locator(".composer .chip-error").count(), 0, "the chip resolved without error");
      await page.keyboard.type("say about the launch? Answer briefly.");
      assert.equal(
        await input.inputValue(),
        'What does @"docs/secret notes.txt" say about the launch? Answer briefly.',
        "the pick is written as a quoted mention",
      );
      mark = vs.readReport().length;
      await page.keyboard.press("Enter");

      const answer = frame.locator(".msg.assistant").last();
      await answer.locator(".md", { hasText: "PURPLE-OTTER-42" }).waitFor({ timeout: 30_000 });
      const finished = await vs.waitForReport((e) => e.event === "chat-finished", 30_000, mark);
      assert.equal(finished.status, "done");
      assert.equal(
        (await answer.locator(".md").innerText()).trim(),
        FACT,
        "the answer is the fact only the mentioned file holds",
      );
      const sent = ai.completionRequests().at(-1)!.body as {
        model: string;
        messages: { role: string; content: string }[];
      };
      assert.equal(sent.model, MODEL);
      assert.match(sent.messages.at(-1)!.content, /### File `docs\/secret notes.txt`/);
      assert.ok(!JSON.stringify(sent).includes("do-not-send"));
      await frame.locator(".msg.user .chip", { hasText: "docs/secret notes.txt" }).waitFor();
      await vs.screenshot("light-answer");

      // ---- 2. markdown with code blocks; Apply opens the review on the file the block names
      ai.enqueue({ text: MARKDOWN_ANSWER, chunkDelayMs: 15 });
      mark = vs.readReport().length;
      await input.click();
      await page.keyboard.type("Make total safer");
      await page.keyboard.press("Enter");
      await vs.waitForReport((e) => e.event === "chat-finished", 30_000, mark);
      const blocks = frame.locator(".msg.assistant").last().locator(".code-block");
      assert.equal(await blocks.count(), 2);
      assert.ok((await blocks.first().locator(".hljs-keyword").count()) > 0, "syntax highlighted");
      assert.equal(await blocks.nth(1).locator('[data-action="run"]').count(), 1, "the shell block has Run");
      assert.equal(await blocks.first().locator('[data-action="run"]').count(), 0);
      await vs.screenshot("light-code-blocks");
      await blocks.first().locator('[data-action="apply"]').click();
      const review = await vs.waitForReport((e) => e.event === "edit-review", 20_000, mark);
      assert.ok(String(review.file).endsWith(join("src", "app.js")), `review opened on ${String(review.file)}`);
      await page
        .locator(".codelens-decoration a", { hasText: /^Accept All/ })
        .first()
        .waitFor({ timeout: 10_000 });
      await vs.screenshot("light-apply-review");
      const toast = frame.locator(".toast", { hasText: "Review the changes in src/app.js" });
      await toast.waitFor({ state: "hidden", timeout: 8_000 });
      await page.keyboard.press("Control+Shift+Backspace"); // reject all: the file stays as it was
      await vs.waitForReport((e) => e.event === "edit-finished", 10_000, mark);
      await page.keyboard.press("Control+S");
      await waitForFile(join(vs.workspaceDir, "src", "app.js"), APP);

      // Run on the shell block goes through the terminal confirmation flow; cancelling runs nothing.
      mark = vs.readReport().length;
      await blocks.nth(1).locator('[data-action="run"]').click();
      const assessed = await vs.waitForReport((e) => e.event === "terminal-assessed", 20_000, mark);
      assert.equal(assessed.command, "npm test -- --watch=false");
      await vs.waitForReport((e) => e.event === "terminal-confirm", 10_000, mark);
      await page.locator(".quick-input-widget").waitFor({ state: "visible", timeout: 10_000 });
      await sleep(300);
      await vs.screenshot("light-run-confirm");
      await page.keyboard.press("Escape");
      await vs.waitForReport((e) => e.event === "terminal-cancelled", 10_000, mark);
      assert.ok(
        !vs
          .readReport()
          .slice(mark)
          .some((e) => e.event === "terminal-ran"),
        "nothing ran",
      );

      // ---- 3. Stop mid-stream
      ai.enqueue({ text: Array.from({ length: 400 }, (_, i) => `word${i}`).join(" "), chunkDelayMs: 80 });
      mark = vs.readReport().length;
      await input.click();
      await page.keyboard.type("Tell me a long story");
      await page.keyboard.press("Enter");
      const stop = frame.locator("button.send.stop");
      await stop.waitFor({ timeout: 10_000 });
      await frame.locator(".msg.assistant").last().locator(".md", { hasText: "word5" }).waitFor({ timeout: 15_000 });
      const disconnected = ai.waitForDisconnect(15_000);
      await vs.screenshot("light-streaming");
      await stop.click();
      const gone = await disconnected;
      assert.equal(gone.completed, false, "the upstream request was aborted");
      const stopped = await vs.waitForReport((e) => e.event === "chat-finished", 15_000, mark);
      assert.equal(stopped.status, "stopped");
      await frame.locator(".msg.assistant .status.stopped").waitFor({ timeout: 10_000 });
      const kept = await frame.locator(".msg.assistant").last().locator(".md").innerText();
      assert.ok(kept.includes("word1") && !kept.includes("word399"), "the partial answer is kept");
      await frame.locator("button.send:not(.stop)").waitFor({ timeout: 5_000 });
      await vs.screenshot("light-stopped");

      // ---- @terminal: output captured through shell integration reaches the prompt
      await vs.runCommand("Terminal: Create New Terminal");
      await page.locator(".terminal-wrapper.active .xterm").waitFor({ timeout: 15_000 });
      // The command line itself holds no "FACT:", only its output does. A command typed before the
      // shell has reported shell integration is not captured: try again until one is.
      for (let attempt = 1; ; attempt++) {
        await sleep(1000);
        const before = vs.readReport().length;
        // (a short sleep first: output written before the start event reaches the extension is lost)
        await page.keyboard.type("sleep 0.5; printf 'FACT%s the terminal says TEAL-HERON-7\\n' ':'");
        await page.keyboard.press("Enter");
        const captured = await vs
          .waitForReport((e) => e.event === "chat-terminal-output", 6_000, before)
          .catch(() => undefined);
        if (captured) break;
        if (attempt === 4) assert.fail("no shell-integration output was captured from the terminal");
      }
      mark = vs.readReport().length;
      await input.click();
      await page.keyboard.type("What did the terminal print? @terminal ");
      await frame.locator(".composer .chip", { hasText: "terminal" }).waitFor({ timeout: 10_000 });
      await page.keyboard.press("Enter");
      const viaTerminal = await vs.waitForReport((e) => e.event === "chat-finished", 30_000, mark);
      assert.equal(viaTerminal.status, "done");
      const terminalPrompt = (ai.completionRequests().at(-1)!.body as { messages: { content: string }[] }).messages.at(
        -1,
      )!.content;
      assert.match(
        terminalPrompt,
        /FACT: the terminal says TEAL-HERON-7/,
        `terminal output in the prompt:\n${terminalPrompt}`,
      );
      await frame
        .locator(".msg.assistant")
        .last()
        .locator(".md", { hasText: "the terminal says TEAL-HERON-7" })
        .waitFor({ timeout: 10_000 });
      await vs.screenshot("light-terminal-mention");

      // ---- Retry: the connection drops mid-answer; Retry in the error line asks again in place
      const retryFile = join(vs.workspaceDir, "docs", "retry.txt");
      await writeFile(retryFile, "FACT: the first draft says BLUE-FINCH-1\n");
      const answersBefore = await frame.locator(".msg.assistant").count();
      ai.enqueue({ text: "Reading the file now and", dropAfterChunks: 2, chunkDelayMs: 30 });
      mark = vs.readReport().length;
      await input.click();
      await page.keyboard.type("Quote the fact in @docs/retry.txt ");
      await frame.locator(".composer .chip", { hasText: "docs/retry.txt" }).waitFor({ timeout: 10_000 });
      await page.keyboard.press("Enter");
      const failed = await vs.waitForReport((e) => e.event === "chat-finished", 30_000, mark);
      assert.equal(failed.status, "error");
      const failedAnswer = frame.locator(".msg.assistant").last();
      const retryLink = failedAnswer.locator(".status.error button", { hasText: "Retry" });
      await retryLink.waitFor({ timeout: 10_000 });
      const linkBox = (await retryLink.boundingBox())!;
      const transcriptBox = (await frame.locator(".transcript").boundingBox())!;
      assert.ok(
        linkBox.y + linkBox.height <= transcriptBox.y + transcriptBox.height + 1,
        "the error line with Retry is scrolled into view",
      );
      assert.equal(
        await failedAnswer.locator('.msg-actions button[aria-label="Retry this answer"] .codicon-refresh').count(),
        1,
        "the icon button under the failed answer",
      );
      assert.equal(await frame.locator("[data-retry]").count(), 2, "Retry is offered on the last answer only");
      const failedBody = ai.completionRequests().at(-1)!.body as ChatBody;
      await vs.screenshot("chat-retry");
      // The file changes before the retry: the question is sent again with what it says now.
      await writeFile(retryFile, "FACT: the second draft says RED-KITE-2\n");
      mark = vs.readReport().length;
      await retryLink.click();
      const resent = await vs.waitForReport((e) => e.event === "chat-sent", 15_000, mark);
      assert.equal(resent.retry, true);
      const retried = await vs.waitForReport((e) => e.event === "chat-finished", 30_000, mark);
      assert.equal(retried.status, "done");
      await frame
        .locator(".msg.assistant")
        .last()
        .locator(".md", { hasText: "RED-KITE-2" })
        .waitFor({ timeout: 10_000 });
      assert.equal(await frame.locator(".msg.assistant").count(), answersBefore + 1, "replaced, not appended");
      assert.equal(await frame.locator(".msg.user", { hasText: "Quote the fact in" }).count(), 1);
      assert.equal(await frame.locator(".status.error").count(), 0, "the failed answer is gone");
      assert.equal(await frame.locator("[data-retry]").count(), 1, "the new answer offers Retry itself");
      const retryBody = ai.completionRequests().at(-1)!.body as ChatBody;
      assert.equal(retryBody.model, failedBody.model, "the same model");
      assert.deepEqual(retryBody.messages.slice(0, -1), failedBody.messages.slice(0, -1), "the same history");
      assert.match(retryBody.messages.at(-1)!.content, /Quote the fact in @docs\/retry.txt/);
      assert.match(retryBody.messages.at(-1)!.content, /RED-KITE-2/, "the mention was read again");
      assert.doesNotMatch(retryBody.messages.at(-1)!.content, /BLUE-FINCH-1/);
      await vs.screenshot("chat-retry-done");

      // ---- Edit: the last question back in the composer (Esc gives back the draft), one word
      // changed, Enter: it replaces the last turn, asked of the same model after the same history.
      const editButton = frame.locator('.msg.user button[aria-label="Edit this question"] .codicon-edit');
      assert.equal(await editButton.count(), 1, "Edit is offered on the last question only");
      await input.fill("half-typed draft");
      await editButton.click();
      const editBar = frame.locator(".edit-bar", { hasText: "Editing your last question" });
      await editBar.waitFor({ timeout: 5_000 });
      assert.equal(await input.inputValue(), "Quote the fact in @docs/retry.txt");
      assert.equal(await frame.locator(".msg.user.editing").count(), 1, "the question being edited is marked");
      await page.keyboard.press("Escape");
      await editBar.waitFor({ state: "hidden", timeout: 5_000 });
      assert.equal(await frame.locator(".msg.user.editing").count(), 0);
      assert.equal(await input.inputValue(), "half-typed draft", "Esc gives back what the composer held");
      await editButton.click();
      await editBar.waitFor({ timeout: 5_000 });
      await frame.locator(".composer .chip", { hasText: "docs/retry.txt" }).waitFor({ timeout: 5_000 });
      await vs.screenshot("chat-edit");
      const messagesBefore = await frame.locator(".msg").count();
      ai.enqueue({ text: "Cited again: GREEN-OWL-3", chunkDelayMs: 20 });
      mark = vs.readReport().length;
      await input.fill("Cite the fact in @docs/retry.txt");
      await page.keyboard.press("Enter");
      const editSent = await vs.waitForReport((e) => e.event === "chat-sent", 15_000, mark);
      assert.equal(editSent.edit, true);
      assert.equal((await vs.waitForReport((e) => e.event === "chat-finished", 30_000, mark)).status, "done");
      await frame.locator(".msg.assistant").last().locator(".md", { hasText: "GREEN-OWL-3" }).waitFor();
      assert.equal(await frame.locator(".msg").count(), messagesBefore, "replaced in place, not appended");
      assert.equal(await frame.locator(".msg.user", { hasText: "Quote the fact in" }).count(), 0);
      assert.equal(await frame.locator(".msg.user").last().locator(".chip", { hasText: "docs/retry.txt" }).count(), 1);
      assert.equal(await editBar.isVisible(), false);
      assert.equal(await input.inputValue(), "half-typed draft", "the draft is back after the edit is sent");
      const editBody = ai.completionRequests().at(-1)!.body as ChatBody;
      assert.equal(editBody.model, retryBody.model, "the same model");
      assert.deepEqual(editBody.messages.slice(0, -1), retryBody.messages.slice(0, -1), "no old turn in the history");
      assert.match(editBody.messages.at(-1)!.content, /Cite the fact in @docs\/retry.txt/);
      await input.fill("");

      // ---- 4. dark theme, then reload: the session is in history
      // Themes switched the way a user does: Preferences: Color Theme.
      await vs.runCommand("Preferences: Color Theme");
      await page.keyboard.type("Default Dark Modern");
      await page
        .locator(".quick-input-list .monaco-list-row", { hasText: "Default Dark Modern" })
        .first()
        .click({ timeout: 10_000 });
      await page.locator(".monaco-workbench.vs-dark").waitFor({ timeout: 15_000 });
      await frame.locator("body.vscode-dark").waitFor({ state: "attached", timeout: 15_000 });
      await sleep(800);
      await frame.locator(".transcript").evaluate((el) => (el.scrollTop = 0));
      await sleep(300);
      await vs.screenshot("dark-answer");
      await frame.locator(".transcript").evaluate((el) => (el.scrollTop = el.scrollHeight / 3));
      await sleep(300);
      await vs.screenshot("dark-code-blocks");

      // "Ask AiCockpit about This": the editor's selection lands in the composer as a chip.
      await page.locator(".monaco-editor .view-lines").first().click();
      await page.keyboard.press("Control+A");
      await vs.runCommand("AiCockpit: Ask AiCockpit about This");
      await frame.locator(".composer .chip", { hasText: "src/app.js:1-5" }).waitFor({ timeout: 15_000 });
      await vs.screenshot("dark-ask-about-selection");

      mark = vs.readReport().length;
      await vs.runCommand("Developer: Reload Window");
      await vs.waitForWorkbench(60_000);
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);
      // VS Code restores the side bar itself; showing it again must not toggle it away.
      await vs.showAiCockpitSideBar();
      await vs.waitForReport((e) => e.event === "chat-ready", 40_000, mark);
      const after = page.frameLocator(".webview.ready").first().frameLocator("#active-frame");
      // The current session comes back with its messages.
      await after.locator(".msg.user", { hasText: "Tell me a long story" }).waitFor({ timeout: 15_000 });
      // The model picker recovers once the restarted backend answers.
      await after.locator(".model option", { hasText: MODEL }).waitFor({ state: "attached", timeout: 30_000 });
      await vs.runCommand("AiCockpit: Chat History");
      const item = after.locator(".history-item", { hasText: 'What does @"docs/secret notes.txt" say' });
      await item.waitFor({ timeout: 10_000 });
      // 5 questions and 5 answers: the retried answer replaced the failed one, the edited turn the retried one.
      assert.match(await item.locator(".history-meta").innerText(), /10 messages/);
      await after.locator(".msg.assistant").last().locator(".md", { hasText: "GREEN-OWL-3" }).waitFor();
      assert.equal(await after.locator(".msg.user", { hasText: "Cite the fact in" }).count(), 1);
      assert.equal(await after.locator(".msg.user", { hasText: "Quote the fact in" }).count(), 0);
      assert.equal(await after.locator(".status.error").count(), 0, "the failed answer is not in the history");
      await vs.screenshot("dark-history-after-reload");

      // High contrast: the panel draws with the theme's contrast borders.
      await vs.runCommand("Preferences: Color Theme");
      await page.keyboard.type("Default High Contrast");
      await page
        .locator(".quick-input-list .monaco-list-row", { hasText: "Default High Contrast" })
        .filter({ hasNotText: "Light" })
        .first()
        .click({ timeout: 10_000 });
      await after.locator("body.vscode-high-contrast").waitFor({ state: "attached", timeout: 15_000 });
      await vs.runCommand("AiCockpit: Chat History"); // closes the list again
      await sleep(800);
      await vs.screenshot("hc-after-reload");

      // Delete from the history: the list is empty and the panel starts a new chat.
      await vs.runCommand("AiCockpit: Chat History");
      await item.hover();
      await item.locator(".history-delete").click();
      await after.locator(".history-empty").waitFor({ timeout: 10_000 });
      await vs.runCommand("AiCockpit: Chat History");
      await after.locator(".empty h2", { hasText: "Ask AiCockpit" }).waitFor({ timeout: 10_000 });
      assert.equal(await after.locator(".msg").count(), 0);
    },
  );
});
