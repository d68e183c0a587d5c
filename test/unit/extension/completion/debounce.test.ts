import { test } from "node:test";
import assert from "node:assert/strict";
import { AdaptiveDebounce, DEFAULT_DEBOUNCE } from "../../../../extension/completion/debounce";
import { ShownSuggestion } from "../../../../extension/completion/shown-suggestion";

test("debounce waits longer while typing fast bursts are ongoing than after a pause, within bounds", () => {
  const d = new AdaptiveDebounce();
  let t = 0;
  d.keystroke(t);
  for (let i = 0; i < 10; i++) d.keystroke((t += 60));
  const fast = d.delay();
  assert.ok(fast > 60, "longer than the inter-key interval, so a burst does not fire");
  for (let i = 0; i < 10; i++) d.keystroke((t += 400));
  assert.equal(d.delay(), 350, "slow typing is capped at maxMs");
  d.keystroke((t += 5_000));
  const restarted = Math.round(DEFAULT_DEBOUNCE.factor * DEFAULT_DEBOUNCE.initialIntervalMs);
  assert.equal(d.delay(), restarted, "a long pause restarts the estimate");
  for (let i = 0; i < 20; i++) d.keystroke((t += 10));
  assert.equal(d.delay(), 50, "never below minMs");
});

test("typing through a shown suggestion is answered locally", () => {
  const s = new ShownSuggestion();
  s.show({ prefix: "x = ", completion: "compute(1);", replaceSuffixChars: 0 });
  assert.equal(s.remaining("x = comp")?.completion, "ute(1);");
  assert.equal(s.remaining("x = ")?.completion, "compute(1);");
  assert.equal(s.remaining("x = comq"), null);
  assert.equal(s.remaining("x = compute(1);"), null);
  assert.equal(s.remaining("y = comp"), null);
  s.clear();
  assert.equal(s.remaining("x = comp"), null);
});
