/**
 * A repository whose gitignored trees are bigger than a small index's listing cap, for the
 * @codebase suites that list through a shell (a Docker workspace's busybox, an SSH host): the
 * source must prune them in its `find`, or they fill the cap (4 × maxFiles) before the real
 * sources are listed. Checked on the source itself, in-process, with maxFiles 50.
 */
import assert from "node:assert/strict";
import { createCodebaseIndex, type Index } from "../../../server/codebase/index";
import type { FileSource } from "../../../server/codebase/types";
import type { Entry } from "./codebase-repo";

const REAL = [
  ...["app", "lib"].flatMap((pkg) => Array.from({ length: 10 }, (_, i) => `${pkg}/src/mod${i}.ts`)),
  // Unescaped, `find -path './we[ir]d*'` would prune this one too.
  "weid-src/real.ts",
];

const code = (path: string) => `export function f_${path.replace(/\W/g, "_")}() {\n  return 1;\n}\n`;

/** Two packages with 300 generated files each (and a .gitignore inside that would re-include them), 21 real sources. */
export function prunedRepoEntries(prefix = ""): Entry[] {
  const entries: Entry[] = [{ name: ".gitignore", text: "generated/\nwe\\[ir\\]d\\*/\n" }];
  for (const pkg of ["app", "lib"]) {
    entries.push({ name: `${pkg}/generated/.gitignore`, text: "!*.ts\n" });
    for (let i = 0; i < 300; i++) entries.push({ name: `${pkg}/generated/deep/g${i}.ts`, text: code(`g${i}`) });
  }
  entries.push({ name: "we[ir]d*/gen.ts", text: code("weird") });
  for (const path of REAL) entries.push({ name: path, text: code(path) });
  return entries.map((e) => ({ ...e, name: `${prefix}${e.name}` }));
}

/** Indexes `source` (a prunedRepoEntries folder) with maxFiles 50: every real source, nothing generated listed. */
export async function assertGitignoredTreesPruned(source: FileSource): Promise<void> {
  const listed: string[] = [];
  const watched: FileSource = {
    description: source.description,
    read: (p, max, signal) => source.read(p, max, signal),
    async *list(options) {
      for await (const e of source.list(options)) {
        listed.push(e.path);
        yield e;
      }
    },
  };
  const ix = createCodebaseIndex({ source: watched, maxFiles: 50 }) as Index;
  const stats = await ix.build();
  assert.deepEqual([...ix.byPath.keys()].sort(), [".gitignore", ...REAL].sort());
  assert.equal(stats.listingCut, false, "the listing was not cut: the generated trees did not fill it");
  assert.deepEqual(
    listed.filter((p) => /(^|\/)(generated|we\[ir\]d\*)\//.test(p)),
    [],
    "nothing below a gitignored directory crossed the wire",
  );
}
