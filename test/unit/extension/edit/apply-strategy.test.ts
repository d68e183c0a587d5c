import { test } from "node:test";
import assert from "node:assert/strict";
import { applyStrategy, mergeInstruction } from "../../../../extension/edit/apply-strategy";

test("a selection is always replaced by the proposal", () => {
  assert.equal(applyStrategy(500, 3, true), "replace");
});

test("a whole-file-sized proposal replaces the file (reviewed as a diff)", () => {
  assert.equal(applyStrategy(40, 38, false), "replace");
  assert.equal(applyStrategy(5, 4, false), "replace");
});

test("a snippet much smaller than the file is merged by the model", () => {
  assert.equal(applyStrategy(300, 10, false), "merge");
  assert.equal(applyStrategy(20, 11, false), "merge");
});

test("small files are replaced whole even by a short snippet", () => {
  assert.equal(applyStrategy(11, 2, false), "replace");
});

test("the merge instruction carries the snippet in a fence that survives inner fences", () => {
  const i = mergeInstruction("a()\n```\nb()\n");
  assert.match(i, /^Integrate/);
  assert.ok(i.includes("````\na()\n```\nb()\n````"));
});
