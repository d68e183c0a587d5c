/**
 * @codebase end to end on a local folder: the real backend indexes a generated repository of a
 * few hundred files; a chat question naming a behaviour (not a file) brings the two files that
 * implement it into the prompt the scripted model receives, and a `sources` event lists them.
 * Then: an edit forwarded as a change alters the answer's context, ignored and secret files
 * never reach an index answer or a prompt, and bad requests get clear 400/403/404 codes.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scriptedSuite } from "./helpers/suite";
import { tempDir } from "./helpers/backend";
import {
  BACKOFF_FILE,
  BACKOFF_MARKER,
  BEHAVIOUR_QUESTION,
  CHARGE_FILE,
  CHARGE_MARKER,
  FORBIDDEN,
  backoffFile,
  generateRepo,
  writeRepo,
} from "./helpers/codebase-repo";
import type { ChatEvent, ChatRequest } from "../../server/api/chat";
import type { ChatSourcesEvent, CodebaseIndexView, CodebaseProgressEvent } from "../../server/api/codebase";

const suite = scriptedSuite();
const root = tempDir("aicockpit-codebase-");
const outside = tempDir("aicockpit-codebase-outside-");
type Err = { error: { code: string; message: string } };

before(() => {
  writeRepo(root, generateRepo(320));
  // A symlink leading out of the root: what it points at must not be indexed.
  writeFileSync(join(outside, "leak.ts"), `export const LEAK = "${FORBIDDEN} payment retry wait declined";\n`);
  symlinkSync(outside, join(root, "src", "linked"));
  symlinkSync(join(outside, "leak.ts"), join(root, "src", "leak-link.ts"));
});

async function chat(req: ChatRequest): Promise<{ events: ChatEvent[]; prompt: string }> {
  suite.ai.reset();
  suite.ai.enqueue({ text: "It is retried with a growing wait." });
  const events: ChatEvent[] = [];
  for await (const ev of suite.client.events("POST /api/chat", { body: req, signal: new AbortController().signal }))
    events.push(ev);
  const body = suite.ai.completionRequests()[0]!.body as { messages: { role: string; content: string }[] };
  return { events, prompt: body.messages.map((m) => m.content).join("\n") };
}

const sourcesOf = (events: ChatEvent[]) => events.find((e): e is ChatSourcesEvent => e.type === "sources");
const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

async function ready(id: string): Promise<CodebaseIndexView> {
  const events: CodebaseProgressEvent[] = [];
  for await (const m of suite.client.stream("GET", `/api/codebase/${id}/progress`, {
    signal: AbortSignal.timeout(120_000),
  }))
    events.push(JSON.parse(m.data) as CodebaseProgressEvent);
  const end = events.at(-1);
  assert.equal(end?.type, "end", JSON.stringify(events.slice(-3)));
  assert.ok(end.type === "end");
  return end.index;
}

let indexId = "";

test("a question naming a behaviour brings the two files that implement it into the prompt, and `sources` lists them", async () => {
  // @codebase by root: the index is ensured and built on the fly, the chat waits for it.
  const { events, prompt } = await chat({ ...ask(`@codebase ${BEHAVIOUR_QUESTION}`), codebase: { root } });
  const sources = sourcesOf(events);
  assert.ok(sources, `no sources event in ${JSON.stringify(events.map((e) => e.type))}`);
  indexId = sources.index_id;
  const paths = sources.files.map((f) => f.path);
  assert.ok(paths.includes(CHARGE_FILE), `sources: ${paths.join(", ")}`);
  assert.ok(paths.includes(BACKOFF_FILE), `sources: ${paths.join(", ")}`);
  for (const f of sources.files) assert.ok(f.start_line >= 1 && f.end_line >= f.start_line, JSON.stringify(f));
  // The files' code itself, not only their names, reached the model.
  assert.match(prompt, new RegExp(CHARGE_MARKER));
  assert.match(prompt, new RegExp(BACKOFF_MARKER));
  assert.match(prompt, /BASE_WAIT_MS = 1500/);
  // sources comes after context and before the answer.
  const types = events.map((e) => e.type);
  assert.ok(types.indexOf("context") < types.indexOf("sources"));
  assert.ok(types.indexOf("sources") < types.indexOf("delta"));
  const ctx = events[0];
  assert.ok(ctx?.type === "context" && ctx.items.some((i) => i.label === "@codebase" && i.tokens > 0));
  assert.equal(sources.root.length > 0, true);
  assert.equal(sources.workspace_id, null);
});

test("the index reports its size, its id is stable per root, and progress ends with `ready`", async () => {
  const again = await suite.client.call("POST /api/codebase/index", { body: { root } });
  assert.equal(again.index_id, indexId);
  const view = await ready(indexId);
  assert.equal(view.status, "ready");
  // 320 generated + the billing/decoy files, minus nothing else: ignored and secret files are not counted.
  assert.ok(view.files_indexed >= 320 && view.files_indexed <= 330, JSON.stringify(view));
  const status = await suite.client.call("GET /api/codebase/:id", { params: { id: indexId } });
  assert.equal(status.status, "ready");
  const metrics = await fetch(`${suite.backend.url}/metrics`, {
    headers: { authorization: `Bearer ${suite.backend.token}` },
  }).then((r) => r.text());
  assert.match(metrics, /aicockpit_codebase_indexes\{status="ready"\} 1/);
  assert.match(metrics, /aicockpit_codebase_builds_total\{source="local",outcome="ok"\} [1-9]/);
});

test("ignored, secret and out-of-root files are never indexed nor sent", async () => {
  // Even when a client names them as changed.
  await suite.client.call("POST /api/codebase/changes", {
    body: {
      index_id: indexId,
      changed: ["src/linked/leak.ts", "src/leak-link.ts", ".env", "deploy/id_rsa", "private/retry-plan.md"],
    },
  });
  const q = await suite.client.call("POST /api/codebase/query", {
    body: {
      index_id: indexId,
      question: `${FORBIDDEN} declined payment retry wait attempts key`,
      budget_tokens: 20_000,
    },
  });
  assert.doesNotMatch(q.context, new RegExp(FORBIDDEN));
  const forbidden = [
    /^logs\//,
    /\.tmp$/,
    /^private\//,
    /^\.env$/,
    /id_rsa$/,
    /innocent\.txt$/,
    /^src\/linked\//,
    /leak/,
  ];
  for (const f of q.files) for (const re of forbidden) assert.doesNotMatch(f.path, re);
  const { prompt, events } = await chat({
    // Words of the forbidden files (not the marker itself: the question is in the prompt too).
    ...ask("Which key do declined card payment retries use, and where are the retry plan and its log?"),
    codebase: { index_id: indexId, budget_tokens: 20_000 },
  });
  assert.doesNotMatch(prompt, new RegExp(FORBIDDEN));
  for (const f of sourcesOf(events)?.files ?? []) for (const re of forbidden) assert.doesNotMatch(f.path, re);
});

test("a change forwarded by the client updates the index: the next answer sees the new code, a deleted file is gone", async () => {
  writeFileSync(join(root, BACKOFF_FILE), backoffFile(4200));
  mkdirSync(join(root, "src/jobs"), { recursive: true });
  writeFileSync(
    join(root, "src/jobs/dead-letter.ts"),
    "// Card payments that were declined on every retry attempt land here: DEADLETTER_9b2e.\nexport const deadLetters: string[] = [];\n",
  );
  const r = await suite.client.call("POST /api/codebase/changes", {
    body: { index_id: indexId, changed: [join(root, BACKOFF_FILE), "src/jobs/dead-letter.ts"] },
  });
  assert.equal(r.updated, 2);
  const after = await chat({ ...ask(BEHAVIOUR_QUESTION), codebase: { index_id: indexId } });
  assert.match(after.prompt, /BASE_WAIT_MS = 4200/);
  assert.doesNotMatch(after.prompt, /BASE_WAIT_MS = 1500/);

  const found = await suite.client.call("POST /api/codebase/query", {
    body: { index_id: indexId, question: "where do payments declined on every retry attempt end up? dead letter" },
  });
  assert.ok(
    found.files.some((f) => f.path === "src/jobs/dead-letter.ts"),
    JSON.stringify(found.files),
  );

  rmSync(join(root, CHARGE_FILE));
  await suite.client.call("POST /api/codebase/changes", { body: { index_id: indexId, deleted: [CHARGE_FILE] } });
  const gone = await chat({ ...ask(BEHAVIOUR_QUESTION), codebase: { index_id: indexId } });
  assert.doesNotMatch(gone.prompt, new RegExp(CHARGE_MARKER));
  assert.ok(!sourcesOf(gone.events)?.files.some((f) => f.path === CHARGE_FILE));
});

test("bad requests get 400/403/404 with a clear code", async () => {
  const call = (method: string, path: string, body?: unknown) => suite.backend.call<Err>(method, path, body);
  const file = join(root, "src/shared/math.ts");
  const cases: [string, string, unknown, number, string][] = [
    ["POST", "/api/codebase/index", {}, 400, "BAD_REQUEST"],
    ["POST", "/api/codebase/index", { root: 42 }, 400, "BAD_REQUEST"],
    ["POST", "/api/codebase/index", { root: "x".repeat(5000) }, 400, "BAD_REQUEST"],
    ["POST", "/api/codebase/index", { root: "src/app" }, 400, "CODEBASE_ROOT_INVALID"],
    ["POST", "/api/codebase/index", { root: join(root, "no-such-folder") }, 400, "CODEBASE_ROOT_INVALID"],
    ["POST", "/api/codebase/index", { root: file }, 400, "CODEBASE_ROOT_INVALID"],
    ["POST", "/api/codebase/index", { root: "/" }, 403, "CODEBASE_ROOT_REFUSED"],
    ["POST", "/api/codebase/query", { index_id: indexId, question: "   " }, 400, "BAD_REQUEST"],
    ["POST", "/api/codebase/query", { index_id: indexId, question: "x", budget_tokens: 10 }, 400, "BAD_REQUEST"],
    ["POST", "/api/codebase/query", { index_id: "cb_nope", question: "retry" }, 404, "CODEBASE_NOT_FOUND"],
    ["POST", "/api/codebase/changes", { index_id: indexId, changed: ["../etc/passwd"] }, 400, "BAD_REQUEST"],
    ["POST", "/api/codebase/changes", { index_id: indexId, changed: "src/a.ts" }, 400, "BAD_REQUEST"],
    ["GET", "/api/codebase/cb_nope", undefined, 404, "CODEBASE_NOT_FOUND"],
    ["GET", "/api/codebase/cb_nope/progress", undefined, 404, "CODEBASE_NOT_FOUND"],
    ["POST", "/api/chat", { ...ask("hi"), codebase: {} }, 400, "BAD_REQUEST"],
    ["POST", "/api/chat", { ...ask("hi"), codebase: { index_id: "cb_nope" } }, 404, "CODEBASE_NOT_FOUND"],
  ];
  for (const [method, path, body, status, code] of cases) {
    const r = await call(method, path, body);
    assert.equal(
      r.status,
      status,
      `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)} → ${JSON.stringify(r.body)}`,
    );
    assert.equal(r.body.error.code, code, JSON.stringify(r.body));
    assert.ok(r.body.error.message.length > 10);
  }
});

test("DELETE drops the index; the same root indexes again under the same id", async () => {
  const del = await suite.client.call("DELETE /api/codebase/:id", { params: { id: indexId } });
  assert.deepEqual(del, { removed: true });
  const r = await suite.backend.call<Err>("GET", `/api/codebase/${indexId}`);
  assert.equal(r.status, 404);
  const again = await suite.client.call("POST /api/codebase/index", { body: { root } });
  assert.equal(again.index_id, indexId);
  assert.equal((await ready(indexId)).status, "ready");
});
