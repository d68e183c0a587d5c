/**
 * E2E: the README's start command. `npm start -- <folder>` builds, packages, installs the
 * extension into code-server and prints the address; opening it in Chromium shows VS Code
 * with AiCockpit, whose backend is running and reaches the (scripted) AI service.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import {
  ARTIFACTS_DIR,
  CHROMIUM_ARGS,
  QUIET_SETTINGS,
  REPO_ROOT,
  TAG_VAR,
  chromiumBin,
  e2eSkipReason,
  killAll,
  makeTag,
  taggedPids,
  waitGone,
} from "./harness";

const MODEL = "scripted-start-7b";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

describe("E2E: npm start (the README's start command)", () => {
  let ai: ScriptedAI | undefined;
  let child: ChildProcess | undefined;
  let browser: BrowserContext | undefined;
  const tag = makeTag(`start-${Date.now()}`);

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM"); // its own process group: npm, start.sh, code-server, backend
      } catch {
        // already gone
      }
    }
    const left = await waitGone(
      taggedPids((x) => x === tag),
      10_000,
    );
    killAll(left, "SIGKILL");
    await ai?.close();
  });

  test("serves VS Code with AiCockpit and a running backend", { timeout: 300_000 }, async (t) => {
    const skip = e2eSkipReason("start.test.ts");
    if (skip) return t.skip(skip);
    ai = await startScriptedAI({ models: [MODEL] });
    ai.setDefault({ text: "OK" });

    const dir = mkdtempSync(join(tmpdir(), "aicockpit-e2e-start-"));
    const folder = join(dir, "my project");
    mkdirSync(folder);
    writeFileSync(join(folder, "main.py"), "print('hello')\n");
    // A profile whose user settings already name the AI service (start.sh keeps existing settings).
    const profile = join(dir, "profile");
    mkdirSync(join(profile, "user-data", "User"), { recursive: true });
    writeFileSync(
      join(profile, "user-data", "User", "settings.json"),
      JSON.stringify({
        ...QUIET_SETTINGS,
        "aicockpit.provider.kind": "custom",
        "aicockpit.provider.baseUrl": `${ai.url}/v1`,
        "aicockpit.provider.model": MODEL,
      }),
    );

    const port = await freePort();
    child = spawn("npm", ["start", "--", folder], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        AICOCKPIT_START_PORT: String(port),
        AICOCKPIT_START_PROFILE: profile,
        AICOCKPIT_NO_BROWSER: "1",
        [TAG_VAR]: tag,
      },
    });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no address within 180 s:\n${out}`)), 180_000);
      const check = () => {
        const m = /Open:\s+(\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child!.stdout!.on("data", check);
      child!.once("exit", (code) =>
        reject(new Error(`npm start exited (${code}) before printing the address:\n${out}`)),
      );
    });
    assert.match(
      url,
      new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?folder=`),
      "loopback address on the requested port",
    );
    assert.ok(decodeURIComponent(url).endsWith(folder), "opened on the folder given (path with a space)");

    browser = await chromium.launchPersistentContext(join(dir, "chromium"), {
      executablePath: chromiumBin(),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
      env: { ...process.env, XDG_CONFIG_HOME: join(dir, "xdg-config"), XDG_CACHE_HOME: join(dir, "xdg-cache") },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url, { timeout: 60_000 });
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
    await page.getByRole("treeitem", { name: "main.py" }).waitFor({ timeout: 30_000 });
    await page
      .locator(".part.statusbar .statusbar-item", { hasText: `AiCockpit: ${MODEL}` })
      .first()
      .waitFor({ timeout: 90_000 });
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, "start-01-ready.png") });
    assert.ok(
      ai.requests.some((r) => r.path.startsWith("/v1/")),
      "the backend reached the AI service",
    );
  });
});
