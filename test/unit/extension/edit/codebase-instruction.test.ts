/** @codebase in a Ctrl+K instruction: the question without the mention, the context within the limit. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  codebaseQuestion,
  codebaseSourcesLine,
  MAX_INSTRUCTION_CHARS,
  withCodebaseContext,
} from "../../../../extension/edit/codebase-instruction";

test("the mention is taken out; without it there is no question", () => {
  assert.equal(
    codebaseQuestion("use the retry helper we already have @codebase"),
    "use the retry helper we already have",
  );
  assert.equal(codebaseQuestion("@codebase use our logger here"), "use our logger here");
  assert.equal(codebaseQuestion("log like @codebase does, please"), "log like does, please");
  assert.equal(codebaseQuestion("add validation"), undefined);
  assert.equal(codebaseQuestion("email me at a@codebase.dev"), undefined, "an @ inside a word is no mention");
});

test("the context follows the instruction and is cut at a line to fit the route's limit", () => {
  const small = withCodebaseContext("use the helper", "src/retry.ts\nexport function retry() {}\n");
  assert.ok(small.startsWith("use the helper\n\nRelevant code from the codebase"));
  assert.ok(small.includes("export function retry() {}"));
  const big = withCodebaseContext("q", Array.from({ length: 5000 }, (_, i) => `line ${i} of code`).join("\n"));
  assert.ok(big.length <= MAX_INSTRUCTION_CHARS, `${big.length}`);
  assert.ok(big.endsWith("\n…"));
  assert.match(big.split("\n").at(-2)!, /^line \d+ of code$/, "cut at a line end");
  assert.equal(withCodebaseContext("q", "   "), "q", "nothing retrieved: the instruction alone");
});

test("the status line names each file once, the first three, counts the rest, and says when nothing came along", () => {
  assert.equal(
    codebaseSourcesLine(["src/billing/gateway.ts", "src/billing/gateway.ts", "src/billing/backoff.ts"]),
    "@codebase: gateway.ts, backoff.ts",
  );
  assert.equal(codebaseSourcesLine(["a.ts", "b.ts", "c.ts", "d.ts", "e.ts"]), "@codebase: a.ts, b.ts, c.ts and 2 more");
  assert.match(codebaseSourcesLine([]), /nothing related found/);
});
