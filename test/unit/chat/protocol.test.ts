/**
 * The webview protocol end to end without a browser: the webview's RpcClient and the
 * extension's RpcHost wired back to back (as postMessage would), plus the envelope guards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RpcHost, type RequestHandlers, type StreamHandlers } from "../../../extension/chat/rpc-host";
import { sourceLines } from "../../../webview-ui/transcript";
import {
  groupSources,
  isChatSource,
  isMention,
  isToExtension,
  isToWebview,
  type ChatSessionData,
  type ChatStreamEvent,
  type ToExtension,
  type ToWebview,
} from "../../../webview-ui/protocol";
import { RpcClient, RpcError } from "../../../webview-ui/rpc";

const session: ChatSessionData = { id: "s1", title: "New chat", createdAt: 1, updatedAt: 1, messages: [] };
const tick = () => new Promise((r) => setImmediate(r));

function notImplemented(): never {
  throw new Error("not in this test");
}

function handlers(over: Partial<RequestHandlers> = {}): RequestHandlers {
  return {
    "session/current": () => session,
    "session/new": notImplemented,
    "session/open": ({ id }) => {
      if (id !== "s1") throw Object.assign(new Error("That chat no longer exists."), { code: "NOT_FOUND" });
      return session;
    },
    "session/delete": notImplemented,
    "session/list": () => ({ sessions: [] }),
    "mentions/search": ({ query }) => ({
      items: [{ mention: { kind: "file", path: `${query}.ts` }, label: `${query}.ts`, detail: "", icon: "file" }],
    }),
    "mentions/resolve": notImplemented,
    "source/open": notImplemented,
    "models/list": () => ({ models: ["m1"], current: "m1" }),
    "models/select": notImplemented,
    "code/copy": notImplemented,
    "code/insert": notImplemented,
    "code/apply": notImplemented,
    "code/run": notImplemented,
    "link/open": notImplemented,
    ...over,
  };
}

/** Client and host connected through JSON (structured clone drops nothing we send). */
function pair(requests: RequestHandlers, streams: StreamHandlers, onReady = () => undefined) {
  const toHost: ToExtension[] = [];
  const toClient: ToWebview[] = [];
  let host: RpcHost;
  const client = new RpcClient((m) => {
    toHost.push(m);
    void host.receive(JSON.parse(JSON.stringify(m)));
  });
  host = new RpcHost(
    (m) => {
      toClient.push(m);
      client.receive(JSON.parse(JSON.stringify(m)));
    },
    requests,
    streams,
    onReady,
  );
  return { client, host, toHost, toClient };
}

/** Stream handlers that send nothing, but for the ones a test gives. */
function streamHandlers(over: Partial<StreamHandlers> = {}): StreamHandlers {
  return { "chat/send": async () => undefined, "chat/retry": async () => undefined, ...over };
}
const noStreams = streamHandlers();

test("requests resolve with the handler's result, typed by method", async () => {
  const { client } = pair(handlers(), noStreams);
  const s = await client.request("session/current", {});
  assert.equal(s.id, "s1");
  const found = await client.request("mentions/search", { query: "app" });
  assert.deepEqual(found.items[0]!.mention, { kind: "file", path: "app.ts" });
});

test("a throwing handler becomes a rejected request with code and message", async () => {
  const { client } = pair(handlers(), noStreams);
  await assert.rejects(
    client.request("session/open", { id: "gone" }),
    (err: unknown) => err instanceof RpcError && err.code === "NOT_FOUND" && /no longer exists/.test(err.message),
  );
});

test("concurrent requests are paired by id, whatever order they finish in", async () => {
  let releaseSlow!: () => void;
  const slow = new Promise<void>((r) => (releaseSlow = r));
  const { client } = pair(
    handlers({
      "mentions/search": async ({ query }) => {
        if (query === "slow") await slow;
        return { items: [{ mention: { kind: "file", path: query }, label: query, detail: "", icon: "file" }] };
      },
    }),
    noStreams,
  );
  const a = client.request("mentions/search", { query: "slow" });
  const b = client.request("mentions/search", { query: "fast" });
  assert.equal((await b).items[0]!.label, "fast");
  releaseSlow();
  assert.equal((await a).items[0]!.label, "slow");
});

test("streams deliver events in order, then end", async () => {
  const streams = streamHandlers({
    "chat/send": async (p, emit) => {
      emit({ type: "user", message: { role: "user", content: p.text } });
      emit({ type: "delta", text: "Hel" });
      emit({ type: "delta", text: "lo" });
    },
  });
  const { client } = pair(handlers(), streams);
  const got: ChatStreamEvent[] = [];
  const h = client.stream("chat/send", { sessionId: "s1", text: "hi", mentions: [] }, (e) => got.push(e));
  await h.done;
  assert.deepEqual(
    got.map((e) => e.type),
    ["user", "delta", "delta"],
  );
});

test("cancel aborts the handler's signal; the stream still ends normally with what it sent", async () => {
  let aborted = false;
  const streams = streamHandlers({
    "chat/send": async (_p, emit, signal) => {
      emit({ type: "delta", text: "partial" });
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      aborted = signal.aborted;
      emit({
        type: "final",
        message: { role: "assistant", content: "partial", status: "stopped" },
        session: { id: "s1", title: "t", updatedAt: 1, messageCount: 2 },
      });
    },
  });
  const { client, toHost } = pair(handlers(), streams);
  const got: ChatStreamEvent[] = [];
  const h = client.stream("chat/send", { sessionId: "s1", text: "go", mentions: [] }, (e) => got.push(e));
  await tick();
  h.cancel();
  await h.done;
  assert.equal(aborted, true);
  assert.equal(got.at(-1)?.type, "final");
  assert.ok(toHost.some((m) => m.kind === "cancel"));
  h.cancel(); // after the end: nothing is sent
  assert.equal(toHost.filter((m) => m.kind === "cancel").length, 1);
});

test("a failing stream rejects `done` with the error", async () => {
  const streams = streamHandlers({
    "chat/send": async () => {
      throw new Error("Type a message first.");
    },
  });
  const { client } = pair(handlers(), streams);
  const h = client.stream("chat/send", { sessionId: "s1", text: " ", mentions: [] }, () => undefined);
  await assert.rejects(h.done, /Type a message first/);
});

test("notifications reach their handler; ready reaches the host", async () => {
  let ready = 0;
  const { client, host } = pair(handlers(), noStreams, () => void ready++);
  const seen: string[] = [];
  client.on("composer/attach", (p) => seen.push(p.chips[0]!.label));
  host.notify("composer/attach", { chips: [{ mention: { kind: "selection" }, label: "a.ts:1-3" }], focus: true });
  assert.deepEqual(seen, ["a.ts:1-3"]);
  await host.receive({ kind: "ready" });
  assert.equal(ready, 1);
});

test("dispose aborts running streams", async () => {
  let aborted = false;
  const { client, host } = pair(
    handlers(),
    streamHandlers({
      "chat/send": (_p, _emit, signal) =>
        new Promise<void>((r) => signal.addEventListener("abort", () => ((aborted = true), r()), { once: true })),
    }),
  );
  const h = client.stream("chat/send", { sessionId: "s1", text: "x", mentions: [] }, () => undefined);
  await tick();
  host.dispose();
  await h.done;
  assert.equal(aborted, true);
});

test("the host drops malformed or unknown messages", async () => {
  const posted: ToWebview[] = [];
  const host = new RpcHost((m) => posted.push(m), handlers(), noStreams);
  for (const bad of [
    null,
    "x",
    [],
    { kind: "request", id: 1, method: "fs/readAll", params: {} },
    { kind: "request", id: -1, method: "session/list", params: {} },
    { kind: "request", id: 1, method: "session/list" },
    { kind: "stream", id: 2, method: "session/list", params: {} },
    { kind: "nope" },
  ]) {
    await host.receive(bad);
  }
  assert.deepEqual(posted, []);
});

test("envelope guards", () => {
  assert.equal(isToExtension({ kind: "ready" }), true);
  assert.equal(isToExtension({ kind: "cancel", id: 3 }), true);
  assert.equal(isToExtension({ kind: "cancel", id: 1.5 }), false);
  assert.equal(isToExtension({ kind: "stream", id: 1, method: "chat/send", params: { text: "" } }), true);
  assert.equal(isToExtension({ kind: "stream", id: 4, method: "chat/retry", params: { sessionId: "s1" } }), true);
  assert.equal(isToWebview({ kind: "response", id: 1, ok: true, result: 1 }), true);
  assert.equal(isToWebview({ kind: "notify", method: "x", params: null }), false);
  assert.equal(isToWebview({ kind: "end" }), false);
  assert.equal(isMention({ kind: "file", path: "a b.txt" }), true);
  assert.equal(isMention({ kind: "file", path: "" }), false);
  assert.equal(isMention({ kind: "terminal" }), true);
  assert.equal(isMention({ kind: "shell" }), false);
  assert.equal(isMention({ kind: "workspace" }), true);
  assert.equal(isMention({ kind: "workspace", name: "py-api" }), true);
  assert.equal(isMention({ kind: "workspace", name: "../x" }), false);
});

test("codebase mentions and the sources the webview may ask to open", () => {
  assert.equal(isMention({ kind: "codebase" }), true);
  assert.equal(isToExtension({ kind: "request", id: 2, method: "source/open", params: {} }), true);
  assert.equal(isChatSource({ path: "src/auth/session.ts", startLine: 3, endLine: 9 }), true);
  assert.equal(isChatSource({ path: "a.py", startLine: 4, endLine: 4 }), true);
  for (const bad of [
    { path: "../etc/passwd", startLine: 1, endLine: 1 },
    { path: "src/../../x", startLine: 1, endLine: 1 },
    { path: "/etc/passwd", startLine: 1, endLine: 1 },
    { path: "C:/x", startLine: 1, endLine: 1 },
    { path: "a.ts", startLine: 0, endLine: 1 },
    { path: "a.ts", startLine: 5, endLine: 4 },
    { path: "a.ts", startLine: 1.5, endLine: 2 },
    { path: "", startLine: 1, endLine: 1 },
    { path: "a.ts" },
  ])
    assert.equal(isChatSource(bad), false, JSON.stringify(bad));
});

test("retrieved ranges become one source per file, overlapping ranges merged", () => {
  const grouped = groupSources([
    { path: "src/billing/gateway.ts", start_line: 1, end_line: 17 },
    { path: "src/billing/backoff.ts", start_line: 8, end_line: 17 },
    { path: "src/billing/gateway.ts", start_line: 6, end_line: 11 },
    { path: "src/billing/backoff.ts", start_line: 1, end_line: 7 },
    { path: "src/billing/gateway.ts", start_line: 40, end_line: 52 },
  ]);
  assert.deepEqual(grouped, [
    { path: "src/billing/gateway.ts", startLine: 1, endLine: 17, also: [{ startLine: 40, endLine: 52 }] },
    { path: "src/billing/backoff.ts", startLine: 1, endLine: 17 },
  ]);
  assert.equal(sourceLines(grouped[0]!), "1–17, 40–52");
  assert.equal(sourceLines({ path: "a.ts", startLine: 3, endLine: 3 }), "3");
});
