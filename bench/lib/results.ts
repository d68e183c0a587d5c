/** Replaces (or appends) one benchmark's section of bench/RESULTS.md, between its markers. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const RESULTS_FILE = join(__dirname, "..", "RESULTS.md");

export function writeSection(name: string, section: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${section}\n${end}`;
  let text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, "utf8") : "# Benchmark results\n";
  text = text.includes(start)
    ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), () => block)
    : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS_FILE, text);
}

export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export const r1 = (n: number) => Math.round(n * 10) / 10;

export const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
