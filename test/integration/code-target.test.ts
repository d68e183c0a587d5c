/**
 * POST /api/code/target end to end: the real backend bundle (dist/server.js, with the
 * grammars it loads from dist/grammars/) names the blocks around a cursor, a selection
 * keeps only the blocks holding all of it, and bad bodies are refused with BAD_REQUEST.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startBackend, type Backend } from "./helpers/backend";
import type { CodeTargetResponse } from "../../server/api/code";
import type { ApiErrorBody } from "../../server/api/errors";

const PY = [
  "class Cart:",
  "    def __init__(self, items):",
  "        self.items = items",
  "",
  "    def total(self):",
  "        s = 0",
  "        for i in self.items:",
  "            s += i.price",
  "        return s",
  "",
].join("\n");

let backend: Backend;
before(async () => {
  backend = await startBackend();
});
after(async () => {
  await backend?.stop();
});

const target = (body: unknown) => backend.call<CodeTargetResponse & ApiErrorBody>("POST", "/api/code/target", body);

test("the cursor in a method: the method, then the class (labels name them)", async () => {
  const r = await target({
    languageId: "python",
    uri: "file:///w/cart.py",
    version: 3,
    text: PY,
    offset: PY.indexOf("for i"),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.grammar, "python");
  assert.deepEqual(
    r.body.scopes.map((s) => [s.label, s.startLine, s.endLine, s.headerLine]),
    [
      ["method total (lines 5–9)", 4, 8, 4],
      ["class Cart (lines 1–9)", 0, 8, 0],
    ],
  );
});

test("plaintext named .py is parsed as Python; a selection keeps the blocks that hold all of it", async () => {
  const start = PY.indexOf("        for i");
  const r = await target({
    languageId: "plaintext",
    filepath: "/w/cart.py",
    text: PY,
    offset: start,
    endOffset: PY.indexOf("        return s"),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.scopes.map((s) => s.label),
    ["method total (lines 5–9)", "class Cart (lines 1–9)"],
  );
  const across = await target({
    languageId: "python",
    text: PY,
    offset: PY.indexOf("self.items = items"),
    endOffset: PY.indexOf("s = 0"),
  });
  assert.deepEqual(
    across.body.scopes.map((s) => s.label),
    ["class Cart (lines 1–9)"],
  );
});

test("a language without a bundled grammar: grammar null, no scopes", async () => {
  const r = await target({ languageId: "markdown", filepath: "README.md", text: "# Title\n", offset: 2 });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { grammar: null, scopes: [] });
});

test("bad bodies are refused with BAD_REQUEST", async () => {
  for (const body of [
    { languageId: "python", text: "x = 1\n", offset: 99 },
    { languageId: "python", text: "x = 1\n", offset: 3, endOffset: 1 },
    { languageId: "python", offset: 0 },
    { languageId: "", text: "", offset: 0 },
  ]) {
    const r = await target(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, "BAD_REQUEST");
  }
});
