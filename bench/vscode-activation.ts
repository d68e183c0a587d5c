/**
 * Extension activation time in real VS Code (code-server + headless Chromium, the E2E harness).
 * Run: `node --import tsx bench/vscode-activation.ts [--runs 5] [--no-write]`
 *
 * Each run starts a fresh code-server with the packaged extension and reads:
 * - the extension host log: `ExtensionService#_doActivateExtension aicockpit.aicockpit` (VS Code
 *   is about to load the bundle), and the extension's own log line "AiCockpit … activated";
 * - the E2E report's "activated" event, written synchronously at the end of activate(), with the
 *   breakdown measured inside the extension (extension/startup-clock.ts): bundle evaluation,
 *   VS Code's wait between loading the bundle and calling activate() (it builds the extension
 *   context meanwhile, and other extensions activate), activate() itself — wall and CPU time.
 * The log line's timestamp is taken when the log channel writes it, which VS Code does only
 * after the channel's asynchronous setup: it comes later than activate() returns, so both
 * figures are shown. Target: ≤ 50 ms from `_doActivateExtension` to activated, at p50.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { e2eSkipReason, startVSCode } from "../test/e2e/harness";
import { loadNote } from "./lib/load-note";
import { nowIso, pct, r1, writeSection } from "./lib/results";

const TARGET_MS = 50;
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 5;

/** "2026-11-30 06:34:16.898" (VS Code logs local time) → epoch ms. */
function logTime(line: string): number {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
  if (!m) throw new Error(`no timestamp in ${line}`);
  return new Date(`${m[1]}T${m[2]}`).getTime();
}

function findLine(dir: string, file: string[], pattern: RegExp): string | undefined {
  for (const session of readdirSync(dir)) {
    try {
      const line = readFileSync(join(dir, session, ...file), "utf8")
        .split("\n")
        .find((l) => pattern.test(l));
      if (line) return line;
    } catch {
      // not this session folder
    }
  }
  return undefined;
}

interface Run {
  logToLog: number;
  logToActivateEnd: number;
  beforeBundle: number;
  evalMs: number;
  evalCpuMs: number;
  contextWaitMs: number;
  activateMs: number;
  activateCpuMs: number;
}

async function oneRun(i: number): Promise<Run> {
  const vs = await startVSCode({ name: `bench-activation-${i}`, workspaceFiles: { "a.txt": "" } });
  try {
    const ev = await vs.waitForReport((e) => e.event === "activated", 90_000);
    const logs = join(vs.userDataDir, "logs");
    let doActivate: string | undefined;
    let activated: string | undefined;
    for (let tries = 0; tries < 50 && !(doActivate && activated); tries++) {
      doActivate = findLine(logs, ["exthost1", "remoteexthost.log"], /_doActivateExtension aicockpit\.aicockpit/);
      activated = findLine(logs, ["exthost1", "aicockpit.aicockpit", "AiCockpit.log"], /AiCockpit \S+ activated/);
      if (!(doActivate && activated)) await new Promise((r) => setTimeout(r, 200));
    }
    if (!doActivate || !activated) throw new Error("activation lines not found in the extension host logs");
    const num = (k: string) => Number(ev[k]);
    const start = logTime(doActivate);
    const end = Date.parse(String(ev.t));
    const r: Run = {
      logToLog: logTime(activated) - start,
      logToActivateEnd: end - start,
      beforeBundle: 0,
      evalMs: num("evalMs"),
      evalCpuMs: num("evalCpuMs"),
      contextWaitMs: num("contextWaitMs"),
      activateMs: num("activateMs"),
      activateCpuMs: num("activateCpuMs"),
    };
    r.beforeBundle = r1(r.logToActivateEnd - r.evalMs - r.contextWaitMs - r.activateMs);
    return r;
  } finally {
    await vs.close();
  }
}

async function main(): Promise<void> {
  const skip = e2eSkipReason("vscode-activation");
  if (skip) throw new Error(skip);
  const results: Run[] = [];
  let loadSum = 0;
  for (let i = 0; i < runs; i++) {
    loadSum += loadavg()[0]!;
    const r = await oneRun(i);
    results.push(r);
    console.log(JSON.stringify(r));
  }
  const p = (f: (r: Run) => number) => r1(pct(results.map(f), 50));
  const s = {
    runs: results.length,
    logToLog: p((r) => r.logToLog),
    logToActivateEnd: p((r) => r.logToActivateEnd),
    beforeBundle: p((r) => r.beforeBundle),
    evalMs: p((r) => r.evalMs),
    evalCpuMs: p((r) => r.evalCpuMs),
    contextWaitMs: p((r) => r.contextWaitMs),
    activateMs: p((r) => r.activateMs),
    activateCpuMs: p((r) => r.activateCpuMs),
    ownCpuMs: p((r) => r.evalCpuMs + r.activateCpuMs),
    ownWallMs: p((r) => r.evalMs + r.activateMs),
  };
  const load = (loadSum / runs).toFixed(2);
  const ok = s.logToActivateEnd <= TARGET_MS;
  console.log(JSON.stringify(s, null, 2), `load ${load}`);
  console.log(
    ok ? "PASS" : "FAIL",
    `_doActivateExtension → end of activate() ${s.logToActivateEnd} ms at p50, target ≤ ${TARGET_MS} ms`,
  );
  if (!args.includes("--no-write")) {
    const mark = (v: boolean) => (v ? "✅" : "❌");
    writeSection(
      "vscode-activation",
      [
        "## Extension activation in real VS Code (`bench/vscode-activation.ts`)",
        "",
        `Command: \`node --import tsx bench/vscode-activation.ts --runs ${runs}\` — ${nowIso()}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, code-server 1.100 + headless Chromium, a fresh profile per run, activation on \`onStartupFinished\`, ${loadNote(load)}.`,
        "",
        "| measure (p50 of the runs) | wall | CPU of the extension host | target |",
        "| --- | --- | --- | --- |",
        `| **\`_doActivateExtension\` (exthost log) → end of activate()** | ${s.logToActivateEnd} ms ${mark(ok)} | – | ≤ ${TARGET_MS} ms |`,
        `| \`_doActivateExtension\` → "AiCockpit … activated" line in the extension's log | ${s.logToLog} ms | – | – |`,
        `| of which VS Code before our bundle runs (reading and compiling it) | ${s.beforeBundle} ms | – | – |`,
        `| our bundle's evaluation (all modules' top-level code) | ${s.evalMs} ms | ${s.evalCpuMs} ms | – |`,
        `| VS Code between loading the bundle and calling activate() (extension context, other extensions) | ${s.contextWaitMs} ms | – | – |`,
        `| activate() | ${s.activateMs} ms | ${s.activateCpuMs} ms | – |`,
        `| **the extension's own part (evaluation + activate())** | ${s.ownWallMs} ms | ${s.ownCpuMs} ms | – |`,
        "",
        "The log line is stamped when VS Code's log channel writes it, after the channel's asynchronous setup, so it trails activate() by the channel's round trip to the workbench. On a loaded machine wall time is mostly waiting for a core; the CPU column is the extension's own work. Before (2026-11): 156 ms from `_doActivateExtension` to the log line in code-server; bundle evaluation alone took 33–46 ms of CPU, 31 copies of the `vscode` namespace made by esbuild's `__toESM` (one shared copy since, see esbuild.config.mjs).",
      ].join("\n"),
    );
    console.log("written to bench/RESULTS.md");
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
