// `npm run bench [name…]`: runs every bench/*.ts (or the named ones) in turn with tsx,
// one process each so a benchmark's servers and timers cannot skew the next one.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "bench");
const wanted = process.argv.slice(2).map((n) => n.replace(/^bench\//, "").replace(/\.ts$/, ""));
const all = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort();
const files = wanted.length > 0 ? all.filter((f) => wanted.includes(f.replace(/\.ts$/, ""))) : all;
if (files.length === 0) {
  console.error(`no benchmarks matched ${wanted.join(", ") || "bench/*.ts"}`);
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${f} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
