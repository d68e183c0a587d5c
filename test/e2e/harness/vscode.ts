/**
 * A real VS Code (code-server) with the packaged extension installed, driven by Debian's
 * Chromium through playwright-core. Recipe: /work/shared/recipes/vscode-e2e.md.
 *
 * Every run gets fresh folders (config, user data, extensions, workspace, XDG dirs, the
 * browser profile), its own free port and a process tag; `close()` ends code-server's
 * whole process tree by PID (and anything else carrying the tag), also on a crash.
 */
import { sleep } from "./wait";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { ARTIFACTS_DIR, IN_CI, REPO_ROOT, chromiumBin, codeServerBin, missingPrerequisites } from "./paths";
import { TAG_VAR, descendants, isAlive, killAll, makeTag, sweepOrphans, taggedPids, waitGone } from "./processes";

/** Settings that keep the workbench quiet (no walkthrough stealing focus, no update checks). */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "chat.disableAIFeatures": true,
  "editor.inlineSuggest.enabled": true,
  "workbench.enableExperiments": false,
  "extensions.ignoreRecommendations": true,
  "git.openRepositoryInParentFolders": "never",
};

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface StartOptions {
  /** Short name for logs and artifact file names, e.g. "smoke". */
  name: string;
  /** Extra environment for code-server; it reaches the extension host. */
  env?: Record<string, string>;
  /** User settings, merged over QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Files to create in the workspace folder (relative path → content). */
  workspaceFiles?: Record<string, string>;
  /** Milliseconds to wait for code-server's /healthz and for the workbench. */
  startTimeoutMs?: number;
}

export interface ReportEvent {
  t?: string;
  event: string;
  [field: string]: unknown;
}

/**
 * For a suite's `before()`: undefined when E2E can run; throws under CI; otherwise
 * prints a loud banner and returns the reason, so tests can `t.skip()`.
 */
export function e2eSkipReason(suite: string): string | undefined {
  const reason = missingPrerequisites();
  if (reason === undefined) return undefined;
  if (IN_CI) throw new Error(`${suite}: ${reason} (CI=true: nothing may be skipped)`);
  const bar = "!".repeat(78);
  process.stderr.write(`\n${bar}\n!! SKIPPING ${suite}: ${reason}\n${bar}\n\n`);
  return reason;
}

// ---------------------------------------------------------------- packaging (once)

let vsixPromise: Promise<string> | undefined;

/**
 * Builds and packages the extension once per test process (`npm run package`), unless
 * AICOCKPIT_VSIX names an already packaged file (scripts/test.sh packages once for all).
 */
export function ensureVsix(): Promise<string> {
  const given = process.env.AICOCKPIT_VSIX;
  if (given) {
    if (!existsSync(given)) return Promise.reject(new Error(`AICOCKPIT_VSIX=${given} does not exist`));
    return Promise.resolve(given);
  }
  vsixPromise ??= new Promise<string>((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn("npm", ["run", "package"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const vsix = join(REPO_ROOT, "dist", "aicockpit.vsix");
      if (code === 0 && existsSync(vsix)) {
        process.stderr.write(`[e2e] packaged ${vsix} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        resolvePromise(vsix);
      } else {
        reject(new Error(`npm run package failed (exit ${code}):\n${out.slice(-4000)}`));
      }
    });
  });
  return vsixPromise;
}

// ---------------------------------------------------------------- helpers

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

/** A sleep that does not keep the process alive (for races against a timeout). */
const unrefSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function yamlString(s: string): string {
  return JSON.stringify(s); // JSON strings are valid YAML scalars
}

/** Sessions not yet closed, ended synchronously if the test process exits early. */
const live = new Set<VSCodeSession>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL the trees, nothing else.
  process.on("exit", () => {
    for (const s of live) s.killNow();
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      for (const s of live) s.killNow();
      process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
    });
  }
}

// ---------------------------------------------------------------- session

export class VSCodeSession {
  readonly runId = randomBytes(4).toString("hex");
  readonly tag = makeTag(this.runId);
  readonly runDir: string;
  readonly workspaceDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly reportPath: string;
  readonly logPath: string;
  port = 0;
  url = "";
  page!: Page;
  context: BrowserContext | undefined;
  private codeServer: ChildProcess | undefined;
  private shot = 0;
  private closed = false;

  private constructor(readonly opts: StartOptions) {
    this.runDir = mkdtempSync(join(tmpdir(), `aicockpit-e2e-${opts.name}-`));
    this.workspaceDir = join(this.runDir, "workspace");
    this.userDataDir = join(this.runDir, "user-data");
    this.extensionsDir = join(this.runDir, "extensions");
    this.reportPath = join(this.runDir, "e2e-report.jsonl");
    this.logPath = join(this.runDir, "code-server.log");
  }

  /** Packages (once), installs the extension, starts code-server and opens the workbench. */
  static async start(opts: StartOptions): Promise<VSCodeSession> {
    const missing = missingPrerequisites();
    if (missing) throw new Error(missing);
    installExitHooks();
    const swept = sweepOrphans();
    if (swept.length > 0)
      process.stderr.write(`[e2e] ended ${swept.length} leftover process(es) of earlier crashed runs\n`);

    // this name's artifacts from an earlier run would mislead whoever looks at them
    if (existsSync(ARTIFACTS_DIR)) {
      for (const f of readdirSync(ARTIFACTS_DIR)) {
        if (f.startsWith(`${opts.name}-`)) rmSync(join(ARTIFACTS_DIR, f), { recursive: true, force: true });
      }
    }
    const s = new VSCodeSession(opts);
    live.add(s);
    try {
      await s.boot();
      return s;
    } catch (err) {
      await s.screenshot("start-failed").catch(() => undefined);
      await s.close();
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`${msg}\n--- code-server log (${s.logPath}) ---\n${tail(s.logPath)}`, { cause: err });
    }
  }

  private baseEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      XDG_CONFIG_HOME: join(this.runDir, "xdg-config"),
      XDG_CACHE_HOME: join(this.runDir, "xdg-cache"),
      XDG_DATA_HOME: join(this.runDir, "xdg-data"),
      [TAG_VAR]: this.tag,
    };
  }

  private async boot(): Promise<void> {
    const t0 = Date.now();
    const timeout = this.opts.startTimeoutMs ?? 60_000;
    for (const d of [this.workspaceDir, join(this.userDataDir, "User"), this.extensionsDir, ARTIFACTS_DIR]) {
      mkdirSync(d, { recursive: true });
    }
    for (const [rel, content] of Object.entries(this.opts.workspaceFiles ?? {})) {
      const p = join(this.workspaceDir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    const configPath = join(this.runDir, "code-server.yaml");
    writeFileSync(configPath, `bind-addr: ${yamlString("127.0.0.1:0")}\nauth: none\ncert: false\n`);
    writeFileSync(
      join(this.userDataDir, "User", "settings.json"),
      JSON.stringify({ ...QUIET_SETTINGS, ...(this.opts.settings ?? {}) }, null, 2),
    );

    const vsix = await ensureVsix();
    const common = [
      "--config",
      configPath,
      "--user-data-dir",
      this.userDataDir,
      "--extensions-dir",
      this.extensionsDir,
    ];
    const env = this.baseEnv();
    const install = spawnSync(codeServerBin(), [...common, "--install-extension", vsix], {
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    if (install.status !== 0 || !/successfully installed/i.test(`${install.stdout}${install.stderr}`)) {
      throw new Error(
        `code-server --install-extension failed (${install.status}):\n${install.stdout}\n${install.stderr}`,
      );
    }

    this.port = await freePort();
    const log = openSync(this.logPath, "a");
    this.codeServer = spawn(
      codeServerBin(),
      [
        ...common,
        "--bind-addr",
        `127.0.0.1:${this.port}`,
        "--auth",
        "none",
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        this.workspaceDir,
      ],
      {
        // its own process group: one signal reaches code-server and everything it started
        detached: true,
        stdio: ["ignore", log, log],
        env: { ...env, ...(this.opts.env ?? {}), AICOCKPIT_E2E_REPORT: this.reportPath },
      },
    );
    closeSync(log);
    const cs = this.codeServer;
    this.url = `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspaceDir)}`;

    // /healthz answers once the HTTP server is up
    const deadline = Date.now() + timeout;
    for (;;) {
      if (cs.exitCode !== null || cs.signalCode !== null) {
        throw new Error(`code-server exited early (${cs.exitCode ?? cs.signalCode})`);
      }
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`code-server /healthz did not answer within ${timeout} ms`);
      await sleep(150);
    }
    const tHealthy = Date.now();

    this.context = await chromium.launchPersistentContext(join(this.runDir, "chromium-profile"), {
      executablePath: chromiumBin(),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
      env: this.baseEnv(),
      timeout: 30_000,
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    await this.page.goto(this.url, { timeout });
    await this.waitForWorkbench(timeout);
    process.stderr.write(
      `[e2e] ${this.opts.name}: code-server ${this.port} healthy in ${((tHealthy - t0) / 1000).toFixed(1)} s, ` +
        `workbench in ${((Date.now() - t0) / 1000).toFixed(1)} s (run dir ${this.runDir})\n`,
    );
  }

  // ------------------------------------------------------------ page helpers

  async waitForWorkbench(timeoutMs = 60_000): Promise<void> {
    await this.page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: timeoutMs });
    await this.page.locator(".part.statusbar").waitFor({ state: "visible", timeout: timeoutMs });
  }

  /**
   * Shows the AiCockpit side bar. Idempotent: clicking an activity bar item that is already active hides the side bar
   * (after a reload VS Code restores it on its own, sometimes only after a test has decided to click).
   */
  async showAiCockpitSideBar(): Promise<void> {
    const item = this.page.locator(".activitybar .action-item", {
      has: this.page.locator('a[aria-label^="AiCockpit"]'),
    });
    await item.first().waitFor({ timeout: 20_000 });
    if ((await item.first().getAttribute("class"))?.split(/\s+/).includes("checked")) return;
    await item.first().locator("a").click();
  }

  /** Runs a command by its palette title (F1, type, Enter); retries while it is not registered yet. */
  async runCommand(title: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const widget = this.page.locator(".quick-input-widget");
    for (;;) {
      await this.page
        .locator(".monaco-workbench")
        .click({ position: { x: 700, y: 5 } })
        .catch(() => undefined);
      await this.page.keyboard.press("F1");
      await widget.waitFor({ state: "visible", timeout: 5_000 });
      await this.page.keyboard.type(title);
      const row = widget.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
      try {
        await row.waitFor({ state: "visible", timeout: 2_000 });
        await row.click();
        return;
      } catch {
        // "No matching commands" does not refresh when the command registers later: reopen
        await this.page.keyboard.press("Escape");
        if (Date.now() > deadline)
          throw new Error(`command "${title}" not found in the palette within ${timeoutMs} ms`);
        await sleep(500);
      }
    }
  }

  /**
   * Opens a workspace file with Quick Open and puts the caret in it. Clicks the matching row
   * (Enter may hit a "recently opened" row before the list filters) and clicks into the text,
   * because keystrokes sent right after opening may reach no provider.
   */
  async openFile(name: string): Promise<void> {
    const page = this.page;
    await page.keyboard.press("Control+P");
    await page.locator(".quick-input-widget").waitFor({ state: "visible" });
    await page.keyboard.type(name);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().click();
    await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor({ timeout: 15_000 });
    await page.locator(".monaco-editor .view-lines").first().click();
    await sleep(300);
  }

  /** The status bar items whose text contains `match` (string) or matches it (RegExp). */
  statusBarItem(match: string | RegExp): Locator {
    return this.page.locator(".part.statusbar .statusbar-item", { hasText: match });
  }

  /** Texts of all status bar items, in order. */
  async statusBarTexts(): Promise<string[]> {
    const texts = await this.page.locator(".part.statusbar .statusbar-item").allInnerTexts();
    return texts.map((t) => t.replace(/\s+/g, " ").trim()).filter((t) => t !== "");
  }

  /** Waits until some status bar item's text matches; returns that text. */
  async waitForStatusBar(match: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: string[] = [];
    for (;;) {
      last = await this.statusBarTexts().catch(() => last);
      const hit = last.find((t) => match.test(t));
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) {
        await this.screenshot(`timeout-statusbar`).catch(() => undefined);
        throw new Error(`no status bar item matched ${match} within ${timeoutMs} ms; items: ${JSON.stringify(last)}`);
      }
      await sleep(200);
    }
  }

  /**
   * Runs the context-menu entry `label` of `item` and waits for the report event (`until`) it
   * causes. Up to 3 tries: a tree refresh can re-render the row under the open menu.
   */
  async contextMenu(item: Locator, label: string, until: (e: ReportEvent) => boolean): Promise<ReportEvent> {
    const page = this.page;
    for (let attempt = 1; ; attempt++) {
      const from = this.readReport().length;
      await item.click({ button: "right" });
      const entry = page.locator(".context-view .monaco-menu .action-item", { hasText: label }).first();
      await entry.waitFor({ timeout: 10_000 });
      // Monaco menus ignore a click that lands right after they open (the right-click's own mouseup).
      await sleep(400);
      await entry.hover();
      await sleep(100);
      await entry.locator(".action-label").first().click();
      try {
        return await this.waitForReport(until, 5_000, from);
      } catch (err) {
        if (attempt >= 3) throw err;
        await this.screenshot(`menu-retry-${attempt}`);
        await page.keyboard.press("Escape");
      }
    }
  }

  /** Clicks into the active terminal, types `line` and presses Enter. */
  async typeInTerminal(line: string): Promise<void> {
    const term = this.page.locator(".terminal-wrapper.active .xterm, .terminal .xterm").first();
    await term.waitFor({ timeout: 15_000 });
    await term.click();
    await sleep(300);
    await this.page.keyboard.type(line);
    await this.page.keyboard.press("Enter");
  }

  /** The terminals' text; readable with the DOM renderer (`terminal.integrated.gpuAcceleration: off`). */
  async terminalText(): Promise<string> {
    const rows = await this.page
      .locator(".xterm-rows")
      .allInnerTexts()
      .catch(() => []);
    return rows.join("\n");
  }

  /** Waits about 15 s for the terminal text to match; else a screenshot `<shot>-timeout` and an error with the text. */
  async waitForTerminalText(match: RegExp, shot: string): Promise<void> {
    for (let i = 0; !match.test(await this.terminalText()); i++) {
      if (i > 75) {
        await this.screenshot(`${shot}-timeout`);
        throw new Error(`terminal output not seen; terminal shows:\n${await this.terminalText()}`);
      }
      await sleep(200);
    }
  }

  /** Saves a full-page PNG into .test-artifacts/e2e/ and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-");
    const file = join(ARTIFACTS_DIR, `${this.opts.name}-${String(++this.shot).padStart(2, "0")}-${safe}.png`);
    if (this.page === undefined) throw new Error("no page yet");
    await this.page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  // ------------------------------------------------------------ report file

  /** The events the extension appended to AICOCKPIT_E2E_REPORT (a torn last line is ignored). */
  readReport(): ReportEvent[] {
    if (!existsSync(this.reportPath)) return [];
    const out: ReportEvent[] = [];
    for (const line of readFileSync(this.reportPath, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        const v: unknown = JSON.parse(line);
        if (typeof v === "object" && v !== null && typeof (v as { event?: unknown }).event === "string") {
          out.push(v as ReportEvent);
        }
      } catch {
        // partially written line
      }
    }
    return out;
  }

  /** Waits for the first event after index `from` that satisfies `pred`. */
  async waitForReport(pred: (e: ReportEvent) => boolean, timeoutMs = 30_000, from = 0): Promise<ReportEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.readReport().slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(
          `no report event matched within ${timeoutMs} ms; report so far:\n${this.readReport()
            .map((e) => JSON.stringify(e))
            .join("\n")}`,
        );
      }
      await sleep(150);
    }
  }

  // ------------------------------------------------------------ teardown

  /** Every process of this run: code-server's tree plus anything carrying the tag. */
  private runPids(): number[] {
    const pids = new Set<number>(taggedPids((t) => t === this.tag));
    const root = this.codeServer?.pid;
    if (root !== undefined) {
      if (isAlive(root)) pids.add(root);
      for (const p of descendants(root)) pids.add(p);
    }
    return [...pids];
  }

  /** Synchronous last resort (process 'exit'): SIGKILL the group and the tagged processes. */
  killNow(): void {
    const root = this.codeServer?.pid;
    if (root !== undefined) {
      try {
        process.kill(-root, "SIGKILL");
      } catch {
        // group gone
      }
    }
    killAll(this.runPids(), "SIGKILL");
  }

  /** Closes the browser, then SIGTERM → wait → SIGKILL for the run's processes; removes the run dir. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.race([this.context?.close(), unrefSleep(10_000)]);
    } catch {
      // the browser may be gone already
    }
    const root = this.codeServer?.pid;
    if (root !== undefined) {
      try {
        process.kill(-root, "SIGTERM");
      } catch {
        // group gone
      }
    }
    killAll(this.runPids(), "SIGTERM");
    // code-server exits first; its extension host and helpers take up to ~5 s more
    const stubborn = await waitGone(this.runPids(), 8_000);
    if (stubborn.length > 0) {
      process.stderr.write(
        `[e2e] SIGKILL for ${stubborn.length} process(es) that ignored SIGTERM: ${stubborn.join(" ")}\n`,
      );
      this.killNow();
      await waitGone(stubborn, 3_000);
    }
    live.delete(this);
    // keep the logs next to the screenshots
    try {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      if (existsSync(this.logPath))
        copyFileSync(this.logPath, join(ARTIFACTS_DIR, `${this.opts.name}-code-server.log`));
      if (existsSync(this.reportPath))
        copyFileSync(this.reportPath, join(ARTIFACTS_DIR, `${this.opts.name}-report.jsonl`));
      // VS Code's own logs: extension host, output channels (the extension's among them)
      const logs = join(this.userDataDir, "logs");
      if (existsSync(logs)) cpSync(logs, join(ARTIFACTS_DIR, `${this.opts.name}-vscode-logs`), { recursive: true });
    } catch {
      // artifacts are best effort
    }
    if (process.env.AICOCKPIT_E2E_KEEP !== "1") rmSync(this.runDir, { recursive: true, force: true });
  }
}

export const startVSCode = (opts: StartOptions): Promise<VSCodeSession> => VSCodeSession.start(opts);
