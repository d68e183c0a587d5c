/**
 * The context golden cases (golden/context: a small workspace and a document) through the
 * engine with a generous time box, so the result does not depend on the machine's load; the
 * integration suite runs the same cases through POST /api/complete. Plus the pieces: import
 * bindings, names near the cursor, a definition cut out of a file.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadGolden, splitCursor } from "./golden-format";
import { FakeUpstream } from "./fake-upstream";
import { CompletionEngine } from "../../../server/completion/engine";
import type { UpstreamCompletionParams } from "../../../server/completion/engine";
import { definitionIn, namesNearCursor } from "../../../server/completion/definitions";
import { importBindings } from "../../../common/imports";

const cases = loadGolden(join(__dirname, "golden", "context"));
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const never = new AbortController().signal;

for (const c of cases) {
  test(`context: ${c.name}`, async () => {
    const root = mkdtempSync(join(tmpdir(), "aicockpit-ctx-unit-"));
    roots.push(root);
    for (const [name, content] of c.sections) {
      if (!name.startsWith("file ")) continue;
      const p = join(root, name.slice(5).trim());
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content.endsWith("\n") ? content : `${content}\n`);
    }
    const { prefix, suffix } = splitCursor(c);
    const up = new FakeUpstream(() => ({ chunks: ["x"] }));
    const engine = new CompletionEngine(up, { sourceTimeBoxMs: 5_000 });
    await engine.complete(
      {
        filepath: join(root, c.header.path ?? "src/app.ts"),
        languageId: c.header.language ?? "typescript",
        prefix,
        suffix,
        workspaceRoot: root,
      },
      never,
    );
    const prompt = (up.calls[0]!.params as UpstreamCompletionParams).prompt;
    for (const [name, text] of c.sections) {
      if (name.startsWith("in-prompt")) assert.ok(prompt.includes(text), `${name} missing from:\n${prompt}`);
      if (name === "not-in-prompt")
        for (const line of text.split("\n")) assert.ok(!prompt.includes(line), `${line} leaked into:\n${prompt}`);
    }
  });
}

test("import bindings: named, aliased, default, namespace, require; Python from/import", () => {
  const ts = importBindings(
    'import def, { a, b as c, type T } from "./m";\nimport * as ns from "../n.js";\nconst { r } = require("./r");\nimport x from "pkg";',
    "typescript",
  );
  assert.deepEqual(
    ts.map((b) => [b.local, b.exported, b.specifier, b.namespace]),
    [
      ["a", "a", "./m", false],
      ["c", "b", "./m", false],
      ["T", "T", "./m", false],
      ["def", "def", "./m", false],
      ["ns", "ns", "../n.js", true],
      ["r", "r", "./r", false],
    ],
  );
  const py = importBindings(
    "from .models import (\n    Item,\n    Cart as C,\n)\nfrom ..util import f\nimport app.db as db\n",
    "python",
  );
  assert.deepEqual(
    py.map((b) => [b.local, b.exported, b.specifier, b.namespace]),
    [
      ["Item", "Item", "./models", false],
      ["C", "Cart", "./models", false],
      ["f", "f", "../util", false],
      ["db", "db", "./app/db", true],
    ],
  );
});

test("names near the cursor come nearest first, keywords left out", () => {
  const names = namesNearCursor("const far = 1;\nfunction g() {\n  return helper.run(near", ");\nafter();");
  assert.deepEqual(names.slice(0, 4), ["near", "after", "helper.run", "helper"]);
  assert.ok(!names.includes("return") && !names.includes("function"));
});

test("a definition is cut out with its doc comment, decorators and body", () => {
  const src = [
    "import x from 'y';",
    "",
    "/** Adds. */",
    "export function add(a: number, b: number): number {",
    "  return a + b;",
    "}",
    "",
    "export const LIMIT = 10;",
    "export type Pair = {",
    "  a: number;",
    "};",
  ].join("\n");
  assert.equal(
    definitionIn(src, "add"),
    "/** Adds. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}",
  );
  assert.equal(definitionIn(src, "LIMIT"), "export const LIMIT = 10;");
  assert.equal(definitionIn(src, "Pair"), "export type Pair = {\n  a: number;\n};");
  assert.equal(definitionIn(src, "missing"), null);
  const py = "def f(\n    a,\n    b,\n):\n    return a + b\n\n\nx = f(1, 2)\n";
  assert.equal(definitionIn(py, "f"), "def f(\n    a,\n    b,\n):\n    return a + b");
});
