/** Token budget (server/chat/budget.ts), history trimming and the prompt (server/chat/prompt.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitContext, headWithin, MIN_USEFUL_TOKENS } from "../../../server/chat/budget";
import { trimHistory } from "../../../server/chat/history";
import { buildChatMessages, CHAT_SYSTEM_PROMPT, fenceFor } from "../../../server/chat/prompt";
import { estimateTokens } from "../../../common/tokens";
import type { ChatContextItem } from "../../../server/api/chat";

const file = (label: string, content: string, extra: Partial<ChatContextItem> = {}): ChatContextItem => ({
  kind: "file",
  label,
  path: label,
  content,
  ...extra,
});
const lines = (n: number, prefix = "x") => Array.from({ length: n }, (_, i) => `${prefix} line ${i}`).join("\n");

test("everything fits: kept whole, no notices", () => {
  const r = fitContext([file("a.ts", "const a = 1;"), file("b.ts", "const b = 2;")], 1000);
  assert.deepEqual(r.notices, []);
  assert.deepEqual(
    r.kept.map((k) => k.content),
    ["const a = 1;", "const b = 2;"],
  );
});

test("a huge file does not push a small one out: fair shares, small items whole", () => {
  const small = file("small.ts", "const small = true;\n");
  const huge = file("huge.log", lines(10_000));
  const r = fitContext([huge, small], 2000);
  assert.equal(r.kept.find((k) => k.item === small)!.content, small.content);
  const cut = r.kept.find((k) => k.item === huge)!;
  assert.equal(cut.cut, true);
  assert.ok(r.usedTokens <= 2000, `used ${r.usedTokens}`);
  assert.equal(r.notices.length, 1);
  assert.equal(r.notices[0]!.label, "huge.log");
  assert.equal(r.notices[0]!.kind, "cut");
  assert.equal(r.notices[0]!.totalTokens, estimateTokens(huge.content));
  assert.ok(cut.content.endsWith("line " + cut.content.split("line ").at(-1)), "cut at a line end");
});

test("two big files split the budget evenly", () => {
  const r = fitContext([file("a", lines(3000, "a")), file("b", lines(3000, "b"))], 2000);
  const [a, b] = r.kept;
  assert.ok(Math.abs(a!.tokens - b!.tokens) < 50, `${a!.tokens} vs ${b!.tokens}`);
});

test("when a share is too small to be useful the item is omitted and reported", () => {
  const items = Array.from({ length: 10 }, (_, i) => file(`f${i}`, lines(200)));
  const r = fitContext(items, MIN_USEFUL_TOKENS * 5);
  assert.equal(r.kept.length, 0);
  assert.equal(r.notices.length, 10);
  assert.ok(r.notices.every((n) => n.kind === "omitted" && n.keptTokens === 0));
});

test("what the client already cut is reported with the original size", () => {
  const r = fitContext(
    [file("big.bin.txt", "short head", { clientTruncated: true, originalChars: 3_000_000 })],
    10_000,
  );
  assert.equal(r.kept[0]!.content, "short head");
  assert.deepEqual(r.notices, [
    { label: "big.bin.txt", kind: "cut", keptTokens: estimateTokens("short head"), totalTokens: 1_000_000 },
  ]);
});

test("headWithin respects the token limit for multi-byte text", () => {
  const text = "ü".repeat(10_000);
  const head = headWithin(text, 100);
  assert.ok(estimateTokens(head) <= 100);
  assert.ok(head.length > 50);
});

test("history keeps the newest turns in pairs and always the question", () => {
  const turns = [
    { role: "user" as const, content: "q1 " + "x".repeat(3000) },
    { role: "assistant" as const, content: "a1 " + "x".repeat(3000) },
    { role: "user" as const, content: "q2" },
    { role: "assistant" as const, content: "a2" },
    { role: "user" as const, content: "q3" },
  ];
  const r = trimHistory(turns, 1500);
  assert.deepEqual(
    r.turns.map((t) => t.content.slice(0, 2)),
    ["q2", "a2", "q3"],
  );
  assert.equal(r.droppedTurns, 2);
  const tight = trimHistory(turns, 0);
  assert.deepEqual(
    tight.turns.map((t) => t.content),
    ["q3"],
  );
});

test("history never starts with an orphaned answer", () => {
  const r = trimHistory(
    [
      { role: "user", content: "x".repeat(3000) },
      { role: "assistant", content: "short" },
      { role: "user", content: "now" },
    ],
    100,
  );
  assert.deepEqual(
    r.turns.map((t) => t.role),
    ["user"],
  );
});

test("the prompt: system rules, history as turns, context only with the question", () => {
  const fitted = fitContext([file("docs/my notes.md", "FACT: the sky\n```js\ncode\n```")], 1000).kept;
  const msgs = buildChatMessages(
    [
      { role: "user", content: "earlier" },
      { role: "assistant", content: "answer" },
      { role: "user", content: "what does it say?" },
    ],
    fitted,
  );
  assert.equal(msgs[0]!.content, CHAT_SYSTEM_PROMPT);
  assert.equal(msgs[1]!.content, "earlier");
  assert.equal(msgs[2]!.content, "answer");
  const q = msgs[3]!.content;
  assert.match(q, /^The user attached this context:/);
  assert.match(q, /### File `docs\/my notes.md`\n````(md)?\n/);
  assert.ok(q.endsWith("what does it say?"));
  assert.ok(!CHAT_SYSTEM_PROMPT.includes("FACT:"));
});

test("fences grow past any backtick run inside the content", () => {
  assert.equal(fenceFor("plain"), "```");
  assert.equal(fenceFor("has ``` inside"), "````");
  assert.equal(fenceFor("has ````` inside"), "``````");
});
