/**
 * POST /api/edit end to end: the real backend process, the scripted AI service, and the
 * extension's own typed client reading the stream.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { scriptedSuite } from "./helpers/suite";
import { BackendError } from "../../extension/backend/client";
import type { EditEvent, EditRequest } from "../../server/api/edit";

const suite = scriptedSuite();

const ORIGINAL = [
  "function total(items) {",
  "  let s = 0;",
  "  for (const it of items) s += it.price;",
  "  return s;",
  "}",
  "",
].join("\n");

function request(extra: Partial<EditRequest> = {}): EditRequest {
  return {
    filepath: "src/total.js",
    languageId: "javascript",
    instruction: "rename s to sum",
    code: ORIGINAL,
    before: "// cart helpers\n",
    ...extra,
  };
}

async function collect(
  req: EditRequest,
  signal = new AbortController().signal,
): Promise<{ events: EditEvent[]; arrivals: number[] }> {
  const events: EditEvent[] = [];
  const arrivals: number[] = [];
  for await (const ev of suite.client.events("POST /api/edit", { body: req, signal })) {
    events.push(ev);
    arrivals.push(Date.now());
  }
  return { events, arrivals };
}

test("the edit streams line diffs as the model answers, then an exact final diff", async () => {
  suite.ai.reset();
  const answer =
    "Here is the updated code:\n```javascript\nfunction total(items) {\n  let sum = 0;\n  for (const it of items) sum += it.price;\n  return sum;\n}\n```\nI renamed the variable.";
  suite.ai.enqueue({ text: answer, chunkDelayMs: 15 });
  const { events, arrivals } = await collect(request());

  const lineEvents = events.filter((e) => e.type === "lines");
  assert.ok(lineEvents.length >= 3, `expected the diff to arrive in several events, got ${lineEvents.length}`);
  assert.ok(arrivals[arrivals.length - 1]! - arrivals[0]! >= 30, "events spread over time, not one burst");
  const done = events.at(-1);
  assert.equal(done?.type, "done");
  if (done?.type !== "done") return;
  assert.equal(done.text, ORIGINAL.replace(/\bs\b/g, "sum"));
  assert.deepEqual(done.hunks, [
    {
      oldStart: 1,
      oldLines: ["  let s = 0;", "  for (const it of items) s += it.price;", "  return s;"],
      newStart: 1,
      newLines: ["  let sum = 0;", "  for (const it of items) sum += it.price;", "  return sum;"],
    },
  ]);
  // The prose around the fence never became a line of the document.
  const allLines = lineEvents.flatMap((e) => (e.type === "lines" ? e.lines.map((l) => l.text) : []));
  assert.ok(!allLines.some((l) => /updated code|renamed/.test(l)), "prose filtered out");

  const [sent] = suite.ai.completionRequests();
  const body = sent!.body as { messages: { role: string; content: string }[]; stream: boolean };
  assert.equal(body.stream, true);
  const user = body.messages.find((m) => m.role === "user")!.content;
  assert.match(user, /rename s to sum/);
  assert.match(user, /let s = 0;/);
  assert.match(user, /cart helpers/, "context above reaches the prompt");
});

test("a follow-up sends the previous proposal so the model refines it", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ text: "```js\nfunction total(items) {\n  let sum = 0;\n  return sum;\n}\n```" });
  await collect(
    request({
      instruction: "drop the loop",
      previous: [{ instruction: "rename s to sum", result: "PREVIOUS-PROPOSAL" }],
    }),
  );
  const body = suite.ai.completionRequests()[0]!.body as { messages: { role: string; content: string }[] };
  const roles = body.messages.map((m) => m.role);
  assert.deepEqual(roles, ["system", "user", "assistant", "user"]);
  assert.match(body.messages[2]!.content, /PREVIOUS-PROPOSAL/);
  assert.match(body.messages[3]!.content, /drop the loop/);
  assert.match(body.messages[1]!.content, /rename s to sum/, "the first round's instruction stays the first request");
});

test("stopping mid-stream aborts the upstream request", async () => {
  suite.ai.reset();
  const long = "```js\n" + Array.from({ length: 200 }, (_, i) => `line${i}();`).join("\n") + "\n```";
  suite.ai.enqueue({ text: long, chunkDelayMs: 20 });
  const ac = new AbortController();
  const disconnected = suite.ai.waitForDisconnect(5_000);
  let seen = 0;
  await assert.rejects(async () => {
    for await (const ev of suite.client.events("POST /api/edit", { body: request(), signal: ac.signal })) {
      if (ev.type === "lines" && ++seen === 2) ac.abort();
    }
  });
  const req = await disconnected;
  assert.equal(req.disconnected, true);
  assert.equal(req.completed, false);
});

test("an empty answer is a clear error, not an empty document", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ text: "" });
  await assert.rejects(collect(request()), (err: unknown) => {
    assert.ok(err instanceof BackendError);
    assert.equal(err.code, "PROVIDER_BAD_RESPONSE");
    assert.match(err.message, /no code/);
    return true;
  });
});

test("a provider failure before any output arrives as the provider's error code", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ status: 401 });
  await assert.rejects(
    collect(request()),
    (err: unknown) => err instanceof BackendError && err.code === "PROVIDER_AUTH_FAILED",
  );
});

test("invalid requests are refused with a message naming the field", async () => {
  const r = await suite.backend.call<{ error: { code: string; message: string } }>("POST", "/api/edit", {
    filepath: "a.js",
    languageId: "javascript",
    instruction: "  ",
    code: "x",
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "BAD_REQUEST");
  assert.match(r.body.error.message, /instruction/);
});

test("POST /api/edit/diff gives the exact hunks between code and a proposal", async () => {
  const r = await suite.client.call("POST /api/edit/diff", { body: { code: "a\nb\nc\n", proposed: "a\nB\nc\nd\n" } });
  assert.deepEqual(r.hunks, [
    { oldStart: 1, oldLines: ["b"], newStart: 1, newLines: ["B"] },
    { oldStart: 3, oldLines: [], newStart: 3, newLines: ["d"] },
  ]);
  const bad = await suite.backend.call<{ error: { code: string } }>("POST", "/api/edit/diff", { code: 1 });
  assert.equal(bad.status, 400);
});
