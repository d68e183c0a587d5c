/** The engine against a fake upstream: cache, in-flight reuse, supersede, cancellation, time limit, filters. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CompletionEngine,
  type EngineObserver,
  type UpstreamCompletionParams,
} from "../../../server/completion/engine";
import type { CompletionRequest } from "../../../server/api/completion";
import { AppError } from "../../../server/errors";
import { FakeUpstream, chunked, type Script } from "./fake-upstream";
import { DRAIN_MS } from "../../../server/completion/inflight";

const PREFIX = "export function add(a: number, b: number): number {\n  ";
const SUFFIX = "\n}\n";

function req(over: Partial<CompletionRequest> = {}): CompletionRequest {
  return { filepath: "/w/src/math.ts", languageId: "typescript", prefix: PREFIX, suffix: SUFFIX, ...over };
}

function counting(): EngineObserver & { served: EngineObserver["served"]; log: string[] } {
  const log: string[] = [];
  return {
    log,
    started: () => log.push("up:start"),
    ended: (o) => log.push(`up:${o}`),
    served: (s, shown) => log.push(`served:${s}:${shown}`),
    feedback: (o) => log.push(`feedback:${o}`),
  };
}

const never = new AbortController().signal;

test("a model answer is cleaned, cached, and typing through it needs no model call", async () => {
  const up = new FakeUpstream(() => ({ chunks: chunked("return a + b;<|endoftext|>") }));
  const engine = new CompletionEngine(up);
  const first = await engine.complete(req(), never);
  assert.equal(first.completion, "return a + b;");
  assert.equal(first.source, "model");
  assert.equal(first.template, "qwen");
  const typed = await engine.complete(req({ prefix: PREFIX + "return a" }), never);
  assert.deepEqual([typed.completion, typed.source], [" + b;", "cache"]);
  const back = await engine.complete(req({ prefix: PREFIX + "retu" }), never);
  assert.deepEqual([back.completion, back.source], ["rn a + b;", "cache"]);
  assert.equal(up.calls.length, 1);
});

test("FIM prompt goes to /completions with family stops; chat models get the hole-filling chat prompt", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["return a + b;"] }));
  await new CompletionEngine(up).complete(req(), never);
  const p = up.calls[0]!.params as UpstreamCompletionParams;
  assert.equal(up.calls[0]!.kind, "complete");
  assert.ok(p.prompt.startsWith("<|fim_prefix|>export function add"));
  assert.ok(p.stop.length <= 4 && p.stop.includes("<|endoftext|>"));
  up.modelName = "gpt-4o-mini";
  const r = await new CompletionEngine(up).complete(req(), never);
  assert.equal(up.calls[1]!.kind, "chat");
  assert.equal(r.template, "chat");
  // The request may name the template (user setting) whatever the model is called.
  await new CompletionEngine(up).complete(req({ template: "codestral" }), never);
  assert.ok((up.calls[2]!.params as UpstreamCompletionParams).prompt.startsWith("[SUFFIX]"));
});

test("a request that types along what is being generated reuses the in-flight generation", async () => {
  const up = new FakeUpstream(() => ({ chunks: chunked("return a + b;", 2), delayMs: 30 }));
  const obs = counting();
  const engine = new CompletionEngine(up, {}, obs);
  const a = engine.complete(req(), never);
  await sleep(70); // "re" or so has been generated
  const b = await engine.complete(req({ prefix: PREFIX + "r" }), never);
  assert.equal(b.completion, "eturn a + b;");
  assert.equal(b.source, "inflight");
  assert.equal((await a).completion, "return a + b;");
  assert.equal(up.calls.length, 1);
});

test("a newer request from the same document that diverges supersedes (aborts) the older one", async () => {
  let n = 0;
  const up = new FakeUpstream(() =>
    n++ === 0 ? { chunks: chunked("return a + b;", 2), delayMs: 20 } : { chunks: ["x * 2;"] },
  );
  const obs = counting();
  const engine = new CompletionEngine(up, {}, obs);
  const a = engine.complete(req(), never);
  await sleep(30);
  const b = await engine.complete(req({ prefix: PREFIX + "const y = " }), never);
  const aRes = await a;
  assert.equal(aRes.completion, null);
  assert.equal(aRes.reason, "superseded");
  assert.equal(b.completion, "x * 2;");
  assert.equal(up.calls[0]!.aborted, true);
  assert.equal(up.running, 0);
  assert.equal(engine.inflight.running, 0);
  assert.ok(obs.log.includes("up:superseded"));
});

test("requests for different documents do not supersede each other", async () => {
  const up = new FakeUpstream(() => ({ chunks: chunked("return a + b;", 2), delayMs: 5 }));
  const engine = new CompletionEngine(up);
  const [a, b] = await Promise.all([
    engine.complete(req(), never),
    engine.complete(req({ filepath: "/w/src/other.ts" }), never),
  ]);
  assert.equal(a.completion, "return a + b;");
  assert.equal(b.completion, "return a + b;");
  assert.equal(up.calls.filter((c) => c.aborted).length, 0);
});

test("when the client goes away the upstream generation is aborted", async () => {
  const up = new FakeUpstream(() => ({ chunks: chunked("return a + b;", 1), delayMs: 20 }));
  const engine = new CompletionEngine(up);
  const ac = new AbortController();
  const p = engine.complete(req(), ac.signal);
  await sleep(30);
  ac.abort();
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === "CANCELLED");
  await sleep(5);
  assert.equal(up.calls[0]!.aborted, true);
  assert.equal(up.running, 0);
});

test("a reusing request keeps the generation alive when the original client leaves", async () => {
  const up = new FakeUpstream(() => ({ chunks: chunked("return a + b;", 2), delayMs: 30 }));
  const engine = new CompletionEngine(up);
  const ac = new AbortController();
  const a = engine.complete(req(), ac.signal);
  await sleep(70);
  const b = engine.complete(req({ prefix: PREFIX + "r" }), never);
  await sleep(1);
  ac.abort();
  await assert.rejects(a);
  assert.equal((await b).completion, "eturn a + b;");
  assert.equal(up.calls[0]!.aborted, false);
});

test("the time limit returns the cleaned partial text (whole lines) and stops upstream", async () => {
  const up = new FakeUpstream(() => ({
    chunks: ["const s = 0;\n", "  let i = 0;\n", "  while (i", " < 10) {\n", "  }\n"],
    delayMs: 40,
  }));
  const engine = new CompletionEngine(up);
  const r = await engine.complete(req({ timeoutMs: 140 }), never);
  assert.equal(r.partial, true);
  assert.equal(r.completion, "const s = 0;\n  let i = 0;");
  assert.equal(up.calls[0]!.aborted, true);
  // Partial answers are not cached: the same position asks again.
  await engine.complete(req({ timeoutMs: 140 }), never);
  assert.equal(up.calls.length, 2);
});

test("a stalled upstream cannot hold a request past the time limit", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["never"], firstDelayMs: 10_000 }));
  const engine = new CompletionEngine(up);
  const t0 = Date.now();
  const r = await engine.complete(req({ timeoutMs: 80 }), never);
  assert.ok(Date.now() - t0 < 500);
  assert.equal(r.completion, null);
  assert.equal(up.running, 0);
});

test("stream filters settle the answer at once; a long-running upstream is aborted after a short drain", async () => {
  const up = new FakeUpstream(() => ({
    chunks: ["42;", "\n", ...Array.from({ length: 100 }, (_, i) => `const y${i} = 1;\n`)],
    delayMs: 5,
  }));
  const engine = new CompletionEngine(up);
  const t0 = Date.now();
  const r = await engine.complete(req({ prefix: "const x = ", suffix: "" }), never);
  assert.equal(r.completion, "42;");
  assert.ok(Date.now() - t0 < 100, "answered without waiting for the rest of the stream");
  await sleep(DRAIN_MS + 50);
  assert.equal(up.calls[0]!.aborted, true);
  assert.ok(up.calls[0]!.chunksSent < 30, `stopped early (${up.calls[0]!.chunksSent} chunks)`);
  assert.equal(up.running, 0);
});

test("an upstream that ends by itself right after the stop is not aborted (keeps the connection)", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["42;", "<|endoftext|>", "\n"], delayMs: 2 }));
  const engine = new CompletionEngine(up);
  const r = await engine.complete(req({ prefix: "const x = ", suffix: "" }), never);
  assert.equal(r.completion, "42;");
  await sleep(DRAIN_MS + 20);
  assert.equal(up.calls[0]!.aborted, false);
  assert.equal(up.calls[0]!.finished, true);
});

test("secret files, ignored files and mid-word positions never reach the model", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["x"] }));
  const engine = new CompletionEngine(up);
  for (const filepath of [
    "/w/.env",
    "/w/.env.production",
    "/w/certs/server.pem",
    "/w/tls.key",
    "/home/u/.ssh/id_rsa",
    "/home/u/.ssh/id_rsa.pub",
  ]) {
    const r = await engine.complete(req({ filepath }), never);
    assert.deepEqual([r.completion, r.source, r.reason], [null, "skipped", "secret-file"], filepath);
  }
  const ignored = await engine.complete(
    req({ filepath: "/w/gen/out.ts", workspaceRoot: "/w", ignorePatterns: ["gen/"] }),
    never,
  );
  assert.equal(ignored.reason, "ignored");
  const root = mkdtempSync(join(tmpdir(), "aicockpit-ignore-"));
  writeFileSync(join(root, ".aicockpitignore"), "# generated\n*.generated.ts\n!keep.generated.ts\n");
  const fromFile = await engine.complete(
    req({ filepath: join(root, "src", "api.generated.ts"), workspaceRoot: root }),
    never,
  );
  assert.equal(fromFile.reason, "ignored");
  const key = await engine.complete(req({ prefix: "const k = `-----BEGIN RSA PRIVATE KEY-----\n" }), never);
  assert.equal(key.reason, "secret-content");
  const midWord = await engine.complete(req({ suffix: "foo()\n}" }), never);
  assert.equal(midWord.reason, "mid-word");
  assert.equal(up.calls.length, 0);
});

test("secret-looking and ignored snippets are left out of the prompt", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["return a + b;"] }));
  const engine = new CompletionEngine(up);
  await engine.complete(
    req({
      workspaceRoot: "/w",
      ignorePatterns: ["private/**"],
      snippets: [
        { filepath: "/w/.env", content: "API_KEY=sk-live-123456" },
        { filepath: "/w/keys/deploy.pem", content: "CERT" },
        { filepath: "/w/private/notes.ts", content: "const internalSecretPlan = 1;" },
        { filepath: "/w/src/pasted.ts", content: "-----BEGIN OPENSSH PRIVATE KEY-----\nabc" },
        { filepath: "/w/src/util.ts", content: "export const helperVisible = 1;" },
      ],
    }),
    never,
  );
  const prompt = (up.calls[0]!.params as UpstreamCompletionParams).prompt;
  assert.ok(prompt.includes("helperVisible"));
  for (const s of ["sk-live", "CERT", "internalSecretPlan", "OPENSSH"]) assert.ok(!prompt.includes(s), s);
});

test("feedback is recorded once per shown completion id", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["return a + b;"] }));
  const obs = counting();
  const engine = new CompletionEngine(up, {}, obs);
  const r = await engine.complete(req(), never);
  assert.deepEqual(engine.feedback({ id: r.id, outcome: "accepted" }), { recorded: true });
  assert.deepEqual(engine.feedback({ id: r.id, outcome: "accepted" }), { recorded: false });
  assert.deepEqual(engine.feedback({ id: "unknown", outcome: "rejected" }), { recorded: false });
  assert.deepEqual(
    obs.log.filter((l) => l.startsWith("feedback")),
    ["feedback:accepted"],
  );
});

test("upstream errors surface as AppErrors; no provider is NO_PROVIDER", async () => {
  const up = new FakeUpstream((): Script => ({
    chunks: ["a", "b"],
    error: new AppError("PROVIDER_UNREACHABLE", "down"),
  }));
  const engine = new CompletionEngine(up);
  await assert.rejects(
    engine.complete(req(), never),
    (e: unknown) => e instanceof AppError && e.code === "PROVIDER_UNREACHABLE",
  );
  up.modelName = null;
  await assert.rejects(
    engine.complete(req({ prefix: PREFIX + "x" }), never),
    (e: unknown) => e instanceof AppError && e.code === "NO_PROVIDER",
  );
});

test("no reuse before the generation has produced the typed characters: the old one is superseded", async () => {
  let n = 0;
  const up = new FakeUpstream(() =>
    n++ === 0 ? { chunks: chunked("return a + b;", 2), firstDelayMs: 50, delayMs: 10 } : { chunks: ["eturn a - b;"] },
  );
  const engine = new CompletionEngine(up);
  const a = engine.complete(req(), never);
  await sleep(10); // nothing generated yet
  const b = await engine.complete(req({ prefix: PREFIX + "r" }), never);
  assert.equal(b.source, "model");
  assert.equal(b.completion, "eturn a - b;");
  assert.equal((await a).reason, "superseded");
  assert.equal(up.calls[0]!.aborted, true);
});

test("on services that apply the model's FIM template (Ollama), FIM families use the suffix parameter", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["return a + b;"] }));
  const ollama = Object.assign(up, { appliesFimTemplate: () => true });
  const r = await new CompletionEngine(ollama).complete(req(), never);
  assert.equal(r.template, "suffix");
  const p = up.calls[0]!.params as UpstreamCompletionParams;
  assert.equal(p.prompt, PREFIX);
  assert.equal(p.suffix, SUFFIX);
  up.modelName = "llama3.1:8b"; // a chat model stays on the chat template
  assert.equal((await new CompletionEngine(ollama).complete(req({ filepath: "/w/b.ts" }), never)).template, "chat");
});

test("reuse also works when the typed text ends in a space the model already produced", async () => {
  const up = new FakeUpstream(() => ({ chunks: ["return ", "a", " + b;"], delayMs: 80 }));
  const engine = new CompletionEngine(up);
  const a = engine.complete(req(), never);
  await sleep(110); // "return " generated
  const b = await engine.complete(req({ prefix: PREFIX + "return " }), never);
  assert.deepEqual([b.completion, b.source], ["a + b;", "inflight"]);
  await a;
  assert.equal(up.calls.length, 1);
});
