import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CancelPolicy, type Timers } from "../../../../extension/completion/cancel-policy";

/** A manual clock: timers fire only when the test advances time. */
function fakeTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    set: (fn, ms) => {
      pending.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clear: (h) => void pending.delete(h as number),
    advance(ms) {
      now += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          pending.delete(id);
          t.fn();
        }
      }
    },
  };
}

describe("CancelPolicy", () => {
  test("a cancelled request with no newer one for the document is aborted after the grace period", () => {
    const timers = fakeTimers();
    const p = new CancelPolicy(350, timers);
    const t = p.begin("doc");
    t.cancel();
    timers.advance(349);
    assert.equal(t.signal.aborted, false, "not aborted at once: a next keystroke may follow");
    timers.advance(1);
    assert.equal(t.signal.aborted, true);
    assert.equal(t.state, "aborted");
  });

  test("a newer live request for the same document keeps the cancelled one running (the backend supersedes or reuses)", () => {
    const timers = fakeTimers();
    const p = new CancelPolicy(350, timers);
    const first = p.begin("doc");
    first.cancel();
    timers.advance(100);
    const second = p.begin("doc");
    timers.advance(1_000);
    assert.equal(first.signal.aborted, false);
    assert.equal(p.pending("doc"), 1);
    // The first one is answered (superseded or reused): nothing left to abort.
    first.done();
    assert.equal(p.pending("doc"), 0);
    second.done();
  });

  test("when the newer request is cancelled too and nothing follows, both are aborted", () => {
    const timers = fakeTimers();
    const p = new CancelPolicy(350, timers);
    const first = p.begin("doc");
    first.cancel();
    timers.advance(100);
    const second = p.begin("doc");
    timers.advance(300);
    second.cancel(); // e.g. the user pressed Esc / moved away while the second was debouncing
    timers.advance(349);
    assert.equal(first.signal.aborted, false);
    timers.advance(1);
    assert.equal(first.signal.aborted, true);
    assert.equal(second.signal.aborted, true);
  });

  test("a newer request answered without superseding (cache hit, skipped) leaves no cancelled request running", () => {
    const timers = fakeTimers();
    const p = new CancelPolicy(350, timers);
    const first = p.begin("doc");
    first.cancel();
    const second = p.begin("doc");
    timers.advance(400);
    assert.equal(first.signal.aborted, false, "kept while the newer one is live");
    second.done();
    timers.advance(349);
    assert.equal(first.signal.aborted, false);
    timers.advance(1);
    assert.equal(first.signal.aborted, true);
  });

  test("another document's live request does not keep a request alive", () => {
    const timers = fakeTimers();
    const p = new CancelPolicy(200, timers);
    const a = p.begin("a");
    const b = p.begin("b");
    a.cancel();
    timers.advance(200);
    assert.equal(a.signal.aborted, true);
    assert.equal(b.signal.aborted, false);
  });

  test("a finished request is never aborted, and cancel after done is a no-op", () => {
    const timers = fakeTimers();
    const p = new CancelPolicy(200, timers);
    const t = p.begin("doc");
    t.done();
    t.cancel();
    timers.advance(1_000);
    assert.equal(t.signal.aborted, false);
    assert.equal(t.state, "done");
  });

  test("abortAll ends live and cancelled requests (completion turned off)", () => {
    const p = new CancelPolicy(200, fakeTimers());
    const a = p.begin("a");
    const b = p.begin("b");
    b.cancel();
    p.abortAll();
    assert.equal(a.signal.aborted, true);
    assert.equal(b.signal.aborted, true);
  });
});
