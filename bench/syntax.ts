/**
 * Parsing benchmark (server/syntax). Run: `node --import tsx bench/syntax.ts`
 *
 * Per grammar, on a file made by repeating the language's test fixture
 * (test/unit/syntax/fixtures, which parses without errors) to 5,000+ lines:
 *  - grammar load (first use, WebAssembly compile included);
 *  - full parse per 1,000 lines (median of 5, warm, one synchronous parse, CPU time);
 *  - the backend's sliced parse of the 5,000-line file (`parse()`, 4 ms slices): the longest
 *    the event loop was held, as CPU time between two turns of the loop (wall time on a
 *    loaded machine adds other processes' turns), and as wall time;
 *  - re-parse after a one-character edit (the cached tree reused incrementally).
 * Target: no event-loop block over 10 ms CPU ("a few ms") for any grammar.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Parser } from "web-tree-sitter";
import { loadNote } from "./lib/load-note";
import { nowIso, r1, writeSection } from "./lib/results";
import { WASM_FILES, type Grammar } from "../server/syntax/languages";
import { parse } from "../server/syntax/parse";
import { loadLanguage } from "../server/syntax/runtime";

const FIXTURES = join(__dirname, "..", "test", "unit", "syntax", "fixtures");
const TARGET_BLOCK_MS = 10;
const LINES = 5_000;

const FIXTURE: Record<Grammar, [file: string, languageId: string]> = {
  typescript: ["sample.ts.txt", "typescript"],
  tsx: ["sample.tsx.txt", "typescriptreact"],
  javascript: ["sample.js.txt", "javascript"],
  python: ["sample.py.txt", "python"],
  go: ["sample.go.txt", "go"],
  rust: ["sample.rs.txt", "rust"],
  java: ["Sample.java.txt", "java"],
  c: ["sample.c.txt", "c"],
  cpp: ["sample.cpp.txt", "cpp"],
  csharp: ["Sample.cs.txt", "csharp"],
  ruby: ["sample.rb.txt", "ruby"],
  php: ["sample.php.txt", "php"],
  bash: ["sample.sh.txt", "shellscript"],
  json: ["sample.json.txt", "json"],
  yaml: ["sample.yaml.txt", "yaml"],
};

/** Lines that may appear once per file (package, imports, `<?php`): kept at the top only. */
const HEADER = /^(package |import |using |#include|<\?php|#!)/;

function bigFile(grammar: Grammar, unit: string): string {
  if (grammar === "json") {
    const n = Math.ceil(LINES / unit.trimEnd().split("\n").length);
    return `[\n${Array.from({ length: n }, () => unit.trimEnd()).join(",\n")}\n]\n`;
  }
  if (grammar === "yaml") {
    const n = Math.ceil(LINES / (unit.split("\n").length + 1));
    return Array.from({ length: n }, () => unit.trimEnd()).join("\n---\n") + "\n";
  }
  const lines = unit.split("\n");
  const header = lines.filter((l) => HEADER.test(l));
  const body = lines.filter((l) => !HEADER.test(l)).join("\n");
  const n = Math.ceil(LINES / body.split("\n").length);
  return [header.join("\n"), ...Array.from({ length: n }, () => body)].join("\n");
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Longest gaps between event-loop turns while `work` runs: CPU time and wall time. */
async function blocking(work: () => Promise<unknown>): Promise<{ cpu: number; wall: number; total: number }> {
  let maxCpu = 0;
  let maxWall = 0;
  let lastCpu = cpuMs();
  let lastWall = performance.now();
  let running = true;
  const probe = () => {
    const c = cpuMs();
    const w = performance.now();
    maxCpu = Math.max(maxCpu, c - lastCpu);
    maxWall = Math.max(maxWall, w - lastWall);
    lastCpu = c;
    lastWall = w;
    if (running) setImmediate(probe);
  };
  setImmediate(probe);
  const t0 = performance.now();
  await work();
  const total = performance.now() - t0;
  running = false;
  probe();
  return { cpu: maxCpu, wall: maxWall, total };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const load = loadavg()[0]!;
  const rows: string[] = [];
  let worstBlock = 0;
  for (const grammar of Object.keys(WASM_FILES.grammars) as Grammar[]) {
    const [file, languageId] = FIXTURE[grammar];
    const text = bigFile(grammar, readFileSync(join(FIXTURES, file), "utf8"));
    const lineCount = text.split("\n").length;

    const l0 = performance.now();
    const language = await loadLanguage(grammar);
    const loadMs = performance.now() - l0;

    const parser = new Parser();
    parser.setLanguage(language);
    const runs: number[] = [];
    let hasError = false;
    for (let i = 0; i < 6; i++) {
      const c0 = cpuMs();
      const tree = parser.parse(text)!;
      if (i > 0) runs.push(cpuMs() - c0); // the first run warms the WebAssembly tiers
      hasError = tree.rootNode.hasError;
      tree.delete();
    }
    parser.delete();
    const per1k = (median(runs) / lineCount) * 1000;

    const uri = `bench://${grammar}`;
    const sliced = await blocking(() => parse(languageId, text, { uri, version: 1 }));
    const i = text.indexOf("\n", text.length >> 1);
    const edited = text.slice(0, i) + " " + text.slice(i);
    const inc = await blocking(() => parse(languageId, edited, { uri, version: 2 }));
    worstBlock = Math.max(worstBlock, sliced.cpu, inc.cpu);

    const line = [
      grammar,
      String(lineCount),
      `${r1(loadMs)} ms`,
      `${r1(per1k)} ms`,
      `${r1(median(runs))} ms`,
      `${r1(sliced.total)} ms`,
      `${r1(sliced.cpu)} ms ${sliced.cpu <= TARGET_BLOCK_MS ? "✅" : "❌"}`,
      `${r1(sliced.wall)} ms`,
      `${r1(inc.total)} ms`,
      `${r1(inc.cpu)} ms`,
    ];
    rows.push(`| ${line.join(" | ")} |${hasError ? " (parse had errors)" : ""}`);
    console.log(line.join("\t"));
  }

  const section = [
    "## Parsing (`bench/syntax.ts`)",
    "",
    `Command: \`node --import tsx bench/syntax.ts\` — ${nowIso()}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ${loadNote(load)}.`,
    "",
    "Each language's test fixture (test/unit/syntax/fixtures) repeated to 5,000+ lines. *Full parse*: one synchronous parse, warm, median of 5, CPU time. *Sliced*: the backend's `parse()` (4 ms slices, then the event loop turns); *longest block* is the most CPU time spent between two turns of the event loop (wall time also counts other processes on a busy machine). *Incremental*: the same document re-parsed after a one-character edit, reusing the cached tree.",
    "",
    "| grammar | lines | grammar load (cold) | full parse per 1,000 lines | full parse, whole file | sliced parse, wall | longest block, CPU (≤ 10 ms) | longest block, wall | incremental re-parse, wall | incremental longest block, CPU |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  writeSection("syntax", section);
  console.log(`\nworst event-loop block ${r1(worstBlock)} ms CPU (target ≤ ${TARGET_BLOCK_MS} ms); ${loadNote(load)}`);
  if (worstBlock > TARGET_BLOCK_MS) process.exit(1);
}

void main();
