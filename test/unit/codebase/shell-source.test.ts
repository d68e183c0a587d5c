/**
 * The shell source (Docker workspaces, SSH hosts) run against this machine's real `sh`,
 * `find` and `stat`: a gitignored tree is pruned in the listing exec itself, so it neither
 * crosses the wire nor fills the listing cap (4 × maxFiles) before the real sources are
 * listed, and the whole listing stays a handful of execs however many ignore files there are.
 * test/integration/codebase-{workspace,remote}.test.ts run the same scripts on busybox and over SSH.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createCodebaseIndex, type Index } from "../../../server/codebase/index";
import { createShellFileSource, type ShellExec } from "../../../server/codebase/shell-source";
import type { CodebaseIndexOptions, FileSource } from "../../../server/codebase/types";
import { tempRepos, watching, writeFiles } from "./helpers";

const repoOf = tempRepos();

/** `sh -c script sh ...args` here, as a container or host runs it; every exec is kept. */
function localShell(): { exec: ShellExec; execs: Array<{ script: string; args: string[] }> } {
  const execs: Array<{ script: string; args: string[] }> = [];
  const exec: ShellExec = (script, args, run) => {
    execs.push({ script, args });
    return new Promise((resolve, reject) => {
      const child = spawn("sh", ["-c", script, "sh", ...args], {
        cwd: "/",
        timeout: run.timeoutMs,
        ...(run.signal ? { signal: run.signal } : {}),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let truncated = false;
      child.stdout.on("data", (c: Buffer) => {
        run.onStdout?.(c);
        if (size + c.length > run.maxOutputBytes) truncated = true;
        if (size < run.maxOutputBytes) out.push(c.subarray(0, run.maxOutputBytes - size));
        size += c.length;
      });
      child.stderr.on("data", (c: Buffer) => err.push(c));
      child.on("error", reject);
      child.on("close", (code) =>
        resolve({
          exitCode: code,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          truncated,
        }),
      );
    });
  };
  return { exec, execs };
}

function shellRepo(files: Record<string, string>) {
  const root = realpathSync(repoOf(files));
  const shell = localShell();
  const source = createShellFileSource({ exec: shell.exec, root, description: "test", where: "test" });
  const listings = () => shell.execs.filter((e) => e.script.includes("find ."));
  return { root, source, execs: shell.execs, listings };
}

const code = (name: string) => `export function ${name}() {\n  return 1;\n}\n`;

async function indexed(source: FileSource, options: Omit<CodebaseIndexOptions, "source"> = {}) {
  const ix = createCodebaseIndex({ source, ...options }) as Index;
  const stats = await ix.build();
  return { files: [...ix.byPath.keys()].sort(), stats };
}

test("a gitignored tree bigger than the listing cap is pruned in the container's find; every real source is indexed", async () => {
  // Two packages, each with sources and a gitignored generated/ tree of 300 files (plus a
  // .gitignore of its own): listed, either generated/ alone would fill the cap (4 × 50).
  const { root, source, execs, listings } = shellRepo({ ".gitignore": "generated/\n" });
  const real: string[] = [];
  for (const pkg of ["app", "lib"]) {
    for (let i = 0; i < 10; i++) real.push(`${pkg}/src/mod${i}.ts`);
    mkdirSync(join(root, pkg, "generated", "deep"), { recursive: true });
    writeFileSync(join(root, pkg, "generated", ".gitignore"), "!*.ts\n");
    for (let i = 0; i < 300; i++) writeFileSync(join(root, pkg, "generated", "deep", `g${i}.ts`), code(`gen${i}`));
  }
  writeFiles(root, Object.fromEntries(real.map((p) => [p, code(p.replace(/\W/g, "_"))])));

  const w = watching(source);
  const { files, stats } = await indexed(w.source, { maxFiles: 50 });
  assert.deepEqual(files, [".gitignore", ...real].sort());
  assert.equal(stats.listingCut, false);
  assert.equal(stats.skipped.overflow, 0);
  assert.deepEqual(
    w.listed.filter((p) => p.includes("generated/")),
    [],
    "nothing below generated/ listed, not even its .gitignore",
  );
  assert.equal(w.asked.get("app/generated"), true);
  assert.equal(w.asked.get("lib/src"), false);
  assert.deepEqual(
    [...w.asked.keys()].filter((d) => d.includes("generated/")),
    [],
    "never asked below an excluded directory",
  );
  // Two listing execs, one batch for the ignore files, a few for the 21 files' bytes.
  assert.equal(listings().length, 2);
  assert.ok(listings()[1]!.args.includes("./app/generated"), "pruned by path in the files' find");
  assert.ok(execs.length <= 6, `${execs.length} execs`);

  // The same source told nothing (as before skipDir): generated/ fills the cap, sources go missing.
  const blind = watching(source, false);
  const before = await indexed(blind.source, { maxFiles: 50 });
  assert.equal(before.stats.listingCut, true);
  assert.ok(blind.listed.some((p) => p.includes("generated/")));
});

test("nested .gitignore, a `!dir/` re-include and a directory named with glob characters", async () => {
  const { source, execs, listings } = shellRepo({
    ".gitignore": "data/*\n!data/keep/\nwe\\[ir\\]d\\*/\nlogs/\n",
    ".aicockpitignore": "private/\n",
    "main.ts": code("mainEntry"),
    "pkg/.gitignore": "cache/\n",
    "pkg/index.ts": code("pkgIndex"),
    "pkg/cache/blob.ts": code("pkgCache"),
    "other/cache/kept.ts": code("otherCache"),
    "data/keep/wanted.ts": code("wantedData"),
    "data/other/unwanted.ts": code("unwantedData"),
    "data/loose.ts": code("looseData"),
    // Excluded by its literal name; unescaped, `./we[ir]d*` would also prune weid-src/ and weird*x/.
    "we[ir]d*/gen.ts": code("weirdGen"),
    "weid-src/real.ts": code("weidReal"),
    "weird*x/real.ts": code("weirdStarReal"),
    "logs/.gitignore": "!important.ts\n",
    "logs/important.ts": code("importantLog"),
    "private/notes.ts": code("privateNotes"),
    "node_modules/dep/index.js": code("vendored"),
  });
  const w = watching(source);
  const { files } = await indexed(w.source);
  assert.deepEqual(files, [
    ".aicockpitignore",
    ".gitignore",
    "data/keep/wanted.ts",
    "main.ts",
    "other/cache/kept.ts",
    "pkg/.gitignore",
    "pkg/index.ts",
    "weid-src/real.ts",
    "weird*x/real.ts",
  ]);
  for (const dir of ["pkg/cache", "data/other", "we[ir]d*", "logs", "private"])
    assert.equal(w.asked.get(dir), true, dir);
  for (const dir of ["data", "data/keep", "other/cache", "weid-src", "weird*x"])
    assert.equal(w.asked.get(dir), false, dir);
  assert.ok(!w.asked.has("node_modules"), "pruned names are cut by find, never asked about");
  assert.deepEqual(
    w.listed.filter((p) => /^(pkg\/cache|data\/other|we\[ir\]d\*|logs|private|node_modules)\//.test(p)),
    [],
    "excluded trees are not listed (logs/.gitignore included)",
  );
  assert.equal(w.listed.length, new Set(w.listed).size, "each file listed once (ignore files too)");
  assert.equal(listings().length, 2);
  assert.ok(listings()[1]!.args.includes("./we\\[ir]d\\*"), "glob characters escaped");
  assert.ok(execs.length <= 6, `${execs.length} execs`);
});

test("without skipDir the listing is one find, as before", async () => {
  const { source, listings } = shellRepo({
    ".gitignore": "gen/\n",
    "gen/a.ts": code("genA"),
    "src/b.ts": code("srcB"),
  });
  const listed: string[] = [];
  for await (const e of source.list()) listed.push(e.path);
  assert.deepEqual(listed.sort(), [".gitignore", "gen/a.ts", "src/b.ts"]);
  assert.equal(listings().length, 1);
});

test("more excluded directories than can be pruned by path: find walks them, the source still drops them", async () => {
  const files: Record<string, string> = { ".gitignore": "tmp-*/\n", "src/app.ts": code("appMain") };
  for (let i = 0; i < 2_050; i++) files[`tmp-${i}/x.ts`] = "x\n";
  const { source, listings } = shellRepo(files);
  const w = watching(source);
  const { files: got } = await indexed(w.source, { maxFiles: 5_000 });
  assert.deepEqual(got, [".gitignore", "src/app.ts"]);
  assert.deepEqual(
    w.listed.filter((p) => p.startsWith("tmp-")),
    [],
  );
  const [, filesFind] = listings();
  assert.ok(filesFind && !filesFind.args.some((a) => a.startsWith("./tmp-")), "no prune by path past 2,000");
});
