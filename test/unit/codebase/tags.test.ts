/**
 * Definitions with their signature lines, per language, from the tree (and from the regex
 * fallback without a grammar); the words lexical retrieval sees.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkRanges } from "../../../server/codebase/chunks";
import { extractTags } from "../../../server/codebase/tags";
import { splitIdentifier, stem, termsOf } from "../../../server/codebase/terms";

const names = async (path: string, text: string) =>
  (await extractTags(path, text)).defs.map((d) => `${d.kind} ${d.name} ${d.line}-${d.endLine}`);

test("TypeScript: functions, classes, methods, interfaces, types, top-level consts (not locals)", async () => {
  const ts = [
    "export const LIMIT = 3;",
    "export interface Cart { items: number[] }",
    "type Id = string;",
    "export class Store {",
    "  total(cart: Cart): number {",
    "    const local = 1;",
    "    return local;",
    "  }",
    "}",
    "export async function load(id: Id): Promise<Cart> {",
    "  return { items: [] };",
    "}",
  ].join("\n");
  assert.deepEqual(await names("src/a.ts", ts), [
    "const LIMIT 1-1",
    "interface Cart 2-2",
    "type Id 3-3",
    "class Store 4-9",
    "method total 5-8",
    "function load 10-12",
  ]);
  const tags = await extractTags("src/a.ts", ts);
  assert.equal(
    tags.defs.find((d) => d.name === "load")!.signature,
    "export async function load(id: Id): Promise<Cart> {",
  );
  assert.equal(tags.parseFailed, false);
});

test("Python and Go definitions", async () => {
  const py =
    "RETRIES = 3\n\nclass Cart:\n    def total(self):\n        x = 1\n        return x\n\n@cache\ndef load(id):\n    return id\n";
  assert.deepEqual(await names("m.py", py), [
    "const RETRIES 1-1",
    "class Cart 3-6",
    "function total 4-6",
    "function load 9-10",
  ]);
  const go =
    "package p\n\ntype Cart struct {\n\tItems []int\n}\n\nfunc (c *Cart) Total() int {\n\treturn 0\n}\n\nfunc Load() *Cart {\n\treturn nil\n}\n";
  assert.deepEqual(await names("m.go", go), ["type Cart 3-5", "method Total 7-9", "function Load 11-13"]);
});

test("without a grammar the regex fallback finds definitions and their extent", async () => {
  const kt = "class Cart {\n  fun total(): Int {\n    return 0\n  }\n}\nfunction helper() {}\n";
  const tags = await extractTags("x.lua", kt);
  assert.deepEqual(
    tags.defs.map((d) => `${d.kind} ${d.name} ${d.line}-${d.endLine}`),
    ["class Cart 1-5", "function helper 6-6"],
  );
});

test("terms: identifiers split and lightly stemmed, filler dropped, question meets code", () => {
  assert.deepEqual(splitIdentifier("retryFailedHTTPPayments_v2"), ["retry", "failed", "http", "payments"]);
  assert.equal(stem("retries"), stem("retry"));
  assert.equal(stem("retrying"), stem("retry"));
  assert.equal(stem("failed"), stem("fail"));
  assert.equal(stem("payments"), stem("payment"));
  assert.deepEqual(termsOf("where do we retry failed payments?"), termsOf("retryFailedPayment"));
});

test("chunks cut at definitions and at least every 40 lines, covering the file", () => {
  const ranges = chunkRanges(100, [
    { name: "a", kind: "function", line: 10, endLine: 20, signature: "" },
    { name: "b", kind: "function", line: 12, endLine: 20, signature: "" },
  ]);
  assert.deepEqual(ranges, [
    [1, 9],
    [10, 49],
    [50, 89],
    [90, 100],
  ]);
});
