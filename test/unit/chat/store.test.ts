/** Session persistence (extension/chat/session-store.ts) and the picker's fuzzy ranking (extension/chat/fuzzy.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  dropLastAnswer,
  dropLastTurn,
  MAX_SESSIONS,
  SessionStore,
  titleFor,
  type KeyValueStore,
} from "../../../extension/chat/session-store";
import type { StoredMessage } from "../../../webview-ui/protocol";
import { fuzzyFilter, fuzzyScore } from "../../../extension/chat/fuzzy";
import { stripAnsi } from "../../../common/ansi";

function memento(): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(k: string) => (data.has(k) ? (JSON.parse(JSON.stringify(data.get(k))) as T) : undefined),
    update: async (k: string, v: unknown) => void data.set(k, v),
  };
}

test("a new chat is not listed until it has a message; saved sessions survive a new store (reload)", async () => {
  const kv = memento();
  let t = 1000;
  let n = 0;
  const store = new SessionStore(
    kv,
    () => t++,
    () => `id${++n}`,
  );
  const s = await store.current();
  assert.equal(s.id, "id1");
  assert.deepEqual(store.list(), []);
  s.messages.push(
    { role: "user", content: "How do I   parse\nJSON?" },
    { role: "assistant", content: "Use JSON.parse.", status: "done" },
  );
  await store.save(s);

  const reloaded = new SessionStore(
    kv,
    () => t++,
    () => `id${++n}`,
  );
  const list = reloaded.list();
  assert.equal(list.length, 1);
  assert.equal(list[0]!.title, "How do I parse JSON?");
  assert.equal(list[0]!.messageCount, 2);
  assert.equal((await reloaded.current()).id, "id1", "the current session is remembered");
});

test("newest first, delete, and a cap on the number kept", async () => {
  const kv = memento();
  let t = 0;
  let n = 0;
  const store = new SessionStore(
    kv,
    () => ++t,
    () => `s${++n}`,
  );
  for (let i = 0; i < MAX_SESSIONS + 5; i++) {
    const s = await store.create();
    s.messages.push({ role: "user", content: `q${i}` });
    await store.save(s);
  }
  const list = store.list();
  assert.equal(list.length, MAX_SESSIONS);
  assert.equal(list[0]!.title, `q${MAX_SESSIONS + 4}`);
  await store.delete(list[0]!.id);
  assert.equal(store.list().length, MAX_SESSIONS - 1);
  assert.equal(store.get(list[0]!.id), undefined);
});

test("Retry drops only the last answer and gives its question; saved, a reload holds just the question", async () => {
  const kv = memento();
  let n = 0;
  const store = new SessionStore(kv, Date.now, () => `r${++n}`);
  const other = await store.create();
  other.messages.push({ role: "user", content: "untouched" }, { role: "assistant", content: "yes", status: "done" });
  await store.save(other);

  const s = await store.create();
  const first: StoredMessage[] = [
    { role: "user", content: "What is 2+2?" },
    { role: "assistant", content: "4", status: "done", model: "m1" },
  ];
  const question: StoredMessage = {
    role: "user",
    content: "Explain @src/a.ts",
    chips: [{ mention: { kind: "file", path: "src/a.ts" }, label: "src/a.ts" }],
    model: "m1",
  };
  s.messages.push(...first, question, {
    role: "assistant",
    content: "It def",
    status: "error",
    error: "The AI service closed the connection.",
  });
  await store.save(s);

  assert.equal(dropLastAnswer(s.messages), question, "the question asked again is the last user message");
  assert.deepEqual(s.messages, [...first, question], "earlier turns and the question stay as they were");
  await store.save(s);
  const reloaded = new SessionStore(kv).get(s.id)!;
  assert.deepEqual(reloaded.messages, [...first, question]);
  assert.deepEqual(new SessionStore(kv).get(other.id)!.messages, other.messages, "other chats are untouched");

  // A question whose answer never got stored (the window closed mid-answer) is asked as is.
  assert.equal(dropLastAnswer(s.messages), question);
  assert.equal(s.messages.length, 3, "nothing is dropped when there is no answer");
  // A stopped answer is dropped like a failed one.
  s.messages.push({ role: "assistant", content: "partial", status: "stopped" });
  dropLastAnswer(s.messages);
  assert.equal(s.messages.at(-1), question);
});

test("Retry with no question to ask again says so and changes nothing", () => {
  for (const messages of [
    [] as StoredMessage[],
    [{ role: "assistant", content: "Hello!", status: "done" }] as StoredMessage[],
    [
      { role: "user", content: "q" },
      { role: "assistant", content: "a", status: "done" },
      { role: "assistant", content: "b", status: "done" },
    ] as StoredMessage[],
  ]) {
    const before = JSON.stringify(messages);
    assert.throws(() => dropLastAnswer(messages), /no question in this chat to answer again/);
    assert.equal(JSON.stringify(messages), before);
  }
});

test("Edit drops the last turn (question and answer) and returns the question; nothing to edit says so", () => {
  const first: StoredMessage[] = [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello!", status: "done" },
  ];
  const question: StoredMessage = { role: "user", content: "Explain @src/a.ts", model: "m1" };
  const messages = [...first, question, { role: "assistant", content: "It is", status: "done" } as StoredMessage];
  assert.equal(dropLastTurn(messages), question);
  assert.deepEqual(messages, first, "earlier turns stay as they were");
  // A question whose answer never got stored goes alone.
  messages.push(question);
  assert.equal(dropLastTurn(messages), question);
  assert.deepEqual(messages, first);

  for (const bad of [
    [] as StoredMessage[],
    [{ role: "assistant", content: "Hello!", status: "done" }] as StoredMessage[],
    [...first, { role: "assistant", content: "b", status: "done" }] as StoredMessage[],
  ]) {
    const before = JSON.stringify(bad);
    assert.throws(() => dropLastTurn(bad), /no question in this chat to edit/);
    assert.equal(JSON.stringify(bad), before);
  }
});

test("titles: first user message, shortened", () => {
  assert.equal(titleFor([]), "New chat");
  assert.equal(titleFor([{ role: "user", content: "x".repeat(100) }]).length, 58);
});

test("fuzzy: file-name matches and word starts rank first; non-matches drop out", () => {
  const paths = [
    "src/chat/controller.ts",
    "src/edit/controller.ts",
    "docs/secret notes.txt",
    "test/unit/chat/store.test.ts",
    "README.md",
  ];
  assert.equal(fuzzyFilter("notes", paths, 5)[0], "docs/secret notes.txt");
  assert.deepEqual(fuzzyFilter("nts.txt", paths, 5), ["docs/secret notes.txt"]);
  assert.equal(fuzzyFilter("chatcon", paths, 5)[0], "src/chat/controller.ts");
  assert.equal(fuzzyFilter("readme", paths, 5)[0], "README.md");
  assert.equal(fuzzyScore("zzz", "src/app.ts"), undefined);
  assert.equal(fuzzyFilter("", paths, 2).length, 2);
  assert.equal(fuzzyFilter("secret no", paths, 5)[0], "docs/secret notes.txt", "spaces in the query are ignored");
});

test("terminal output loses colours and OSC 633 shell-integration markers; a carriage return keeps the redrawn line", () => {
  const raw =
    "\u001b]633;C\u0007\u001b[32mPASS\u001b[0m src/a.test.ts\r\n\u001b]633;D;0\u0007progress 50%\rprogress 100%\r\n";
  assert.equal(stripAnsi(raw), "PASS src/a.test.ts\nprogress 100%\n");
});
