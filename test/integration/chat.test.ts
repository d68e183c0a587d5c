/**
 * POST /api/chat end to end: the real backend process, the scripted AI service, and the
 * extension's typed client reading the stream.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { scriptedSuite } from "./helpers/suite";
import { BackendError } from "../../extension/backend/client";
import type { ChatEvent, ChatRequest } from "../../server/api/chat";

const suite = scriptedSuite();

async function collect(req: ChatRequest, signal = new AbortController().signal): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const ev of suite.client.events("POST /api/chat", { body: req, signal })) out.push(ev);
  return out;
}

const answer = (events: ChatEvent[]) => events.map((e) => (e.type === "delta" ? e.text : "")).join("");

test("mentioned file content reaches the prompt and the answer streams back", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ echo: "fact", chunkDelayMs: 5 });
  const events = await collect({
    messages: [{ role: "user", content: 'What does @"docs/secret notes.txt" say?' }],
    context: [
      {
        kind: "file",
        label: "docs/secret notes.txt",
        path: "docs/secret notes.txt",
        content: "intro\nFACT: the otter is purple\n",
      },
    ],
  });
  assert.equal(events[0]?.type, "context");
  assert.equal(answer(events), "the otter is purple");
  assert.deepEqual(events.at(-1), { type: "done", model: "gpt-4o-mini" });
  const body = suite.ai.completionRequests()[0]!.body as {
    messages: { role: string; content: string }[];
    stream: boolean;
  };
  assert.equal(body.stream, true);
  assert.equal(body.messages[0]!.role, "system");
  const last = body.messages.at(-1)!;
  assert.equal(last.role, "user");
  assert.match(last.content, /File `docs\/secret notes.txt`/);
  assert.match(last.content, /What does @"docs\/secret notes.txt" say\?$/);
});

test("history is sent in order and a model override is honoured", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ text: "ok" });
  await collect({
    messages: [
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
      { role: "user", content: "second question" },
    ],
    model: "gpt-3.5-turbo-instruct",
  });
  const body = suite.ai.completionRequests()[0]!.body as {
    model: string;
    messages: { role: string; content: string }[];
  };
  assert.equal(body.model, "gpt-3.5-turbo-instruct");
  assert.deepEqual(
    body.messages.slice(1).map((m) => [m.role, m.content]),
    [
      ["user", "first question"],
      ["assistant", "first answer"],
      ["user", "second question"],
    ],
  );
});

test("context over the budget is cut and the client is told", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ text: "fine" });
  const huge = Array.from({ length: 5000 }, (_, i) => `line ${i} of a very long generated file`).join("\n");
  const events = await collect({
    messages: [{ role: "user", content: "summarise" }],
    context: [
      { kind: "file", label: "big.txt", path: "big.txt", content: huge },
      { kind: "selection", label: "selection (a.ts:1-2)", path: "a.ts", content: "const a = 1;\n" },
    ],
    contextBudgetTokens: 1000,
  });
  const notices = events.flatMap((e) => (e.type === "truncated" ? [e.notice] : []));
  assert.equal(notices.length, 1);
  assert.equal(notices[0]!.label, "big.txt");
  assert.equal(notices[0]!.kind, "cut");
  assert.ok(notices[0]!.keptTokens <= 1000 && notices[0]!.totalTokens > 10_000);
  const prompt = (suite.ai.completionRequests()[0]!.body as { messages: { content: string }[] }).messages.at(
    -1,
  )!.content;
  assert.match(prompt, /const a = 1;/, "the small selection is kept whole");
  assert.ok(prompt.length < 8_000, `prompt stayed within the budget (${prompt.length} chars)`);
});

test("Stop mid-stream aborts the upstream request", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ text: Array.from({ length: 300 }, (_, i) => `word${i}`).join(" "), chunkDelayMs: 20 });
  const ac = new AbortController();
  const disconnected = suite.ai.waitForDisconnect(5_000);
  let deltas = 0;
  await assert.rejects(
    async () => {
      for await (const ev of suite.client.events("POST /api/chat", {
        body: { messages: [{ role: "user", content: "go on" }] },
        signal: ac.signal,
      })) {
        if (ev.type === "delta" && ++deltas === 3) ac.abort();
      }
    },
    (err: unknown) => err instanceof BackendError && err.code === "CANCELLED",
  );
  const req = await disconnected;
  assert.equal(req.completed, false);
});

test("a provider failure before the first token is an HTTP error with the provider's code", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ status: 401 });
  await assert.rejects(
    collect({ messages: [{ role: "user", content: "hi" }] }),
    (err: unknown) => err instanceof BackendError && err.code === "PROVIDER_AUTH_FAILED",
  );
});

test("a dropped stream after some output ends with an error event, keeping what came", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ text: "partial answer that breaks off", dropAfterChunks: 2 });
  const events = await collect({ messages: [{ role: "user", content: "hi" }] });
  assert.ok(answer(events).startsWith("partial "));
  const last = events.at(-1);
  assert.equal(last?.type, "error");
});

test("invalid bodies are refused with a clear 400", async () => {
  const res = await suite.backend.call<{ error: { code: string; message: string } }>("POST", "/api/chat", {
    messages: [{ role: "assistant", content: "x" }],
  });
  assert.equal(res.status, 400);
  assert.match(res.body.error.message, /last message must be the user's/);
  const empty = await suite.backend.call<{ error: { code: string } }>("POST", "/api/chat", { messages: [] });
  assert.equal(empty.status, 400);
});
