/**
 * What the index must never hold: files ignored by `.gitignore` (at any depth, negations
 * included), `.aicockpitignore`, pruned vendored folders, secret files (never even read),
 * files with a private key inside, binaries, oversized files, symlinks out of the root.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createCodebaseIndex } from "../../../server/codebase/index";
import { createLocalFileSource } from "../../../server/codebase/local-source";
import type { CodebaseIndex } from "../../../server/codebase/types";
import { recording, tmpRepo } from "./helpers";

const WORD = "zebracorn"; // in every file, so a query would surface any of them
let repo: ReturnType<typeof tmpRepo>;
let outside: string;
let ix: CodebaseIndex;
let reads: Set<string>;

before(async () => {
  const code = (name: string) => `export function ${name}() {\n  return "${WORD}";\n}\n`;
  repo = tmpRepo({
    ".gitignore": "*.log\ngenerated/\n",
    "src/app.ts": code("appMain"),
    "src/debug.log": `${WORD} log line\n`,
    "generated/out.ts": code("generatedThing"),
    "pkg/.gitignore": "local.ts\n!keep.log\n",
    "pkg/local.ts": code("localOnly"),
    "pkg/keep.log": `${WORD} kept by a nested negation\n`,
    "pkg/lib.py": `def lib_fn():\n    return "${WORD}"\n`,
    ".aicockpitignore": "private/\n",
    "private/notes.ts": code("privateNotes"),
    "node_modules/dep/index.js": code("vendored"),
    ".env": `API_KEY=${WORD}\n`,
    "deploy/server.pem": `${WORD}\n`,
    "home/id_rsa": `${WORD}\n`,
    "src/config.ts": `// ${WORD}\nconst k = \`-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\`;\n`,
    "assets/logo.bin": Buffer.from([0x89, 0x50, 0x00, 0x00, 0x7a, 0x65]),
    "data/huge.ts": `// ${WORD}\n` + "x".repeat(3000),
  });
  outside = mkdtempSync(join(tmpdir(), "aicockpit-codebase-outside-"));
  writeFileSync(join(outside, "escape.ts"), code("escaped"));
  symlinkSync(join(outside, "escape.ts"), join(repo.root, "src", "escape.ts"));
  symlinkSync(outside, join(repo.root, "linked-dir"));
  const source = recording(createLocalFileSource(repo.root));
  reads = source.reads;
  ix = createCodebaseIndex({ source, maxFileBytes: 2000 });
  await ix.build();
});

after(() => {
  repo.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

test("only allowed files are indexed; a query for a word in every file returns only them", async () => {
  const r = await ix.query(WORD, { budgetTokens: 4000, maxFiles: 50 });
  const paths = new Set(r.files.map((f) => f.path));
  assert.deepEqual([...paths].sort(), ["pkg/keep.log", "pkg/lib.py", "src/app.ts"]);
  assert.equal(ix.stats().files, 6); // the three above + .gitignore, pkg/.gitignore, .aicockpitignore
  for (const bad of ["generatedThing", "localOnly", "privateNotes", "vendored", "API_KEY", "PRIVATE KEY", "escaped"])
    assert.ok(!r.context.includes(bad), `context must not contain ${bad}`);
});

test("secret files are never read, whatever their content", () => {
  for (const secret of [".env", "deploy/server.pem", "home/id_rsa"]) assert.ok(!reads.has(secret), secret);
  for (const ignored of ["generated/out.ts", "pkg/local.ts", "private/notes.ts", "src/debug.log"])
    assert.ok(!reads.has(ignored), ignored);
  const s = ix.stats().skipped;
  assert.equal(s.secret, 3 + 1); // three by name, config.ts by its private-key block
  assert.equal(s.binary, 1);
  assert.equal(s.tooLarge, 1);
});

test("the local source refuses paths that leave the root", async () => {
  const source = createLocalFileSource(repo.root);
  assert.equal(await source.read("../escape.ts", 1000), undefined);
  assert.equal(await source.read("src/escape.ts", 1000), undefined); // symlink to outside
  assert.equal(await source.read("linked-dir/escape.ts", 1000), undefined);
  const listed: string[] = [];
  for await (const e of source.list()) listed.push(e.path);
  assert.ok(!listed.some((p) => p.includes("escape")), listed.join(","));
  assert.ok(!listed.some((p) => p.startsWith("node_modules/")));
});
