/**
 * Gitignored directory trees are never walked on a local folder, as git never descends into an
 * excluded directory: a big ignored `generated/` tree neither costs a walk nor uses up the
 * listing cap (4 × maxFiles) before the real sources are listed. Nested `.gitignore` files,
 * `.aicockpitignore`, extra patterns and `!dir/` re-includes decide which directories are
 * entered, and a source that walks everything (containers, hosts) ends with the same files.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createCodebaseIndex, type Index } from "../../../server/codebase/index";
import { createLocalFileSource } from "../../../server/codebase/local-source";
import type { CodebaseIndexOptions } from "../../../server/codebase/types";
import { tempRepos, watching } from "./helpers";

const repoOf = tempRepos();

const code = (name: string) => `export function ${name}() {\n  return 1;\n}\n`;

async function indexed(options: CodebaseIndexOptions): Promise<string[]> {
  const ix = createCodebaseIndex(options) as Index;
  await ix.build();
  return [...ix.byPath.keys()].sort();
}

test("a gitignored tree bigger than the listing cap is never entered; every real source is indexed", async () => {
  // Two packages, each with sources and a gitignored generated/ tree of 1,000 files: whichever
  // is walked first, walking its generated/ would use up the cap (4 × 50) before the other's src/.
  const root = repoOf({ ".gitignore": "generated/\n" });
  const real: string[] = [];
  for (const pkg of ["app", "lib"]) {
    for (let i = 0; i < 10; i++) {
      const path = `${pkg}/src/mod${i}.ts`;
      real.push(path);
      mkdirSync(join(root, pkg, "src"), { recursive: true });
      writeFileSync(join(root, path), code(`${pkg}Mod${i}`));
    }
    mkdirSync(join(root, pkg, "generated"), { recursive: true });
    for (let i = 0; i < 1000; i++) writeFileSync(join(root, pkg, "generated", `g${i}.ts`), code(`gen${i}`));
  }
  const w = watching(createLocalFileSource(root));
  const ix = createCodebaseIndex({ source: w.source, maxFiles: 50 }) as Index;
  const stats = await ix.build();
  assert.deepEqual([...ix.byPath.keys()].sort(), [".gitignore", ...real].sort());
  assert.equal(stats.skipped.overflow, 0);
  assert.equal(stats.listingCut, false);
  assert.deepEqual(
    w.listed.filter((p) => p.includes("generated/")),
    [],
    "nothing below generated/ is listed",
  );
  assert.equal(w.asked.get("app/generated"), true);
  assert.equal(w.asked.get("lib/generated"), true);
  assert.equal(w.asked.get("app/src"), false);
});

test("nested .gitignore, .aicockpitignore, extra patterns and pruned names decide which directories are entered", async () => {
  const root = repoOf({
    ".aicockpitignore": "private/\n",
    "main.ts": code("mainEntry"),
    "pkg/.gitignore": "cache/\n",
    "pkg/index.ts": code("pkgIndex"),
    "pkg/cache/blob.ts": code("pkgCache"),
    "other/cache/kept.ts": code("otherCache"), // pkg/.gitignore does not reach here
    "private/notes.ts": code("privateNotes"),
    "scratch/try.ts": code("scratchTry"),
    "node_modules/dep/index.js": code("vendored"),
  });
  const w = watching(createLocalFileSource(root));
  const files = await indexed({ source: w.source, extraIgnore: ["scratch/"] });
  assert.deepEqual(files, [".aicockpitignore", "main.ts", "other/cache/kept.ts", "pkg/.gitignore", "pkg/index.ts"]);
  for (const dir of ["pkg/cache", "private", "scratch"]) assert.equal(w.asked.get(dir), true, dir);
  assert.equal(w.asked.get("other/cache"), false);
  // Pruned names are still cut by the source itself while walking, never even asked about.
  assert.ok(!w.asked.has("node_modules"));
  assert.deepEqual(
    w.listed.filter((p) => /^(pkg\/cache|private|scratch|node_modules)\//.test(p)),
    [],
  );
});

test("a directory a broader rule excludes but `!dir/` re-includes is still walked", async () => {
  const root = repoOf({
    ".gitignore": "data/*\n!data/keep/\ngen-*/\n!gen-keep/\n",
    "data/keep/wanted.ts": code("wantedData"),
    "data/other/unwanted.ts": code("unwantedData"),
    "data/loose.ts": code("looseData"),
    "gen-keep/kept.ts": code("keptGen"),
    "gen-tmp/dropped.ts": code("droppedGen"),
  });
  const w = watching(createLocalFileSource(root));
  const files = await indexed({ source: w.source });
  assert.deepEqual(files, [".gitignore", "data/keep/wanted.ts", "gen-keep/kept.ts"]);
  assert.equal(w.asked.get("data"), false);
  assert.equal(w.asked.get("data/keep"), false);
  assert.equal(w.asked.get("gen-keep"), false);
  assert.equal(w.asked.get("data/other"), true);
  assert.equal(w.asked.get("gen-tmp"), true);
});

test("below an excluded directory nothing is re-included, whether or not the source skips it", async () => {
  // git never reads logs/.gitignore (logs/ is excluded), so its negation cannot bring a file back.
  const root = repoOf({
    ".gitignore": "logs/\n",
    "logs/.gitignore": "!important.ts\n",
    "logs/important.ts": code("importantLog"),
    "src/app.ts": code("appMain"),
  });
  const lazy = watching(createLocalFileSource(root));
  const eager = watching(createLocalFileSource(root), false); // lists everything, like a container or host source
  const want = [".gitignore", "src/app.ts"];
  assert.deepEqual(await indexed({ source: lazy.source }), want);
  assert.deepEqual(await indexed({ source: eager.source }), want);
  assert.ok(eager.listed.includes("logs/important.ts"), "the eager source did list it: the index filtered it");
  assert.ok(!lazy.listed.some((p) => p.startsWith("logs/")));
});

test("ignored files that are listed still fill the listing cap: the build says it was cut", async () => {
  // *.log files are ignored one by one, so they are listed (a directory rule would skip them unlisted).
  const files: Record<string, string> = { ".gitignore": "*.log\n", "src/app.ts": code("appMain") };
  for (let i = 0; i < 250; i++) files[`logs-${i % 5}/run${i}.log`] = "line\n";
  const ix = createCodebaseIndex({ source: createLocalFileSource(repoOf(files)), maxFiles: 50 }) as Index;
  const stats = await ix.build();
  assert.equal(stats.listingCut, true, "4 × 50 listed: the rest was never seen");
  assert.equal(stats.skipped.overflow, 0, "what was listed fit: overflow alone would hide the cut");
});
