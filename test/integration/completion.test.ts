/**
 * POST /api/complete end to end: the real backend process and the scripted AI service.
 * Proves the cleaned insertion, the FIM and chat paths, cache type-through without a
 * model call, upstream abort when the client goes away or a newer request supersedes,
 * and the feedback counters in /metrics.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { scriptedSuite } from "./helpers/suite";
import type { CompletionRequest, CompletionResponse, CompletionFeedbackResponse } from "../../server/api/completion";

const suite = scriptedSuite({ AICOCKPIT_LLM_MODEL: "qwen2.5-coder:1.5b-base" });

const PREFIX = "export function add(a: number, b: number): number {\n  ";
const SUFFIX = "\n}\n";

function request(extra: Partial<CompletionRequest> = {}): CompletionRequest {
  return { filepath: "/work/src/math.ts", languageId: "typescript", prefix: PREFIX, suffix: SUFFIX, ...extra };
}

async function complete(body: CompletionRequest): Promise<CompletionResponse> {
  const res = await suite.backend.call<CompletionResponse>("POST", "/api/complete", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

function rawComplete(body: CompletionRequest, signal?: AbortSignal): Promise<Response> {
  return fetch(`${suite.backend.url}/api/complete`, {
    method: "POST",
    headers: { authorization: `Bearer ${suite.backend.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

test("FIM model: the streamed answer comes back as the cleaned insertion", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ chunks: ["  return a", " + b;", "<|endoftext|>", "\n\nexport const x = 1;"], chunkDelayMs: 5 });
  const r = await complete(request({ filepath: "/work/src/fim.ts" }));
  assert.equal(r.completion, "return a + b;");
  assert.equal(r.replaceSuffixChars, 0);
  assert.equal(r.source, "model");
  assert.equal(r.template, "qwen");
  assert.ok(typeof r.id === "string" && r.id.length > 0);
  const [sent] = suite.ai.completionRequests();
  assert.equal(sent!.path, "/v1/completions");
  const body = sent!.body as { prompt: string; stream: boolean; stop?: string[]; model: string };
  assert.equal(body.stream, true);
  assert.equal(body.model, "qwen2.5-coder:1.5b-base");
  assert.equal(body.prompt, `<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`);
  assert.ok(body.stop?.includes("<|endoftext|>"));
});

test("typing through the suggestion is answered from the cache with no model call", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ chunks: ["const sum = a + b;\n  return sum;"] });
  const first = await complete(request({ filepath: "/work/src/cache.ts" }));
  assert.equal(first.completion, "const sum = a + b;\n  return sum;");
  const typed = await complete(request({ filepath: "/work/src/cache.ts", prefix: PREFIX + "const s" }));
  assert.deepEqual([typed.completion, typed.source], ["um = a + b;\n  return sum;", "cache"]);
  assert.equal(suite.ai.completionRequests().length, 1);
});

test("chat template: hole-filling prompt over /chat/completions, wrapper and fences removed", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ text: "<COMPLETION>```ts\nreturn a + b;\n```</COMPLETION>" });
  const r = await complete(request({ filepath: "/work/src/chat.ts", template: "chat" }));
  assert.equal(r.completion, "return a + b;");
  const [sent] = suite.ai.completionRequests();
  assert.equal(sent!.path, "/v1/chat/completions");
  const msgs = (sent!.body as { messages: { role: string; content: string }[] }).messages;
  assert.match(msgs[1]!.content, /\{\{FILL_HERE\}\}/);
});

test("mid-line: closers already after the cursor are not inserted again; a rewrite is a replacement", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ chunks: ['"hello");'] });
  const a = await complete(request({ filepath: "/work/src/mid.ts", prefix: "console.log(", suffix: ");\n" }));
  assert.deepEqual([a.completion, a.replaceSuffixChars], ['"hello"', 0]);
  suite.ai.enqueue({ chunks: ["name: string): string {"] });
  const b = await complete(request({ filepath: "/work/src/mid2.ts", prefix: "function greet(", suffix: ")\n" }));
  assert.deepEqual([b.completion, b.replaceSuffixChars], ["name: string): string {", 1]);
});

test("a request cancelled by the client is aborted upstream", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ chunks: Array.from({ length: 50 }, (_, i) => `x${i} `), chunkDelayMs: 100 });
  const ac = new AbortController();
  const pending = rawComplete(request({ filepath: "/work/src/cancel.ts", timeoutMs: 20_000 }), ac.signal);
  await suite.ai.waitForRequests(1);
  ac.abort();
  await assert.rejects(pending);
  const gone = await suite.ai.waitForDisconnect(5_000);
  assert.equal(gone.path, "/v1/completions");
});

test("a newer request for the same document supersedes the older one, which is aborted upstream", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ chunks: Array.from({ length: 50 }, (_, i) => `y${i} `), chunkDelayMs: 100 });
  suite.ai.enqueue({ chunks: ["42;"] });
  const older = rawComplete(request({ filepath: "/work/src/sup.ts", timeoutMs: 20_000 }));
  await suite.ai.waitForRequests(1);
  const newer = await complete(request({ filepath: "/work/src/sup.ts", prefix: PREFIX + "const z = " }));
  assert.equal(newer.completion, "42;");
  const olderBody = (await (await older).json()) as CompletionResponse;
  assert.deepEqual([olderBody.completion, olderBody.reason], [null, "superseded"]);
  const gone = await suite.ai.waitForDisconnect(5_000);
  assert.equal(gone.seq, suite.ai.completionRequests()[0]!.seq);
});

test("the hard time limit returns what was generated so far", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ chunks: ["const s = a;\n", "  const t = b;\n", "  return s", " + t;"], chunkDelayMs: 150 });
  const r = await complete(request({ filepath: "/work/src/slow.ts", timeoutMs: 400 }));
  assert.equal(r.partial, true);
  assert.equal(r.completion, "const s = a;\n  const t = b;");
});

test("secret files never reach the AI service", async () => {
  suite.ai.reset();
  const r = await complete(request({ filepath: "/work/.env", prefix: "API_KEY=", suffix: "" }));
  assert.deepEqual([r.completion, r.source, r.reason], [null, "skipped", "secret-file"]);
  assert.equal(suite.ai.completionRequests().length, 0);
});

test("feedback counts accepted and rejected completions in /metrics", async () => {
  suite.ai.reset();
  suite.ai.enqueue({ chunks: ["return a * b;"] }, { chunks: ["return b;"] });
  const a = await complete(request({ filepath: "/work/src/fb1.ts" }));
  const b = await complete(request({ filepath: "/work/src/fb2.ts" }));
  const fa = await suite.backend.call<CompletionFeedbackResponse>("POST", "/api/complete/feedback", {
    id: a.id,
    outcome: "accepted",
  });
  const fb = await suite.backend.call<CompletionFeedbackResponse>("POST", "/api/complete/feedback", {
    id: b.id,
    outcome: "rejected",
  });
  assert.deepEqual([fa.status, fa.body, fb.body], [200, { recorded: true }, { recorded: true }]);
  const bad = await suite.backend.call("POST", "/api/complete/feedback", { id: a.id, outcome: "maybe" });
  assert.equal(bad.status, 400);
  const metrics = (await suite.backend.call<string>("GET", "/metrics")).body;
  assert.match(metrics, /aicockpit_completion_feedback_total\{outcome="accepted"\} 1/);
  assert.match(metrics, /aicockpit_completion_feedback_total\{outcome="rejected"\} 1/);
  assert.match(metrics, /aicockpit_completion_requests_total\{source="cache",shown="true"\} \d+/);
  assert.match(metrics, /aicockpit_completion_upstream_total\{outcome="superseded"\} \d+/);
  assert.match(metrics, /aicockpit_completion_upstream_running 0/);
});

test("invalid bodies are a 400 with a clear message", async () => {
  const r = await suite.backend.call<{ error: { code: string; message: string } }>("POST", "/api/complete", {
    filepath: "a.ts",
    prefix: "x",
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "BAD_REQUEST");
});
