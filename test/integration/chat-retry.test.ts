/**
 * Chat Retry and Edit on the extension's side (extension/chat/answers.ts) against the real
 * backend and the scripted AI: Retry asks the last question again exactly (text, mentions read
 * anew, model) and its new answer replaces the failed one in the stored session; an edited
 * question (chat/send with replaceLast) replaces the whole last turn, the model asked without
 * the old one; bad states are refused with a reason. The editor is an in-memory MentionHost; everything past it is real.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { scriptedSuite } from "./helpers/suite";
import { ChatAnswers } from "../../extension/chat/answers";
import type { MentionHost } from "../../extension/chat/resolve";
import { SessionStore, type KeyValueStore } from "../../extension/chat/session-store";
import type { ChatStreamEvent, SendParams } from "../../webview-ui/protocol";

const suite = scriptedSuite();

type ChatBody = { model: string; messages: { role: string; content: string }[] };

function memento(): KeyValueStore {
  const data = new Map<string, unknown>();
  return {
    get: <T>(k: string) => (data.has(k) ? (JSON.parse(JSON.stringify(data.get(k))) as T) : undefined),
    update: async (k: string, v: unknown) => void data.set(k, v),
  };
}

/** A workspace of text files the test edits between the first ask and the retry. */
function filesHost(files: Map<string, string>): MentionHost {
  return {
    async readHead(path, max) {
      const text = files.get(path);
      if (text === undefined) return undefined;
      const bytes = new TextEncoder().encode(text);
      return { bytes: bytes.subarray(0, max), size: bytes.length };
    },
    isIgnored: async () => false,
    languageOf: () => "plaintext",
    selection: () => undefined,
    problems: () => [],
    terminal: () => undefined,
    codebase: () => ({ error: "no codebase in this test" }),
    workspace: async () => ({ error: "no workspace in this test" }),
  };
}

function setup(files: Map<string, string>) {
  const store = new SessionStore(memento());
  const answers = new ChatAnswers({
    store,
    host: filesHost(files),
    client: suite.client,
    codebase: {
      chatField: () => {
        throw new Error("no codebase in this test");
      },
    },
    model: () => "picker-model",
    log: () => undefined,
    changed: () => undefined,
  });
  return { store, answers };
}

function recorder() {
  const events: ChatStreamEvent[] = [];
  return { events, emit: (e: ChatStreamEvent) => void events.push(e) };
}

/** A saved chat that already holds one finished turn ("Hi" → "Hello!"), as the history later turns follow. */
async function chatWithOneTurn(store: SessionStore) {
  const session = await store.create();
  session.messages.push({ role: "user", content: "Hi" }, { role: "assistant", content: "Hello!", status: "done" });
  await store.save(session);
  return session;
}

/** Sends the question both tests replace, with a model other than the picker's ("picker-model"). */
async function askQuote(answers: ChatAnswers, sessionId: string, signal: AbortSignal) {
  const rec = recorder();
  await answers.send({ sessionId, text: "Quote @notes.txt", mentions: [], model: "sent-model" }, rec.emit, signal);
  return rec;
}

const finalOf = (events: ChatStreamEvent[]) => {
  const f = events.at(-1);
  assert.equal(f?.type, "final");
  return f.type === "final" ? f.message : assert.fail();
};

test("Retry asks the failed question again (mention read anew, same model) and replaces the answer", async () => {
  suite.ai.reset();
  const files = new Map([["notes.txt", "FACT: the first draft says BLUE-FINCH-1\n"]]);
  const { store, answers } = setup(files);
  const session = await chatWithOneTurn(store);

  suite.ai.enqueue({ text: "Reading the file now", dropAfterChunks: 2, chunkDelayMs: 5 });
  const signal = new AbortController().signal;
  const first = await askQuote(answers, session.id, signal);
  assert.equal(finalOf(first.events).status, "error");
  const failedBody = suite.ai.completionRequests().at(-1)!.body as ChatBody;

  files.set("notes.txt", "FACT: the second draft says RED-KITE-2\n");
  suite.ai.enqueue({ echo: "fact", chunkDelayMs: 5 });
  const again = recorder();
  await answers.retry({ sessionId: session.id }, again.emit, signal);

  const user = again.events[0];
  assert.equal(user?.type, "user");
  assert.equal(user.type === "user" && user.message.content, "Quote @notes.txt");
  const answer = finalOf(again.events);
  assert.equal(answer.status, "done");
  assert.equal(answer.content, "the second draft says RED-KITE-2", "the file was read again");

  const retryBody = suite.ai.completionRequests().at(-1)!.body as ChatBody;
  assert.equal(retryBody.model, "sent-model", "the model the question was sent with, not the picker's");
  assert.equal(failedBody.model, "sent-model");
  assert.deepEqual(retryBody.messages.slice(0, -1), failedBody.messages.slice(0, -1), "same history, no failed answer");
  assert.match(retryBody.messages.at(-1)!.content, /\n\nQuote @notes\.txt$/);

  const stored = store.get(session.id)!.messages;
  assert.deepEqual(
    stored.map((m) => [m.role, m.content, m.status]),
    [
      ["user", "Hi", undefined],
      ["assistant", "Hello!", "done"],
      ["user", "Quote @notes.txt", undefined],
      ["assistant", "the second draft says RED-KITE-2", "done"],
    ],
    "only the new answer is stored",
  );
  assert.equal(stored[2]!.chips?.[0]?.label, "notes.txt");
});

test("Edit replaces the last turn: the model gets the history without the old question, the session keeps only the new turn", async () => {
  suite.ai.reset();
  const files = new Map([
    ["notes.txt", "FACT: the notes say BLUE-FINCH-1\n"],
    ["todo.txt", "FACT: the todo list says AMBER-OWL-5\n"],
  ]);
  const { store, answers } = setup(files);
  const session = await chatWithOneTurn(store);
  const signal = new AbortController().signal;

  suite.ai.enqueue({ echo: "fact", chunkDelayMs: 5 }, { echo: "fact", chunkDelayMs: 5 });
  const first = await askQuote(answers, session.id, signal);
  assert.equal(finalOf(first.events).content, "the notes say BLUE-FINCH-1");
  const firstBody = suite.ai.completionRequests().at(-1)!.body as ChatBody;

  const edited = recorder();
  await answers.send(
    { sessionId: session.id, text: "Quote @todo.txt", mentions: [], model: "picker-model", replaceLast: true },
    edited.emit,
    signal,
  );
  const user = edited.events[0];
  assert.equal(user?.type, "user");
  assert.equal(user.type === "user" && user.message.content, "Quote @todo.txt");
  assert.equal(finalOf(edited.events).content, "the todo list says AMBER-OWL-5");

  const body = suite.ai.completionRequests().at(-1)!.body as ChatBody;
  assert.equal(body.model, "sent-model", "the model the replaced question was sent with, as Retry");
  assert.deepEqual(body.messages.slice(0, -1), firstBody.messages.slice(0, -1), "the history before the old turn");
  assert.doesNotMatch(JSON.stringify(body.messages), /notes\.txt|BLUE-FINCH/, "nothing of the old turn");

  const stored = store.get(session.id)!.messages;
  assert.deepEqual(
    stored.map((m) => [m.role, m.content]),
    [
      ["user", "Hi"],
      ["assistant", "Hello!"],
      ["user", "Quote @todo.txt"],
      ["assistant", "the todo list says AMBER-OWL-5"],
    ],
    "the edited turn in place of the old one",
  );
  assert.equal(stored[2]!.chips?.[0]?.label, "todo.txt");
  assert.equal(store.list()[0]?.messageCount, 4);
});

test("Retry and Edit are refused with a reason: no question yet, an unknown chat, an answer still streaming", async () => {
  suite.ai.reset();
  const { store, answers } = setup(new Map());
  const signal = new AbortController().signal;
  const fresh = await store.create();
  await assert.rejects(
    answers.retry({ sessionId: fresh.id }, () => undefined, signal),
    /no question in this chat/,
  );
  await assert.rejects(
    answers.retry({ sessionId: "gone" }, () => undefined, signal),
    /no longer exists/,
  );
  const edit = (sessionId: string, extra: object = {}) =>
    answers.send(
      { sessionId, text: "edited", mentions: [], replaceLast: true, ...extra } as SendParams,
      () => undefined,
      signal,
    );
  await assert.rejects(edit(fresh.id), /no question in this chat to edit/);
  await assert.rejects(edit("gone"), /no longer exists/);
  await assert.rejects(edit(fresh.id, { replaceLast: "yes" }), /Malformed/);
  assert.equal(suite.ai.completionRequests().length, 0, "nothing refused reached the model");

  suite.ai.enqueue({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 40 });
  const stop = new AbortController();
  let streaming!: () => void;
  const firstDelta = new Promise<void>((r) => (streaming = r));
  const running = answers.send(
    { sessionId: fresh.id, text: "Tell a long story", mentions: [] },
    (e) => e.type === "delta" && streaming(),
    stop.signal,
  );
  await firstDelta;
  await assert.rejects(
    answers.retry({ sessionId: fresh.id }, () => undefined, signal),
    /still streaming/,
  );
  await assert.rejects(
    answers.send({ sessionId: fresh.id, text: "another", mentions: [] }, () => undefined, signal),
    /still streaming/,
  );
  await assert.rejects(edit(fresh.id), /still streaming/);
  stop.abort();
  await running;
  const stored = store.get(fresh.id)!.messages;
  assert.deepEqual(
    stored.map((m) => [m.role, m.status]),
    [
      ["user", undefined],
      ["assistant", "stopped"],
    ],
    "the refused requests left the streaming answer alone",
  );
});
