/**
 * Keystroke → ghost text in real VS Code (code-server + headless Chromium, the E2E harness).
 * Run: `node --import tsx bench/vscode-ghost-latency.ts [--rounds 9] [--no-write]`
 *
 * Each round types a fresh line as a burst (45 ms per key) and stops. The scripted model
 * answers only the finished line, in one chunk after a fixed time to first token, so the
 * figures isolate the path: last keystroke (keydown in the page) → request at the model
 * (the scripted AI's `receivedAt`) → first chunk written (`firstChunkAt`) → ghost text in
 * the DOM (a MutationObserver in the page). Browser and bench share the machine's clock.
 * Target: last keystroke → ghost text ≤ time to first token + 150 ms at p50.
 */
import { cpus, loadavg } from "node:os";
import { startScriptedAI, type RecordedRequest } from "../test/fixtures/scripted-ai";
import { e2eSkipReason, sleep, startVSCode } from "../test/e2e/harness";
import { loadNote } from "./lib/load-note";
import { nowIso, pct, r1, writeSection } from "./lib/results";

const MODEL = "qwen2.5-coder-1.5b";
const TTFT_MS = 100;
const KEY_DELAY_MS = 45;
const TARGET_SLACK_MS = 150;

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf("--rounds") + 1]) || 9;

function fimPrefix(req: RecordedRequest): string {
  const prompt = (req.body as { prompt?: unknown } | undefined)?.prompt;
  if (typeof prompt !== "string") return "";
  const start = prompt.lastIndexOf("<|fim_prefix|>");
  const end = prompt.indexOf("<|fim_suffix|>", start);
  return start === -1 || end === -1 ? "" : prompt.slice(start + "<|fim_prefix|>".length, end);
}

// Python: no language server in code-server to compete for the CPU (a .js file starts tsserver).
const burst = (i: number) => `total${i} = price * `;
const answer = (i: number) => `qty${i}`;

interface Round {
  keys: number;
  meanKeyGapMs: number;
  keyToModel: number;
  ttft: number;
  answerToGhost: number;
  keyToGhost: number;
}

interface PageClock {
  keys: number[];
  ghost: number;
}

async function main(): Promise<void> {
  const skip = e2eSkipReason("vscode-ghost-latency");
  if (skip) throw new Error(skip);
  const ai = await startScriptedAI({ models: [MODEL] });
  // Only the finished line gets an answer, in one chunk: every shown suggestion is "the" answer.
  let current = -1;
  ai.setDefault({
    latencyMs: TTFT_MS,
    echo: (req) => {
      const line = fimPrefix(req).split("\n").pop() ?? "";
      return current >= 0 && line === burst(current) ? answer(current) : "";
    },
  });
  const vs = await startVSCode({
    name: "bench-ghost",
    settings: {
      "aicockpit.provider.kind": "custom",
      "aicockpit.provider.baseUrl": `${ai.url}/v1`,
      "aicockpit.provider.model": MODEL,
      "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
      "editor.suggestOnTriggerCharacters": false,
      "editor.parameterHints.enabled": false,
    },
    workspaceFiles: { "bench.py": "" },
  });
  const results: Round[] = [];
  let loadSum = 0;
  try {
    const page = vs.page;
    await vs.waitForStatusBar(new RegExp(`AiCockpit: ${MODEL}$`), 90_000);
    await vs.waitForStatusBar(/^Complete$/, 30_000);
    await vs.openFile("bench.py");
    await sleep(3_000); // let the workbench settle after opening the file
    await page.evaluate(() => {
      const w = window as unknown as { __aic: PageClock };
      w.__aic = { keys: [], ghost: 0 };
      document.addEventListener(
        "keydown",
        () => {
          w.__aic.keys.push(Date.now());
          w.__aic.ghost = 0;
        },
        true,
      );
      new MutationObserver(() => {
        if (w.__aic.ghost === 0 && document.querySelector(".monaco-editor .ghost-text-decoration"))
          w.__aic.ghost = Date.now();
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    // One unmeasured round warms up the path (first request, JIT, the backend's connection).
    for (let i = 0; i <= rounds; i++) {
      current = i;
      await page.evaluate(() => ((window as unknown as { __aic: PageClock }).__aic.keys = []));
      const before = ai.completionRequests().length;
      loadSum += loadavg()[0]!;
      await page.keyboard.type(burst(i), { delay: KEY_DELAY_MS });
      const deadline = Date.now() + 10_000;
      let clock: PageClock;
      for (;;) {
        clock = await page.evaluate(() => (window as unknown as { __aic: PageClock }).__aic);
        if (clock.ghost > 0 || Date.now() > deadline) break;
        await sleep(20);
      }
      const req = ai
        .completionRequests()
        .slice(before)
        .filter((r) => fimPrefix(r).endsWith(burst(i)))
        .pop();
      const lastKey = clock.keys[clock.keys.length - 1] ?? 0;
      if (clock.ghost === 0 || !req?.firstChunkAt) {
        process.stderr.write(`round ${i}: no ghost text within 10 s (request at the model: ${req ? "yes" : "no"})\n`);
      } else if (i > 0) {
        const gaps = clock.keys.slice(1).map((t, k) => t - clock.keys[k]!);
        results.push({
          keys: clock.keys.length,
          meanKeyGapMs: r1(gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length)),
          keyToModel: req.receivedAt - lastKey,
          ttft: req.firstChunkAt - req.receivedAt,
          answerToGhost: clock.ghost - req.firstChunkAt,
          keyToGhost: clock.ghost - lastKey,
        });
        console.log(JSON.stringify(results[results.length - 1]));
      }
      // Dismiss, new line, and a pause long enough to be one (the debounce restarts its estimate).
      await page.keyboard.press("Escape");
      current = -1;
      await page.keyboard.press("End");
      await page.keyboard.press("Enter");
      await sleep(1_500);
    }
  } finally {
    await vs.close();
    await ai.close();
  }
  if (results.length === 0) throw new Error("no round showed ghost text");
  const p = (f: (r: Round) => number) => pct(results.map(f), 50);
  const s = {
    rounds: results.length,
    meanKeyGapMs: p((r) => r.meanKeyGapMs),
    keyToModelP50: p((r) => r.keyToModel),
    ttftP50: p((r) => r.ttft),
    answerToGhostP50: p((r) => r.answerToGhost),
    keyToGhostP50: p((r) => r.keyToGhost),
    keyToGhostMax: Math.max(...results.map((r) => r.keyToGhost)),
  };
  const load = (loadSum / (rounds + 1)).toFixed(2);
  const ok = s.keyToGhostP50 <= s.ttftP50 + TARGET_SLACK_MS;
  console.log(JSON.stringify(s, null, 2), `load ${load}`);
  console.log(
    ok ? "PASS" : "FAIL",
    `keystroke → ghost ${s.keyToGhostP50} ms at p50, target ≤ ${s.ttftP50} + ${TARGET_SLACK_MS} ms`,
  );
  if (!args.includes("--no-write")) {
    const mark = ok ? "✅" : "❌";
    writeSection(
      "vscode-ghost",
      [
        "## Ghost text latency in real VS Code (`bench/vscode-ghost-latency.ts`)",
        "",
        `Command: \`node --import tsx bench/vscode-ghost-latency.ts --rounds ${rounds}\` — ${nowIso()}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, code-server 1.100 + headless Chromium, ${loadNote(load)}.`,
        "",
        `${s.rounds} rounds after one warm-up: a fresh line typed as a burst (${KEY_DELAY_MS} ms per key in Playwright; ${s.meanKeyGapMs} ms measured between keydowns in the page, p50 of round means) and then nothing; the scripted model answers the finished line in one chunk after ${TTFT_MS} ms. Times are the page's keydown and ghost-text DOM insertion and the scripted AI's request and first-chunk times, one clock.`,
        "",
        "| measure (p50) | value | target |",
        "| --- | --- | --- |",
        `| **last keystroke → ghost text visible** | ${s.keyToGhostP50} ms ${mark} (max ${s.keyToGhostMax} ms) | ≤ TTFT + ${TARGET_SLACK_MS} ms = ${s.ttftP50 + TARGET_SLACK_MS} ms |`,
        `| last keystroke → request at the model | ${s.keyToModelP50} ms | – |`,
        `| model: request → first chunk (TTFT) | ${s.ttftP50} ms | (${TTFT_MS} ms scripted) |`,
        `| first chunk → ghost text visible | ${s.answerToGhostP50} ms | – |`,
        "",
        "Before (2026-11, same scenario, debounce fed by provider calls): 526 ms at p50, 413 ms of it before the request reached the model, 21 ms from answer to ghost.",
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
