import { test } from "node:test";
import assert from "node:assert/strict";
import { CompletionDecisions } from "../../../../extension/completion/decisions";

test("after a fast burst the request waits only the rest of the debounce, counted from the last keystroke", () => {
  const d = new CompletionDecisions();
  let t = 10_000;
  for (let i = 0; i < 20; i++) d.typed((t += 45));
  // VS Code calls the provider 50 ms after the last change.
  const c = d.call("doc", "const x = ", true, t + 50);
  assert.equal(c.kind, "request");
  if (c.kind !== "request") return;
  assert.ok(c.waitMs <= 30, `waits ${c.waitMs} ms more (63 ms after the last key)`);
  c.ticket.done();
  // An explicit request (Alt+\) never waits.
  const e = d.call("doc", "const x = ", false, t + 50);
  assert.ok(e.kind === "request" && e.waitMs === 0);
  if (e.kind === "request") e.ticket.done();
});

test("a call while the user keeps typing at a steady pace waits past the next expected keystroke", () => {
  const d = new CompletionDecisions();
  let t = 10_000;
  for (let i = 0; i < 20; i++) d.typed((t += 110));
  const c = d.call("doc", "abc", true, t + 50);
  assert.ok(
    c.kind === "request" && c.waitMs + 50 > 110,
    "the next keystroke (110 ms) comes before the request would go out",
  );
  if (c.kind === "request") c.ticket.done();
});

test("typing through the shown suggestion is answered without a request; typing something else asks again", () => {
  const d = new CompletionDecisions();
  d.answered("doc", "x = ", { id: "s1", completion: "compute(1);", replaceSuffixChars: 0 });
  const through = d.call("doc", "x = comp", true, Date.now());
  assert.deepEqual(through, { kind: "typethrough", id: "s1", completion: "ute(1);", replaceSuffixChars: 0 });
  const other = d.call("doc", "x = comq", true, Date.now());
  assert.equal(other.kind, "request");
  if (other.kind === "request") other.ticket.done();
  // The suggestion the user typed away from is gone even if they backspace to it.
  assert.equal(d.call("doc", "x = comp", true, Date.now()).kind, "request");
});
