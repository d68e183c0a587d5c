/**
 * The /v1 pass-through, driven by the official `openai` client against the real backend
 * process, which forwards to the scripted AI service.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "./helpers/backend";

const KEY = "sk-gateway-test-key-0123456789";

describe("OpenAI-compatible gateway", () => {
  let ai: ScriptedAI;
  let be: Backend;
  let client: OpenAI;

  before(async () => {
    ai = await startScriptedAI({ apiKey: KEY });
    be = await startBackend({ env: providerEnv(ai.url, { AICOCKPIT_LLM_API_KEY: KEY }) });
    client = new OpenAI({ apiKey: be.token, baseURL: `${be.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await be?.stop();
    await ai?.close();
  });
  beforeEach(() => ai.reset());

  it("streams a chat completion token by token, as the chunks arrive", async () => {
    ai.enqueue({ chunks: ["The ", "quick ", "brown ", "fox ", "jumps"], chunkDelayMs: 80 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "go" }],
      stream: true,
    });
    const arrivals: { text: string; at: number }[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, "chat.completion.chunk");
      const c = chunk.choices[0];
      if (c?.delta.content) arrivals.push({ text: c.delta.content, at: performance.now() });
      if (c?.finish_reason) finish = c.finish_reason;
    }
    assert.deepEqual(
      arrivals.map((a) => a.text),
      ["The ", "quick ", "brown ", "fox ", "jumps"],
    );
    assert.equal(finish, "stop");
    // Had the gateway buffered, the chunks would land together. Each should trail the last
    // by about the scripted delay; on a loaded machine a starved process may merge a pair or two
    // (seen in CI: 7.8, 75.3, 204.1, 11.9 ms), so ask for half the gaps spaced plus the span below.
    const gaps = arrivals.slice(1).map((a, i) => a.at - arrivals[i]!.at);
    const spaced = gaps.filter((g) => g >= 40).length;
    assert.ok(
      spaced >= gaps.length / 2,
      `gaps between chunks were ${gaps.map((g) => g.toFixed(1)).join(", ")} ms; expected ~80 ms each`,
    );
    // 4 gaps of 80 ms; with one merged pair the span is ~240 ms, so ask for two gaps' worth.
    assert.ok(arrivals.at(-1)!.at - arrivals[0]!.at >= 160, "the chunks arrived over the scripted time, not at once");
    const upstream = ai.completionRequests()[0]!;
    assert.equal(
      upstream.headers.authorization,
      `Bearer ${KEY}`,
      "the provider key goes upstream, not the backend token",
    );
    assert.equal((upstream.body as { stream: boolean }).stream, true);
  });

  it("aborts the upstream request when the client goes away mid-stream", async () => {
    ai.enqueue({ text: Array.from({ length: 40 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 50 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "long" }],
      stream: true,
    });
    let seen = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) seen++;
      if (seen === 2) break; // leaving the loop aborts the client's HTTP request
    }
    const req = await ai.waitForDisconnect(3_000);
    assert.equal(req.disconnected, true);
    assert.equal(req.completed, false, "the upstream reply must not have run to the end");
  });

  it("aborts a non-stream upstream request too when the client gives up", async () => {
    ai.enqueue({ text: "slow", latencyMs: 3_000 });
    const ac = new AbortController();
    const pending = client.chat.completions.create(
      { model: "gpt-4o-mini", messages: [{ role: "user", content: "q" }] },
      { signal: ac.signal },
    );
    await ai.waitForRequests(1);
    ac.abort();
    await assert.rejects(pending);
    const req = await ai.waitForDisconnect(2_000);
    assert.equal(req.completed, false);
  });

  it("answers non-stream chat completions with OpenAI's shape", async () => {
    ai.enqueue({ text: "Plain answer." });
    const r = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "q" }],
    });
    assert.equal(r.object, "chat.completion");
    assert.equal(r.choices[0]?.message.content, "Plain answer.");
    assert.equal(r.choices[0]?.finish_reason, "stop");
    assert.ok(r.usage && r.usage.total_tokens > 0);
  });

  it("forwards /v1/completions with prompt and suffix (FIM), stream and non-stream", async () => {
    ai.enqueue({ text: "return a + b" });
    const r = await client.completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "def add(a, b):\n    ",
      suffix: "\n\nprint(add(1, 2))",
      max_tokens: 20,
    });
    assert.equal(r.object, "text_completion");
    assert.equal(r.choices[0]?.text, "return a + b");
    const sent = ai.completionRequests()[0]!.body as { prompt: string; suffix: string; max_tokens: number };
    assert.equal(sent.suffix, "\n\nprint(add(1, 2))");
    assert.equal(sent.max_tokens, 20);

    ai.enqueue({ chunks: ["return ", "a ", "+ b"], chunkDelayMs: 10 });
    const stream = await client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "x", stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.text ?? "";
    assert.equal(text, "return a + b");
  });

  it("lists the active provider's models on /v1/models", async () => {
    const list = await client.models.list();
    assert.deepEqual(list.data.map((m) => m.id).sort(), ["gpt-3.5-turbo-instruct", "gpt-4o-mini", "scripted-fim"]);
  });

  it("uses the provider's configured model when the caller sends none or 'default'", async () => {
    ai.enqueue({ text: "ok" });
    await client.chat.completions.create({ model: "default", messages: [{ role: "user", content: "q" }] });
    assert.equal((ai.completionRequests()[0]!.body as { model: string }).model, "gpt-4o-mini");
  });

  it("passes usage chunks through when the client asks for them", async () => {
    ai.enqueue({ text: "one two" });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "q" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) if (c.usage) usage = c.usage;
    assert.ok(usage && usage.completion_tokens === 2, `usage was ${JSON.stringify(usage)}`);
  });

  it("ends the stream with [DONE] even when the service omits it", async () => {
    ai.enqueue({ text: "a b", omitDone: true });
    const res = await fetch(`${be.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${be.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "q" }], stream: true }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const text = await res.text();
    assert.ok(text.endsWith("data: [DONE]\n\n"), `stream ended with ${JSON.stringify(text.slice(-40))}`);
    for (const block of text.trim().split("\n\n")) assert.match(block, /^data: /);
  });

  it("reads its own body: invalid JSON or a non-JSON type → 400, oversized with a declared length → 413", async () => {
    const send = (body: string, type: string) =>
      fetch(`${be.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${be.token}`, "content-type": type },
        body,
      });
    const bad = await send("{not json", "application/json");
    assert.equal(bad.status, 400);
    assert.equal(
      ((await bad.json()) as { error: { code: string; message: string } }).error.message,
      "Request body is not valid JSON.",
    );
    const text = await send("hello", "text/plain");
    assert.equal(text.status, 400);
    assert.match(
      ((await text.json()) as { error: { message: string } }).error.message,
      /Content-Type: application\/json/,
    );
    const big = await send(
      JSON.stringify({ messages: [{ role: "user", content: "x".repeat(5 * 1024 * 1024) }] }),
      "application/json",
    );
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, "PAYLOAD_TOO_LARGE");
    assert.equal(ai.completionRequests().length, 0);
  });

  it("rejects bodies without messages/prompt as BAD_REQUEST", async () => {
    const r = await be.call<{ error: { code: string } }>("POST", "/v1/chat/completions", { model: "x" });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "BAD_REQUEST");
  });

  it("records provider latency and time-to-first-token in /metrics", async () => {
    ai.enqueue({ text: "metrics please" });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "q" }],
      stream: true,
    });
    for await (const _ of stream) void _;
    const m = await be.call<string>("GET", "/metrics");
    assert.match(
      m.body,
      /aicockpit_provider_time_to_first_token_seconds_count\{provider="default",kind="custom"\} [1-9]/,
    );
    assert.match(
      m.body,
      /aicockpit_provider_request_duration_seconds_count\{provider="default",kind="custom",outcome="ok"\} [1-9]/,
    );
    // Served ahead of express (http/front.ts), still counted under its route.
    assert.match(
      m.body,
      /aicockpit_http_requests_total\{method="POST",route="\/v1\/chat\/completions",status="200"\} [1-9]/,
    );
  });
});
