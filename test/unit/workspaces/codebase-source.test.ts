/** The workspace source's batch format: files between random boundaries, refusals, bytes kept exact. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { splitBatch } from "../../../server/workspaces/codebase-source";

const B = "0123456789abcdef0123456789abcdef";

test("splitBatch returns each file's exact bytes (newlines, NUL, empty) and undefined for refused ones", () => {
  const bin = Buffer.from([0x00, 0x0a, 0xff, 0x0a]);
  const out = Buffer.concat([
    Buffer.from(`\n${B} 0 ok\nline 1\nline 2\n`),
    Buffer.from(`\n${B} 1 no\n`),
    Buffer.from(`\n${B} 2 ok\n`),
    bin,
    Buffer.from(`\n${B} 3 ok\n`),
  ]);
  const got = splitBatch(out, B, ["a.ts", "link.ts", "bin.dat", "empty.txt"]);
  assert.equal(Buffer.from(got.get("a.ts")!).toString(), "line 1\nline 2\n");
  assert.equal(got.has("link.ts"), true);
  assert.equal(got.get("link.ts"), undefined);
  assert.deepEqual(Buffer.from(got.get("bin.dat")!), bin);
  assert.equal(got.get("empty.txt")!.length, 0);
});

test("splitBatch ignores indexes it did not ask for and a second header for the same file", () => {
  const out = Buffer.from(`\n${B} 7 ok\nstray\n${B} 0 ok\nfirst\n${B} 0 ok\nsecond`);
  const got = splitBatch(out, B, ["only.ts"]);
  assert.deepEqual([...got.keys()], ["only.ts"]);
  assert.equal(Buffer.from(got.get("only.ts")!).toString(), "first");
});
