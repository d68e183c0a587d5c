/**
 * Parsing benchmark (server/syntax). Run: `node --import tsx bench/syntax.ts`
 *
 * Per grammar, in the order a user meets them, on a file made by repeating the language's
 * test fixture (test/unit/syntax/fixtures, which parses without errors) to 5,000+ lines:
 *  - grammar load (first use in the process: read, WebAssembly compile and instantiate), and
 *    the longest event-loop block it caused;
 *  - the FIRST parse through the backend's `parse()` (4 ms slices, cold code), then a second
 *    parse of the same text as a new document (warm): the longest the event loop was held,
 *    as main-thread CPU between two turns of the loop (bench/lib/event-loop-block.ts), and
 *    as wall time (which on a loaded machine adds other processes' turns);
 *  - re-parse after a one-character edit (the cached tree reused incrementally);
 *  - full parse per 1,000 lines (median of 5, warm, one synchronous parse, CPU time).
 * Target: no parse holds the event loop over 10 ms main-thread CPU ("a few ms"), the first
 * parse of a language included. Grammar load is once per process and reported, not targeted.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Parser } from "web-tree-sitter";
import { eventLoopBlock, MAIN_THREAD_CPU, mainThreadCpuMs as cpuMs } from "./lib/event-loop-block";
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const load = loadavg()[0]!;
  const rows: string[] = [];
  let worstBlock = 0;
  let worstLoad = 0;
  for (const grammar of Object.keys(WASM_FILES.grammars) as Grammar[]) {
    const [file, languageId] = FIXTURE[grammar];
    const text = bigFile(grammar, readFileSync(join(FIXTURES, file), "utf8"));
    const lineCount = text.split("\n").length;

    const uri = `bench://${grammar}`;
    let language: Awaited<ReturnType<typeof loadLanguage>> | undefined;
    const loaded = await eventLoopBlock(async () => {
      language = await loadLanguage(grammar);
    });
    const first = await eventLoopBlock(() => parse(languageId, text, { uri, version: 1 }));
    const warm = await eventLoopBlock(() => parse(languageId, text, { uri: `${uri}/2`, version: 1 }));
    const i = text.indexOf("\n", text.length >> 1);
    const edited = text.slice(0, i) + " " + text.slice(i);
    const inc = await eventLoopBlock(() => parse(languageId, edited, { uri, version: 2 }));
    const parseBlock = Math.max(first.cpu, warm.cpu, inc.cpu);
    worstBlock = Math.max(worstBlock, parseBlock);
    worstLoad = Math.max(worstLoad, loaded.cpu);

    const parser = new Parser();
    parser.setLanguage(language!);
    const runs: number[] = [];
    let hasError = false;
    for (let k = 0; k < 6; k++) {
      const c0 = cpuMs();
      const tree = parser.parse(text)!;
      if (k > 0) runs.push(cpuMs() - c0); // the first run warms the WebAssembly tiers
      hasError = tree.rootNode.hasError;
      tree.delete();
    }
    parser.delete();
    const per1k = (median(runs) / lineCount) * 1000;

    const line = [
      grammar,
      String(lineCount),
      `${r1(loaded.total)} ms`,
      `${r1(loaded.cpu)} ms`,
      `${r1(first.total)} ms`,
      `${r1(first.cpu)} ms`,
      `${r1(warm.cpu)} ms`,
      `${r1(inc.total)} ms`,
      `${r1(inc.cpu)} ms`,
      `${r1(parseBlock)} ms ${parseBlock <= TARGET_BLOCK_MS ? "✅" : "❌"} (wall ${r1(Math.max(first.wall, warm.wall, inc.wall))} ms)`,
      `${r1(per1k)} ms`,
    ];
    rows.push(`| ${line.join(" | ")} |${hasError ? " (parse had errors)" : ""}`);
    console.log(line.join("\t"));
  }

  const section = [
    "## Parsing (`bench/syntax.ts`)",
    "",
    `Command: \`node --import tsx bench/syntax.ts\` — ${nowIso()}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ${loadNote(load)}.`,
    "",
    `Each language's test fixture (test/unit/syntax/fixtures) repeated to 5,000+ lines, in the order a user meets it. *Block* = the most ${MAIN_THREAD_CPU ? "main-thread" : "process (no per-thread figure on this OS)"} CPU time between two turns of the event loop (bench/lib/event-loop-block.ts; wall time also counts other processes on a busy machine). *Load*: the grammar's first use in the process (once). *First parse*: the backend's \`parse()\` (4 ms slices) on cold code; *warm*: the same text as another document; *incremental*: the first document re-parsed after a one-character edit, reusing its cached tree. *Full parse*: one synchronous parse, warm, median of 5, CPU time.`,
    "",
    "| grammar | lines | load, wall | load, block (once) | first parse, wall | first parse, block | warm parse, block | incremental, wall | incremental, block | worst parse block (≤ 10 ms) | full parse per 1,000 lines |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  writeSection("syntax", section);
  console.log(
    `\nworst parse block ${r1(worstBlock)} ms CPU (target ≤ ${TARGET_BLOCK_MS} ms); worst grammar load block ${r1(worstLoad)} ms (once per grammar); ${loadNote(load)}`,
  );
  if (worstBlock > TARGET_BLOCK_MS) process.exit(1);
}

void main();
