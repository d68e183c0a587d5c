/** Session persistence (extension/chat/session-store.ts) and the picker's fuzzy ranking (extension/chat/fuzzy.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SESSIONS, SessionStore, titleFor, type KeyValueStore } from "../../../extension/chat/session-store";
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
