import { test } from "node:test";
import assert from "node:assert/strict";
import { joinRegion, resolvedLines, reviewView, streamingView } from "../../../../extension/edit/merged-view";
import { computeHunks } from "../../../../server/edit/hunks";

const oldLines = ["a", "b", "c", "d", "e"];
const newLines = ["a", "B", "c", "d", "e", "f"];
const hunks = computeHunks(oldLines, newLines);

test("two hunks: b→B and the added f", () => {
  assert.equal(hunks.length, 2);
});

test("review view interleaves removed above added and marks where each hunk starts", () => {
  const v = reviewView(oldLines, hunks, ["pending", "pending"]);
  assert.deepEqual(
    v.lines.map((l) => `${l.kind[0]}:${l.text}`),
    ["s:a", "r:b", "a:B", "s:c", "s:d", "s:e", "a:f"],
  );
  assert.deepEqual(
    [...v.hunkStarts],
    [
      [0, 1],
      [1, 6],
    ],
  );
});

test("accepting one hunk and rejecting the other gives exactly that text", () => {
  assert.deepEqual(resolvedLines(oldLines, hunks, ["accepted", "rejected"]), ["a", "B", "c", "d", "e"]);
  assert.deepEqual(resolvedLines(oldLines, hunks, ["rejected", "accepted"]), ["a", "b", "c", "d", "e", "f"]);
});

test("a decided hunk disappears from the review, the other keeps its lens line", () => {
  const v = reviewView(oldLines, hunks, ["accepted", "pending"]);
  assert.deepEqual(
    v.lines.map((l) => l.text),
    ["a", "B", "c", "d", "e", "f"],
  );
  assert.deepEqual([...v.hunkStarts], [[1, 5]]);
});

test("pending counts as rejected when resolving (nothing unreviewed is applied)", () => {
  assert.deepEqual(resolvedLines(oldLines, hunks, ["pending", "pending"]), oldLines);
});

test("streaming view shows original lines not yet reached as pending", () => {
  const v = streamingView(
    [
      { kind: "same", text: "a" },
      { kind: "added", text: "B" },
    ],
    oldLines,
    1,
  );
  assert.deepEqual(
    v.lines.map((l) => l.kind),
    ["same", "added", "pending", "pending", "pending", "pending"],
  );
});

test("joinRegion keeps CRLF and the final newline", () => {
  assert.equal(joinRegion(["x", "y"], "\r\n", true), "x\r\ny\r\n");
  assert.equal(joinRegion(["x", "y"], "\n", false), "x\ny");
  assert.equal(joinRegion([], "\n", true), "");
});
