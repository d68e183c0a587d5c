import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FeedbackTracker } from "../../../../extension/completion/feedback";

function tracker() {
  const reports: [string, string][] = [];
  return { t: new FeedbackTracker((id, outcome) => reports.push([id, outcome])), reports };
}

describe("FeedbackTracker", () => {
  test("typing through is neither; typing something else rejects", () => {
    const { t, reports } = tracker();
    t.shownIn("d", { id: "1", prefix: "x = ", completion: "foo(1)" });
    assert.equal(t.next("d", "x = fo"), true);
    assert.deepEqual(reports, []);
    assert.equal(t.next("d", "x = fa"), false);
    assert.deepEqual(reports, [["1", "rejected"]]);
  });

  test("the item's command accepts once; a later request at the accepted text reports nothing more", () => {
    const { t, reports } = tracker();
    t.shownIn("d", { id: "1", prefix: "x = ", completion: "foo(1)" });
    t.accepted("1");
    t.next("d", "x = foo(1)");
    t.accepted("1");
    assert.deepEqual(reports, [["1", "accepted"]]);
  });

  test("typing all of it by hand counts as accepted", () => {
    const { t, reports } = tracker();
    t.shownIn("d", { id: "1", prefix: "a", completion: "bc" });
    t.next("d", "abc");
    assert.deepEqual(reports, [["1", "accepted"]]);
  });

  test("a new suggestion replacing a shown one rejects the old; closing the document rejects what is shown", () => {
    const { t, reports } = tracker();
    t.shownIn("d", { id: "1", prefix: "a", completion: "bc" });
    t.shownIn("d", { id: "2", prefix: "ax", completion: "yz" });
    t.closed("d");
    t.closed("d");
    assert.deepEqual(reports, [
      ["1", "rejected"],
      ["2", "rejected"],
    ]);
  });

  test("documents are independent; moving the cursor back (shorter prefix) rejects", () => {
    const { t, reports } = tracker();
    t.shownIn("a", { id: "1", prefix: "foo", completion: "bar" });
    t.shownIn("b", { id: "2", prefix: "x", completion: "y" });
    t.next("a", "fo");
    assert.deepEqual(reports, [["1", "rejected"]]);
  });
});
