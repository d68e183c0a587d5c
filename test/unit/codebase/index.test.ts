/**
 * The engine end to end over a folder: the reference graph ranks the file everyone calls
 * first; a question naming a behaviour finds the two files implementing it among a few
 * hundred (not the file merely named like it); update/remove change answers without a
 * rebuild; the budget holds; a file that cannot be read or parsed properly stops nothing.
 */
import assert from "node:assert/strict";
import { rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { estimateTokens } from "../../../common/tokens";
import { createCodebaseIndex } from "../../../server/codebase/index";
import { createLocalFileSource } from "../../../server/codebase/local-source";
import { pageRank } from "../../../server/codebase/pagerank";
import type { FileSource } from "../../../server/codebase/types";
import { generateRepo } from "../../fixtures/generated-repo";
import { PAYMENT_RETRY_FILES } from "../../fixtures/payment-retry";
import { tempRepos, writeFiles } from "./helpers";

const repoOf = tempRepos();

test("PageRank: the file every other file references ranks first in the map", async () => {
  const files: Record<string, string> = {
    "src/ledger.ts": "export function computeLedgerBalance(entries: number[]): number {\n  return 0;\n}\n",
    "src/misc.ts": "export function formatInvoiceLine(s: string): string {\n  return s;\n}\n",
  };
  for (let i = 0; i < 12; i++)
    files[`src/feature${i}.ts`] =
      `export function featureHandler${i}() {\n  return computeLedgerBalance([${i}]);\n}\n` +
      (i === 0 ? "export const x = formatInvoiceLine('a');\n" : "");
  const ix = createCodebaseIndex({ source: createLocalFileSource(repoOf(files)) });
  await ix.build();
  const r = await ix.query("give me an overview", { budgetTokens: 2000 });
  const map = r.context.slice(r.context.indexOf("Repository map"));
  const first = /\n(\S+):\n/.exec(map)?.[1];
  assert.equal(first, "src/ledger.ts", map);
  assert.ok(map.includes("  export function computeLedgerBalance(entries: number[]): number {"), map);
  assert.ok(map.indexOf("src/misc.ts") > map.indexOf("src/ledger.ts"));

  // The same on a bare graph: 0 → 2, 1 → 2, 2 → 0.
  const g = {
    nodes: 3,
    offsets: Int32Array.from([0, 1, 2, 3]),
    targets: Int32Array.from([2, 2, 0]),
    weights: Float64Array.from([1, 1, 1]),
    outWeight: Float64Array.from([1, 1, 1]),
  };
  const rank = pageRank(g);
  assert.ok(rank[2]! > rank[0]! && rank[0]! > rank[1]!);
  assert.ok(Math.abs(rank.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

test("a question naming a behaviour finds the two files implementing it among 300", async () => {
  const root = repoOf({});
  generateRepo(root, { files: 300, plant: PAYMENT_RETRY_FILES, seed: 7 });
  const ix = createCodebaseIndex({ source: createLocalFileSource(root) });
  const phases = new Set<string>();
  await ix.build({ onProgress: (p) => phases.add(p.phase) });
  assert.deepEqual([...phases], ["listing", "indexing", "ranking", "done"]);
  const r = await ix.query("where do we retry failed payments?", { budgetTokens: 3000 });
  const top = [...new Set(r.files.map((f) => f.path))].slice(0, 2).sort();
  assert.deepEqual(top, ["src/billing/jobs/charge_worker.ts", "src/billing/store/dunning.py"]);
  const decoy = r.files.findIndex((f) => f.path === "src/docs/payment_retry.go");
  assert.ok(decoy === -1 || decoy >= 2, "the file merely named like the question ranks below both");
  assert.ok(r.context.includes("src/billing/jobs/charge_worker.ts:"));
  assert.ok(r.context.includes("export async function retryFailedCharge(payment: PaymentAttempt)"));
  assert.ok(r.context.includes("def schedule_payment_retries(failed_payments, now):"));
  const hit = r.files.find((f) => f.path === "src/billing/store/dunning.py")!;
  assert.match(hit.reason, /retry/);
  assert.ok(hit.startLine >= 1 && hit.endLine >= hit.startLine);

  // The budget holds at every size, and the map fills what snippets leave.
  for (const budget of [40, 300, 1200, 5000]) {
    const b = await ix.query("how do we validate the order records?", { budgetTokens: budget });
    assert.ok(estimateTokens(b.context) <= budget, `${estimateTokens(b.context)} > ${budget}`);
  }
  const big = await ix.query("how do we validate the order records?", { budgetTokens: 5000 });
  assert.ok(big.context.includes("Repository map"));
  assert.ok(estimateTokens(big.context) > 3500, "a large budget is used, not wasted");

  // Mentioned files come first even when they share no word with the question.
  const mentioned = "src/docs/payment_retry.go";
  const m = await ix.query("how do we validate the order records?", {
    budgetTokens: 2000,
    mentionedPaths: [mentioned],
  });
  assert.equal(m.files[0]?.path, mentioned);
  assert.match(m.files[0]!.reason, /mentioned/);
});

test("update and remove change answers without a rebuild", async () => {
  const root = repoOf({
    "a.ts": "export function alpha() {\n  return 1;\n}\n",
    "b.py": "def beta():\n    return 2\n",
  });
  const ix = createCodebaseIndex({ source: createLocalFileSource(root) });
  await ix.build();
  assert.equal((await ix.query("quasar flux", { budgetTokens: 500 })).files.length, 0);

  writeFiles(root, {
    "new/c.go": "package c\n\n// QuasarFlux keeps the quasar flux stable.\nfunc QuasarFlux() int {\n\treturn 3\n}\n",
  });
  await ix.update(["new/c.go"]);
  const r = await ix.query("quasar flux", { budgetTokens: 500 });
  assert.deepEqual(
    r.files.map((f) => f.path),
    ["new/c.go"],
  );
  assert.ok(r.context.includes("func QuasarFlux() int {"));

  writeFileSync(join(root, "new/c.go"), "package c\n\nfunc Nebula() int {\n\treturn 4\n}\n");
  await ix.update(["new/c.go"]);
  assert.equal((await ix.query("quasar flux", { budgetTokens: 500 })).files.length, 0);
  assert.equal((await ix.query("nebula", { budgetTokens: 500 })).files[0]?.path, "new/c.go");

  ix.remove(["new"]);
  assert.equal((await ix.query("nebula", { budgetTokens: 500 })).files.length, 0);
  assert.equal(ix.stats().files, 2);

  // A deleted file named in update() is dropped too; an ignore file change re-applies the rules.
  unlinkSync(join(root, "b.py"));
  await ix.update(["b.py"]);
  assert.equal(ix.stats().files, 1);
  writeFiles(root, { ".gitignore": "a.ts\n" });
  await ix.update([".gitignore"]);
  assert.equal((await ix.query("alpha", { budgetTokens: 500 })).files.length, 0);
  // Secret names are refused by update() as by build().
  writeFiles(root, { ".env.local": "TOKEN=quasar\n" });
  await ix.update([".env.local"]);
  assert.equal((await ix.query("quasar token", { budgetTokens: 500 })).files.length, 0);
});

test("a file that fails to read or parse does not stop the index", async () => {
  const root = repoOf({
    "good.ts": "export function goodOne() {\n  return 'saffron';\n}\n",
    "broken.ts": "export function (((( {{{ class saffron ]]] def :::\n".repeat(50),
    "unreadable.py": "def gone():\n    return 'saffron'\n",
    "notes.kt": "fun saffronHarvest(x: Int): Int {\n  return x\n}\n",
  });
  const local = createLocalFileSource(root);
  const flaky: FileSource = {
    description: "flaky",
    list: (o) => local.list(o),
    read: (p, max, s) => (p === "unreadable.py" ? Promise.reject(new Error("EIO")) : local.read(p, max, s)),
  };
  const ix = createCodebaseIndex({ source: flaky });
  const stats = await ix.build();
  assert.equal(stats.files, 3);
  const r = await ix.query("saffron", { budgetTokens: 1000, maxFiles: 10 });
  assert.deepEqual([...new Set(r.files.map((f) => f.path))].sort(), ["broken.ts", "good.ts", "notes.kt"]);
  // No grammar for Kotlin: the regex fallback still finds its definition for the map.
  const all = await ix.query("overview", { budgetTokens: 1000 });
  assert.ok(all.context.includes("fun saffronHarvest(x: Int): Int {") || r.context.includes("saffronHarvest"));
});

test("an aborted build rejects and a later build completes", async () => {
  const root = repoOf({});
  generateRepo(root, { files: 60, seed: 3 });
  const ix = createCodebaseIndex({ source: createLocalFileSource(root) });
  const ac = new AbortController();
  const p = ix.build({
    signal: ac.signal,
    onProgress: (pr) => {
      if (pr.phase === "indexing") ac.abort(new Error("stop"));
    },
  });
  await assert.rejects(p, /stop/);
  const s = await ix.build();
  assert.equal(s.files, 60);
  rmSync(root, { recursive: true, force: true });
});
