/**
 * Where the statement the cursor's line continues starts (server/syntax/statement.ts), per
 * language: a wrapped call, a method chain, a multi-line signature → the statement's first
 * row; a line that starts its own statement, a blank line, or code the tree cannot place → none.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "../../../server/syntax/parse";
import { statementStartRow } from "../../../server/syntax/statement";

const CASES: [languageId: string, doc: string, row: number | undefined][] = [
  ["typescript", "function f() {\n  const t = items\n    .map((i) => i.p)█\n}\n", 1],
  ["typescript", "export function total(items: Item[],\n                      d: number): number {█\n}\n", 0],
  ["typescript", "function f() {\n  const a = 1;█\n}\n", undefined],
  ["javascript", "const x = compute(a,\n  b)█;\n", 0],
  ["python", "def f(x):\n    r = g(x,\n          y)█\n", 1],
  ["python", "class C:\n    def total(self,\n              d):█\n        pass\n", 1],
  ["python", "def f():\n    █\n", undefined],
  ["go", "package m\n\nfunc (c *C) Total(\n\td int) int {█\n}\n", 2],
  ["go", "package m\n\nfunc f() {\n\tx := g(a,\n\t\tb)█\n}\n", 3],
  ["rust", "fn f() -> u32 {\n    let s: u32 = v\n        .iter()\n        .sum()█;\n    s\n}\n", 1],
  ["rust", "impl C {\n    fn t(\n        &self) -> u32 {█\n    }\n}\n", 1],
  ["java", "class C {\n  int t() {\n    return items.stream()\n      .count()█;\n  }\n}\n", 2],
  ["c", "int f(void) {\n  return add(1,\n             2)█;\n}\n", 1],
  ["csharp", "class C {\n  int T() {\n    return Items\n      .Count()█;\n  }\n}\n", 2],
  ["ruby", "def t\n  items.map do |i|\n    i.price\n  end.sum(0,\n          1)█\nend\n", 1],
  ["shellscript", "f() {\n  echo a \\\n    b█\n}\n", 1],
];

for (const [languageId, doc, row] of CASES) {
  test(`statement start: ${languageId} ${JSON.stringify(doc.split("█")[0]!.split("\n").pop())} → ${row}`, async () => {
    const at = doc.indexOf("█");
    const text = doc.slice(0, at) + doc.slice(at + 1);
    const st = await parse(languageId, text);
    assert.ok(st);
    assert.equal(statementStartRow(st, at), row);
  });
}
