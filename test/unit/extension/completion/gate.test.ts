import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { gateState, SlowModelDetector, statusText } from "../../../../extension/completion/gate";

describe("gateState / statusText", () => {
  const on = { enabled: true, disabledLanguages: ["markdown"], snoozedUntil: 0 };

  test("on, off globally, off for a language, snoozed with minutes left (rounded up)", () => {
    assert.deepEqual(gateState(on, "python", 0), { kind: "on" });
    assert.deepEqual(gateState({ ...on, enabled: false }, "python", 0), { kind: "off", why: "disabled" });
    assert.deepEqual(gateState(on, "markdown", 0), { kind: "off", why: "language", languageId: "markdown" });
    assert.deepEqual(gateState({ ...on, snoozedUntil: 10 * 60_000 }, "python", 60_000 * 5 + 1), {
      kind: "snoozed",
      minutesLeft: 5,
    });
    assert.deepEqual(
      gateState({ ...on, snoozedUntil: 1_000 }, "python", 2_000),
      { kind: "on" },
      "an expired snooze is over",
    );
  });

  test("status texts", () => {
    assert.equal(statusText({ kind: "on" }, false, "m").text, "$(sparkle) Complete");
    assert.equal(statusText({ kind: "on" }, true, "m").text, "$(sync~spin) Complete");
    assert.equal(statusText({ kind: "snoozed", minutesLeft: 3 }, false, "m").text, "$(bell-slash) Complete: 3 min");
    assert.equal(statusText({ kind: "off", why: "disabled" }, false, undefined).text, "$(circle-slash) Complete: off");
    assert.match(statusText({ kind: "off", why: "language", languageId: "go" }, false, undefined).text, /off \(go\)/);
  });
});

describe("SlowModelDetector", () => {
  test("warns once when 3 of the last 5 answers hit the time limit, never again for that model", () => {
    const d = new SlowModelDetector(5, 3);
    const seq = [true, false, true, false, false, true, true].map((p) => d.record("big", p));
    // Only the 7th answer makes 3 cut-short ones among the last 5.
    assert.deepEqual(seq, [false, false, false, false, false, false, true]);
    for (let i = 0; i < 10; i++) assert.equal(d.record("big", true), false);
  });

  test("fast answers in between keep it quiet; switching models starts over", () => {
    const d = new SlowModelDetector(5, 3);
    for (let i = 0; i < 20; i++) assert.equal(d.record("m", i % 3 === 0), false, `answer ${i}`);
    d.record("a", true);
    d.record("a", true);
    assert.equal(d.record("b", true), false, "the other model's timeouts do not count");
    d.record("b", true);
    assert.equal(d.record("b", true), true);
  });
});
