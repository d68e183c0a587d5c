/**
 * Whatever the texts, applying every hunk gives the new text and applying none gives the old
 * one — for the exact Myers diff and for the coarse fallback it takes past its bounds.
 * And the worst case (fully different texts) stays within its time budget.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { applyHunks, computeHunks, type DiffBounds } from "../../../server/edit/hunks";

// A small alphabet makes repeated and shifted lines (the hard cases for a line diff) common.
const lineArb = fc.constantFrom("", "a", "b", "c", "}", "  x = 1;", "return y;");
const textArb = fc.array(lineArb, { maxLength: 40 });

const all = (n: number) => new Set(Array.from({ length: n }, (_, i) => i));

function checkRoundTrip(oldLines: string[], newLines: string[], bounds?: DiffBounds): void {
  const hunks = computeHunks(oldLines, newLines, bounds);
  assert.deepEqual(applyHunks(oldLines, hunks, all(hunks.length)), newLines);
  assert.deepEqual(applyHunks(oldLines, hunks, new Set()), oldLines);
  let prevEnd = 0;
  for (const h of hunks) {
    assert.ok(h.oldLines.length + h.newLines.length > 0, "no empty hunk");
    assert.ok(h.oldStart >= prevEnd, "hunks are ordered and disjoint");
    prevEnd = h.oldStart + h.oldLines.length;
  }
}

test("exact diff: applying all hunks yields the new text, none the old", () => {
  fc.assert(
    fc.property(textArb, textArb, (a, b) => checkRoundTrip(a, b)),
    { numRuns: 2_000 },
  );
});

test("coarse fallback (edit-length bound hit): still exact when applied", () => {
  fc.assert(
    fc.property(textArb, textArb, (a, b) => checkRoundTrip(a, b, { maxEditLength: 1, timeoutMs: 1_000 })),
    { numRuns: 2_000 },
  );
});

test("coarse fallback is one replace hunk of the differing middle", () => {
  const old = ["same", "a", "b", "c", "end"];
  const neu = ["same", "x", "y", "end"];
  assert.deepEqual(computeHunks(old, neu, { maxEditLength: 0, timeoutMs: 1_000 }), [
    { oldStart: 1, oldLines: ["a", "b", "c"], newStart: 1, newLines: ["x", "y"] },
  ]);
});

test("identical texts have no hunks; unchanged lines are never hunks", () => {
  assert.deepEqual(computeHunks(["a", "b"], ["a", "b"]), []);
  assert.deepEqual(computeHunks(["a", "b", "c"], ["a", "B", "c"]), [
    { oldStart: 1, oldLines: ["b"], newStart: 1, newLines: ["B"] },
  ]);
});

test("worst case (50,000 fully different lines each side) returns within its budget, and exactly", () => {
  const n = 50_000;
  const old = Array.from({ length: n }, (_, i) => `old line ${i}`);
  const neu = Array.from({ length: n }, (_, i) => `new line ${i}`);
  const t0 = performance.now();
  const hunks = computeHunks(old, neu);
  const ms = performance.now() - t0;
  // Budget 20 ms of diffing + O(N) trimming/copying; generous for a loaded 2-core box.
  // Unbounded, this input took over ten minutes.
  assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  assert.deepEqual(applyHunks(old, hunks, all(hunks.length)), neu);
});

test("a real edit inside a large file stays an exact, small diff", () => {
  const old = Array.from({ length: 20_000 }, (_, i) => `line ${i % 97} ${i}`);
  const neu = [...old];
  neu[100] = "changed";
  neu.splice(15_000, 2);
  const hunks = computeHunks(old, neu);
  assert.equal(hunks.length, 2);
  assert.deepEqual(applyHunks(old, hunks, all(2)), neu);
});
