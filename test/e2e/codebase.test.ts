/**
 * E2E: @codebase in a real VS Code with the scripted model and the real backend index.
 *  1. A generated shop repository (a few dozen files) is opened: it is indexed in the background
 *     once the backend is ready (no command), the status bar says how many files.
 *  2. Chat: "@codebase" picked from the mention menu, a question naming a behaviour (not a file):
 *     the two files that implement it reach the model's prompt, the answer lists them under
 *     Sources, and clicking one opens it in the editor at its lines.
 *  3. A file created on disk is forwarded to the index (watcher → batched changes) and found.
 *  4. Ctrl+K with "@codebase" in the instruction: the retrieved helper reaches the edit prompt.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FrameLocator } from "playwright-core";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type VSCodeSession } from "./harness";

const MODEL = "scripted-chat-7b";

/** The two files that answer "how are declined card charges retried?". */
const BACKOFF = [
  "// Exponential backoff for declined card charges: the payment gateway says 'try again later'.",
  "export const DECLINED_RETRY_LIMIT = 4;",
  "",
  "export function declinedChargeDelayMs(attempt: number): number {",
  "  return Math.min(30_000, 500 * 2 ** attempt);",
  "}",
  "",
  "export async function retryDeclinedCharge<T>(charge: () => Promise<T>, isDeclined: (e: unknown) => boolean): Promise<T> {",
  "  for (let attempt = 0; ; attempt++) {",
  "    try {",
  "      return await charge();",
  "    } catch (e) {",
  "      if (!isDeclined(e) || attempt >= DECLINED_RETRY_LIMIT) throw e;",
  "      await new Promise((r) => setTimeout(r, declinedChargeDelayMs(attempt)));",
  "    }",
  "  }",
  "}",
  "",
].join("\n");
const GATEWAY = [
  'import { retryDeclinedCharge } from "./backoff";',
  "",
  "export class CardDeclined extends Error {}",
  "",
  "/** Charges a card through the payment gateway; a declined charge is retried with backoff. */",
  "export async function chargeCard(cardToken: string, cents: number): Promise<string> {",
  "  return retryDeclinedCharge(",
  "    () => postCharge(cardToken, cents),",
  "    (e) => e instanceof CardDeclined,",
  "  );",
  "}",
  "",
  "async function postCharge(cardToken: string, cents: number): Promise<string> {",
  "  const res = await fetch('https://gateway.example/charges', { method: 'POST', body: JSON.stringify({ cardToken, cents }) });",
  "  if (res.status === 402) throw new CardDeclined('card declined');",
  "  return (await res.json()).id;",
  "}",
  "",
].join("\n");

/** Dozens of unrelated modules, so retrieval has to choose. */
function shopRepo(): Record<string, string> {
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "shop", version: "1.0.0", type: "module" }, null, 2) + "\n",
    "README.md": "# Shop\n\nA small web shop: catalog, cart, checkout, shipping.\n",
    "src/billing/backoff.ts": BACKOFF,
    "src/billing/gateway.ts": GATEWAY,
    ".env": "STRIPE_SECRET=do-not-index\n",
  };
  const areas: Record<string, string[]> = {
    catalog: ["product", "category", "price-list", "search-index", "image-urls"],
    cart: ["cart-store", "line-item", "coupon", "totals", "persist"],
    users: ["signup", "login-form", "avatar", "preferences", "email-verify"],
    shipping: ["parcel", "tracking", "address-format", "carrier-rates", "labels"],
    ui: ["theme", "button", "modal", "toast", "layout"],
    reports: ["daily-sales", "csv-export", "chart-data", "top-products", "refund-report"],
  };
  for (const [area, names] of Object.entries(areas)) {
    for (const name of names) {
      const fn = name.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
      files[`src/${area}/${name}.ts`] = [
        `// ${area}: ${name.replace(/-/g, " ")}`,
        `export interface ${fn[0]!.toUpperCase()}${fn.slice(1)}Options {`,
        "  locale: string;",
        "  limit: number;",
        "}",
        "",
        `export function ${fn}(input: string[], options: { locale: string; limit: number }): string[] {`,
        "  return input.slice(0, options.limit).map((s) => s.toLocaleLowerCase(options.locale));",
        "}",
        "",
      ].join("\n");
    }
  }
  return files;
}

type Sent = { messages: { role: string; content: string }[] };

describe("E2E: @codebase", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("codebase.test.ts");
    if (skip) return;
    ai = await startScriptedAI({ models: [MODEL] });
    ai.setDefault({ text: "ok", chunkDelayMs: 5 });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
  });

  test(
    "background index, @codebase from the menu brings the right files, Sources open them, changes forwarded, Ctrl+K @codebase",
    { timeout: 300_000 },
    async (t) => {
      if (skip || !ai) return t.skip(skip);
      vs = await startVSCode({
        name: "codebase",
        settings: {
          "aicockpit.provider.kind": "custom",
          "aicockpit.provider.baseUrl": `${ai.url}/v1`,
          "aicockpit.provider.model": MODEL,
          "workbench.colorTheme": "Default Dark Modern",
        },
        workspaceFiles: shopRepo(),
      });
      const page = vs.page;
      await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);

      // ---- 1. indexed in the background, with the count in the status bar
      const indexed = await vs.waitForReport((e) => e.event === "codebase-indexed", 90_000);
      assert.equal(indexed.status, "ready");
      assert.ok(Number(indexed.files) >= 30, `indexed ${String(indexed.files)} files`);
      await vs.waitForStatusBar(/^Indexed \d+ files?$/, 8_000);
      await vs.screenshot("indexed-status-bar");

      // ---- 2. @codebase from the mention menu
      let mark = vs.readReport().length;
      await vs.showAiCockpitSideBar();
      await vs.waitForReport((e) => e.event === "chat-ready", 30_000, mark);
      const frame: FrameLocator = page.frameLocator(".webview.ready").first().frameLocator("#active-frame");
      const input = frame.locator("textarea.input");
      await input.waitFor({ timeout: 15_000 });
      // The container's other views share the side bar: fold them so the chat has the height a user gives it.
      for (const name of ["Workspaces", "Remote Hosts", "Tasks", "Tickets"]) {
        const header = page.locator('.pane-header[aria-expanded="true"]', { hasText: name });
        if ((await header.count()) > 0) await header.first().click();
      }
      await input.click();
      await page.keyboard.type("@codeb");
      const row = frame.locator(".picker-row", { hasText: "@codebase" });
      await row.waitFor({ timeout: 10_000 });
      await vs.screenshot("mention-menu");
      await page.keyboard.press("Enter");
      await frame.locator(".composer .chip", { hasText: "codebase: workspace" }).waitFor({ timeout: 10_000 });
      assert.equal(await frame.locator(".composer .chip-error").count(), 0, "the codebase chip resolved");
      await page.keyboard.type("how are declined card charges retried?");
      assert.equal(await input.inputValue(), "@codebase how are declined card charges retried?");
      ai.enqueue({
        text: "Declined charges are retried by `retryDeclinedCharge` with exponential backoff (up to `DECLINED_RETRY_LIMIT` attempts); `chargeCard` wraps every charge in it.",
        chunkDelayMs: 20,
      });
      mark = vs.readReport().length;
      await page.keyboard.press("Enter");
      const finished = await vs.waitForReport((e) => e.event === "chat-finished", 60_000, mark);
      assert.equal(finished.status, "done");

      const prompt = (ai.completionRequests().at(-1)!.body as Sent).messages.map((m) => m.content).join("\n");
      for (const [path, code] of [
        ["src/billing/backoff.ts", "attempt >= DECLINED_RETRY_LIMIT"],
        ["src/billing/gateway.ts", "(e) => e instanceof CardDeclined"],
      ] as const) {
        assert.ok(prompt.includes(path), `${path} named in the prompt`);
        assert.ok(prompt.includes(code), `the code of ${path} reached the model`);
      }
      assert.ok(!prompt.includes("do-not-index"), "secret files never reach the model");

      const answer = frame.locator(".msg.assistant").last();
      const sources = answer.locator(".sources .source");
      await sources.first().waitFor({ timeout: 10_000 });
      const listed = await sources.evaluateAll((els) =>
        els.map((el) => (el as HTMLElement).title.replace(/^Open (.*) at line \d+$/, "$1")),
      );
      for (const p of ["src/billing/backoff.ts", "src/billing/gateway.ts"])
        assert.ok(listed.includes(p), `Sources lists ${p}: ${JSON.stringify(listed)}`);
      await frame.locator(".msg.user .chip", { hasText: "codebase" }).waitFor();
      await vs.screenshot("answer-with-sources");

      // ---- clicking a source opens the file at its lines
      const gatewayRow = answer.locator(".sources .source", { hasText: "gateway.ts" });
      mark = vs.readReport().length;
      await gatewayRow.click();
      const opened = await vs.waitForReport((e) => e.event === "chat-source-opened", 15_000, mark);
      assert.equal(opened.ok, true);
      assert.equal(opened.path, "src/billing/gateway.ts");
      await page.locator('.tab.active[aria-label^="gateway.ts"]').waitFor({ timeout: 15_000 });
      // The range the answer used is selected, as "Go to Reference" does (VS Code: "Ln 12, Col 2 (… selected)").
      await vs.waitForStatusBar(/^Ln \d+, Col \d+ \(\d+ selected\)$/, 10_000);
      await vs.screenshot("source-opened");

      // ---- 3. a new file on disk reaches the index through the watcher
      mark = vs.readReport().length;
      writeFileSync(
        join(vs.workspaceDir, "src", "shipping", "customs.ts"),
        "// Customs declarations for parcels crossing a border: the tariff code per product.\nexport function customsTariffCode(hsCode: string): string {\n  return hsCode.padEnd(10, '0');\n}\n",
      );
      const changes = await vs.waitForReport((e) => e.event === "codebase-changes", 30_000, mark);
      assert.ok(Number(changes.updated) >= 1, "the new file was indexed");
      mark = vs.readReport().length;
      await input.click();
      await page.keyboard.type("@codebase which tariff code do parcels crossing a border get?");
      await frame.locator(".composer .chip", { hasText: "codebase" }).waitFor({ timeout: 10_000 });
      await page.keyboard.press("Enter");
      await vs.waitForReport((e) => e.event === "chat-finished", 60_000, mark);
      const prompt2 = (ai.completionRequests().at(-1)!.body as Sent).messages.map((m) => m.content).join("\n");
      assert.ok(prompt2.includes("customsTariffCode"), "the file created after indexing is found");

      // ---- 4. Ctrl+K with @codebase in the instruction
      await vs.openFile("carrier-rates.ts");
      await page.keyboard.press("Control+A");
      ai.enqueue({ text: "```ts\nexport const rates = 1;\n```", chunkDelayMs: 5 });
      mark = vs.readReport().length;
      await page.keyboard.press("Control+K");
      await page.locator(".quick-input-widget").waitFor({ state: "visible", timeout: 10_000 });
      await page.keyboard.type("retry declined card charges here the way billing does @codebase");
      await page.keyboard.press("Enter");
      const viaEdit = await vs.waitForReport((e) => e.event === "edit-codebase", 60_000, mark);
      assert.match(String(viaEdit.files), /src\/billing\/backoff\.ts/);
      // The user sees which files came along (chat has Sources; Ctrl+K says it in the status bar).
      const said = await vs.waitForStatusBar(/^@codebase: .*\bbackoff\.ts\b/, 10_000);
      assert.equal(said.match(/backoff\.ts/g)?.length, 1, `each file once: ${said}`);
      await vs.waitForReport((e) => e.event === "edit-review" || e.event === "edit-finished", 60_000, mark);
      const editPrompt = (ai.completionRequests().at(-1)!.body as Sent).messages.map((m) => m.content).join("\n");
      assert.ok(editPrompt.includes("retryDeclinedCharge"), "the retrieved helper reached the edit prompt");
      assert.ok(!editPrompt.includes("@codebase"), "the mention itself is not sent as instruction text");
      await vs.screenshot("ctrl-k-codebase");
    },
  );
});
