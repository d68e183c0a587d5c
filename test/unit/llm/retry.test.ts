import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { retryDelay, sleep, type RetryPolicy } from "../../../server/llm/retry";
import type { Classified } from "../../../server/llm/errors";
import { AppError } from "../../../server/errors";

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
const retryable: Classified = { retryable: true, error: new AppError("PROVIDER_ERROR", "500") };

describe("retryDelay", () => {
  it("grows exponentially with equal jitter (between half and all of the step)", () => {
    assert.equal(
      retryDelay(0, retryable, policy, () => 0),
      100,
    );
    assert.equal(
      retryDelay(0, retryable, policy, () => 1),
      200,
    );
    assert.equal(
      retryDelay(1, retryable, policy, () => 0),
      200,
    );
    assert.equal(
      retryDelay(1, retryable, policy, () => 1),
      400,
    );
    assert.equal(
      retryDelay(2, retryable, policy, () => 1),
      800,
    );
  });

  it("is capped at maxDelayMs", () => {
    assert.equal(
      retryDelay(2, retryable, { ...policy, maxRetries: 10 }, () => 1),
      800,
    );
    assert.equal(
      retryDelay(5, retryable, { ...policy, maxRetries: 10 }, () => 1),
      1_000,
    );
  });

  it("gives up after maxRetries and for non-retryable failures", () => {
    assert.equal(retryDelay(3, retryable, policy), null);
    assert.equal(retryDelay(0, { ...retryable, retryable: false }, policy), null);
    assert.equal(retryDelay(0, retryable, { ...policy, maxRetries: 0 }), null);
  });

  it("honours retry-after exactly, and gives up when it is longer than we will wait", () => {
    assert.equal(
      retryDelay(0, { ...retryable, retryAfterMs: 1_500 }, policy, () => 0),
      1_500,
    );
    assert.equal(
      retryDelay(0, { ...retryable, retryAfterMs: 0 }, policy, () => 1),
      0,
    );
    assert.equal(retryDelay(0, { ...retryable, retryAfterMs: 60_000 }, policy), null);
  });
});

describe("sleep", () => {
  it("waits, and rejects as soon as the signal aborts", async () => {
    const t0 = Date.now();
    await sleep(30, new AbortController().signal);
    assert.ok(Date.now() - t0 >= 25);
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    setTimeout(() => ac.abort(new Error("stop")), 10);
    const t1 = Date.now();
    await assert.rejects(p, /stop/);
    assert.ok(Date.now() - t1 < 1_000);
  });
});
