import { test } from "node:test";
import assert from "node:assert/strict";
import { StuckDetector } from "../../../server/tickets/stuck";

test("the same action and observation 4 times is stuck, 3 is not", () => {
  const d = new StuckDetector();
  for (let i = 0; i < 3; i++) assert.equal(d.record("list_files {}", "a\nb", false), undefined);
  assert.match(d.record("list_files {}", "a\nb", false) ?? "", /4 times/);
});

test("the same failing action 3 times is stuck, even with different errors", () => {
  const d = new StuckDetector();
  assert.equal(d.record("run npm test", "fail 1", true), undefined);
  assert.equal(d.record("run npm test", "fail 2", true), undefined);
  assert.match(d.record("run npm test", "fail 3", true) ?? "", /failed 3 times/);
});

test("A/B alternation over 6 steps is stuck; progress in between is not", () => {
  const d = new StuckDetector();
  const seq = ["A", "B", "A", "B", "A"];
  for (const s of seq) assert.equal(d.record(s, `obs ${s}`, false), undefined);
  assert.match(d.record("B", "obs B", false) ?? "", /alternated/);
  const e = new StuckDetector();
  for (const [a, o] of [
    ["A", "1"],
    ["B", "1"],
    ["A", "2"],
    ["B", "2"],
    ["A", "3"],
    ["B", "3"],
  ])
    assert.equal(e.record(a!, o!, false), undefined);
});
