import { test } from "node:test";
import assert from "node:assert/strict";
import { NotifyGate } from "../../../../extension/status/notify-gate";
import { statusView } from "../../../../extension/backend/status-model";

test("a crash loop notifies once; recovery re-arms; the same state returns after the quiet period", () => {
  let now = 0;
  const gate = new NotifyGate(60_000, () => now);
  const crashed = statusView({ kind: "restarting", delayMs: 1000, reason: "killed" });
  const starting = statusView({ kind: "starting" });
  const ok = statusView({ kind: "ready", check: { kind: "ok", model: "m" } });
  assert.equal(gate.shouldNotify(crashed), true);
  assert.equal(gate.shouldNotify(starting), false);
  assert.equal(gate.shouldNotify(crashed), false, "second crash in the series is silent");
  now = 61_000;
  assert.equal(gate.shouldNotify(crashed), true, "still crashing after the quiet period");
  assert.equal(gate.shouldNotify(ok), false);
  assert.equal(gate.shouldNotify(crashed), true, "a new crash after recovery is announced");
});

test("a different problem is announced at once; quiet states never are", () => {
  const gate = new NotifyGate(60_000, () => 0);
  const auth = statusView({
    kind: "ready",
    check: { kind: "error", error: { code: "PROVIDER_AUTH_FAILED", message: "401" } },
  });
  const model = statusView({
    kind: "ready",
    check: { kind: "error", error: { code: "PROVIDER_MODEL_NOT_FOUND", message: "404" } },
  });
  assert.equal(gate.shouldNotify(auth), true);
  assert.equal(gate.shouldNotify(model), true);
  assert.equal(gate.shouldNotify(statusView({ kind: "ready", check: { kind: "check-failed", message: "x" } })), false);
  assert.equal(gate.shouldNotify(statusView({ kind: "ready", check: { kind: "pending" } })), false);
});
