/** File changes for the index: debounced, batched, last event per path wins, overflow → rebuild. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChangeBatcher, type BatcherOptions, type ChangeBatch } from "../../../../extension/codebase/changes";

/** A manual clock: timers fire only when the test advances time. */
function harness(over: Partial<BatcherOptions> = {}) {
  let now = 0;
  let timers: { at: number; f: () => void; id: number }[] = [];
  let nextId = 1;
  const sent: ChangeBatch[] = [];
  let overflows = 0;
  const b = new ChangeBatcher({
    debounceMs: 500,
    maxWaitMs: 3000,
    maxBatch: 3,
    maxPending: 10,
    send: (batch) => sent.push(batch),
    overflow: () => overflows++,
    setTimer: (f, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, f, id });
      return id;
    },
    clearTimer: (id) => (timers = timers.filter((t) => t.id !== id)),
    now: () => now,
    ...over,
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers = timers.filter((x) => x !== t);
      t.f();
    }
  };
  return { b, sent, advance, overflows: () => overflows };
}

test("a burst of saves is one batch after the quiet time, the last kind per path winning", () => {
  const { b, sent, advance } = harness();
  b.add("src/a.ts", "changed");
  advance(200);
  b.add("src/a.ts", "changed");
  b.add("src/b.ts", "changed");
  advance(200);
  b.add("src/b.ts", "deleted");
  advance(499);
  assert.equal(sent.length, 0, "still within the quiet time");
  advance(1);
  assert.deepEqual(sent, [{ changed: ["src/a.ts"], deleted: ["src/b.ts"] }]);
});

test("events that never pause are still sent once the max wait is reached", () => {
  const { b, sent, advance } = harness();
  for (let i = 0; i < 20; i++) {
    b.add(`f${i % 2}.ts`, "changed");
    advance(300);
  }
  assert.ok(sent.length >= 1, "flushed while events kept coming");
  assert.ok(sent.length <= 3, `a few batches, not one per event: ${sent.length}`);
});

test("more paths than a batch holds are split; more than maxPending ask for a rebuild instead", () => {
  const { b, sent, advance, overflows } = harness();
  for (const p of ["a", "b", "c", "d", "e"]) b.add(p, "changed");
  advance(500);
  assert.deepEqual(
    sent.map((s) => s.changed),
    [
      ["a", "b", "c"],
      ["d", "e"],
    ],
  );
  sent.length = 0;
  for (let i = 0; i < 11; i++) b.add(`x${i}`, "changed");
  advance(500);
  assert.equal(overflows(), 1);
  assert.deepEqual(sent, [], "no path batches after an overflow");
  b.add("y", "deleted");
  advance(500);
  assert.deepEqual(sent, [{ changed: [], deleted: ["y"] }], "back to batches afterwards");
});

test("flush sends now; dispose drops what is pending", () => {
  const { b, sent, advance } = harness();
  b.add("a", "changed");
  b.flush();
  assert.deepEqual(sent, [{ changed: ["a"], deleted: [] }]);
  b.add("b", "changed");
  b.dispose();
  advance(10_000);
  assert.equal(sent.length, 1);
});
