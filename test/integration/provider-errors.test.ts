/**
 * Each upstream failure class, through the real backend: the right code, a message a user
 * can act on, retries where (and only where) they belong, and no key in any of it.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import OpenAI from "openai";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "./helpers/backend";

const KEY = "sk-errors-test-key-abcdefghijkl";
const WRONG_KEY = "sk-wrong-key-zyxwvutsrqponmlk";

interface ErrBody {
  error: { code: string; message: string; hint?: string };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function messages(content = "q"): OpenAI.ChatCompletionMessageParam[] {
  return [{ role: "user", content }];
}

describe("provider errors through the gateway", () => {
  let ai: ScriptedAI;
  let be: Backend;
  let client: OpenAI;
  const via = (provider: string) =>
    new OpenAI({
      apiKey: be.token,
      baseURL: `${be.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { "x-aicockpit-provider": provider },
    });

  async function failure(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof OpenAI.APIError, `expected an APIError, got ${String(err)}`);
      return err;
    }
    assert.fail("expected the request to fail");
  }

  before(async () => {
    ai = await startScriptedAI({ apiKey: KEY, strictModels: true });
    be = await startBackend({ env: providerEnv(ai.url, { AICOCKPIT_LLM_API_KEY: KEY }) });
    client = new OpenAI({ apiKey: be.token, baseURL: `${be.url}/v1`, maxRetries: 0 });
    const add = async (body: Record<string, unknown>) => {
      const r = await be.call("POST", "/api/providers", body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
    };
    await add({
      id: "badkey",
      name: "Bad key",
      kind: "custom",
      baseUrl: `${ai.url}/v1`,
      model: "gpt-4o-mini",
      apiKey: WRONG_KEY,
    });
    await add({
      id: "down",
      name: "Down",
      kind: "custom",
      baseUrl: `http://127.0.0.1:${await freePort()}/v1`,
      model: "m",
      maxRetries: 1,
    });
    await add({
      id: "slow",
      name: "Slow",
      kind: "custom",
      baseUrl: `${ai.url}/v1`,
      model: "gpt-4o-mini",
      apiKey: KEY,
      timeoutMs: 600,
    });
  });
  after(async () => {
    await be?.stop();
    await ai?.close();
  });
  beforeEach(() => ai.reset());

  it("401 → PROVIDER_AUTH_FAILED with a message that says what to do, never the key", async () => {
    const err = await failure(via("badkey").chat.completions.create({ model: "gpt-4o-mini", messages: messages() }));
    assert.equal(err.status, 401);
    const body = err.error as ErrBody["error"];
    assert.equal(body.code, "PROVIDER_AUTH_FAILED");
    assert.equal(
      body.message,
      "The AI service rejected the API key (401). Set a valid key with 'AiCockpit: Set API Key'.",
    );
    // The fixture, like OpenAI, echoes a masked key fragment; it must not be relayed.
    assert.ok(!JSON.stringify(body).includes(WRONG_KEY.slice(-4)), JSON.stringify(body));
    assert.equal(ai.completionRequests().length, 1, "auth failures are not retried");
  });

  it("404 model → PROVIDER_MODEL_NOT_FOUND naming the model", async () => {
    const err = await failure(client.chat.completions.create({ model: "gpt-9-imaginary", messages: messages() }));
    assert.equal(err.status, 404);
    const body = err.error as ErrBody["error"];
    assert.equal(body.code, "PROVIDER_MODEL_NOT_FOUND");
    assert.match(body.message, /does not know the model "gpt-9-imaginary" \(404\)/);
    assert.ok(body.hint);
  });

  it("429 is retried (honouring retry-after), then reported as PROVIDER_RATE_LIMITED", async () => {
    for (let i = 0; i < 3; i++) ai.enqueue({ status: 429, headers: { "retry-after": "0" } });
    const err = await failure(client.chat.completions.create({ model: "gpt-4o-mini", messages: messages() }));
    assert.equal(err.status, 429);
    assert.equal((err.error as ErrBody["error"]).code, "PROVIDER_RATE_LIMITED");
    assert.match((err.error as ErrBody["error"]).message, /rate-limiting requests \(429\)/);
    assert.equal(ai.completionRequests().length, 3, "1 attempt + 2 retries");
    assert.equal(err.headers?.get("x-should-retry"), "false", "clients must not multiply our retries");
  });

  it("429 followed by success returns the answer", async () => {
    ai.enqueue({ status: 429, headers: { "retry-after": "0" } }, { text: "after the limit" });
    const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages: messages() });
    assert.equal(r.choices[0]?.message.content, "after the limit");
    assert.equal(ai.completionRequests().length, 2);
  });

  it("500 is retried with backoff; a following success streams normally", async () => {
    ai.enqueue({ status: 500 }, { chunks: ["rec", "overed"] });
    const started = Date.now();
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: messages(), stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    assert.equal(text, "recovered");
    const reqs = ai.completionRequests();
    assert.equal(reqs.length, 2);
    assert.ok(reqs[1]!.receivedAt - reqs[0]!.receivedAt >= 90, "the retry waited (backoff)");
    assert.ok(Date.now() - started < 3_000);
  });

  it("500 on every attempt → PROVIDER_ERROR after 3 attempts", async () => {
    for (let i = 0; i < 3; i++) ai.enqueue({ status: 500 });
    const err = await failure(client.chat.completions.create({ model: "gpt-4o-mini", messages: messages() }));
    assert.equal((err.error as ErrBody["error"]).code, "PROVIDER_ERROR");
    assert.match((err.error as ErrBody["error"]).message, /internal error \(500\)/);
    assert.equal(ai.completionRequests().length, 3);
  });

  it("nothing listening → PROVIDER_UNREACHABLE (connection refused)", async () => {
    const err = await failure(via("down").chat.completions.create({ model: "m", messages: messages() }));
    const body = err.error as ErrBody["error"];
    assert.equal(body.code, "PROVIDER_UNREACHABLE");
    assert.match(body.message, /^Cannot reach the AI service at 127\.0\.0\.1:\d+ \(connection refused\)\.$/);
  });

  it("no answer within the provider timeout → PROVIDER_TIMEOUT, upstream aborted", async () => {
    ai.enqueue({ text: "too late", latencyMs: 2_500 });
    const started = Date.now();
    const err = await failure(via("slow").chat.completions.create({ model: "gpt-4o-mini", messages: messages() }));
    assert.equal(err.status, 504);
    const body = err.error as ErrBody["error"];
    assert.equal(body.code, "PROVIDER_TIMEOUT");
    assert.match(body.message, /did not answer within 0\.6 s/);
    assert.ok(Date.now() - started < 1_900, "timeouts are not retried into a long wait");
    await ai.waitForDisconnect(2_000);
  });

  it("a stream whose first token is late also times out", async () => {
    ai.enqueue({ text: "late", latencyMs: 2_500 });
    const err = await failure(
      via("slow").chat.completions.create({ model: "gpt-4o-mini", messages: messages(), stream: true }),
    );
    assert.equal((err.error as ErrBody["error"]).code, "PROVIDER_TIMEOUT");
  });

  it("a slow stream is fine once the first token arrived within the timeout", async () => {
    // Each gap (250 ms) is shorter than the timeout, the whole stream (1 s) longer.
    ai.enqueue({ chunks: ["a", "b", "c", "d"], chunkDelayMs: 250 });
    const stream = await via("slow").chat.completions.create({
      model: "gpt-4o-mini",
      messages: messages(),
      stream: true,
    });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    assert.equal(text, "abcd");
  });

  it("a malformed chunk mid-stream → an error event with PROVIDER_BAD_RESPONSE", async () => {
    ai.enqueue({ chunks: ["good ", "then bad"], malformedAfterChunks: 1 });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: messages(), stream: true });
    let text = "";
    const err = await failure(
      (async () => {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
      })(),
    );
    assert.equal(text, "good ");
    assert.equal((err.error as ErrBody["error"]).code, "PROVIDER_BAD_RESPONSE");
    assert.match((err.error as ErrBody["error"]).message, /not valid OpenAI-compatible output/);
  });

  it("a malformed first chunk → HTTP 502 PROVIDER_BAD_RESPONSE (nothing streamed yet)", async () => {
    ai.enqueue({ chunks: ["x"], malformedAfterChunks: 0 });
    const err = await failure(client.completions.create({ model: "gpt-4o-mini", prompt: "p", stream: true }));
    assert.equal(err.status, 502);
    assert.equal((err.error as ErrBody["error"]).code, "PROVIDER_BAD_RESPONSE");
  });

  it("a non-JSON non-stream body → PROVIDER_BAD_RESPONSE", async () => {
    ai.enqueue({ text: "x", malformedAfterChunks: 0 });
    const err = await failure(client.chat.completions.create({ model: "gpt-4o-mini", messages: messages() }));
    assert.equal((err.error as ErrBody["error"]).code, "PROVIDER_BAD_RESPONSE");
  });

  it("a connection dropped mid-stream → error event PROVIDER_UNREACHABLE; not retried after tokens", async () => {
    ai.enqueue({ chunks: ["one ", "two ", "three"], dropAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: messages(), stream: true });
    let text = "";
    const err = await failure(
      (async () => {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
      })(),
    );
    assert.equal(text, "one two ");
    assert.equal((err.error as ErrBody["error"]).code, "PROVIDER_UNREACHABLE");
    assert.match((err.error as ErrBody["error"]).message, /dropped before the response was complete/);
    assert.equal(ai.completionRequests().length, 1, "no retry once tokens reached the client");
  });

  it("a connection dropped before the first token is retried", async () => {
    ai.enqueue({ chunks: ["never"], dropAfterChunks: 0 }, { chunks: ["second ", "try"] });
    const stream = await client.completions.create({ model: "gpt-4o-mini", prompt: "p", stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.text ?? "";
    assert.equal(text, "second try");
    assert.equal(ai.completionRequests().length, 2);
  });

  it("/ready names the reason when the active provider is down, and recovers", async () => {
    await be.call("POST", "/api/providers/down/activate");
    const down = await be.call<{ ready: boolean; provider: { ok: boolean; id: string; reason: string } }>(
      "GET",
      "/ready",
    );
    assert.equal(down.body.provider.ok, false);
    assert.equal(down.body.provider.id, "down");
    assert.match(
      down.body.provider.reason,
      /^Cannot reach the AI service at 127\.0\.0\.1:\d+ \(connection refused\)\.$/,
    );
    await be.call("POST", "/api/providers/default/activate");
    const up = await be.call<{ provider: { ok: boolean; reason: string } }>("GET", "/ready");
    assert.equal(up.body.provider.ok, true, up.body.provider.reason);
  });

  it("unknown X-AiCockpit-Provider → 404 NOT_FOUND naming the id", async () => {
    const err = await failure(via("ghost").chat.completions.create({ model: "m", messages: messages() }));
    assert.equal(err.status, 404);
    assert.match((err.error as ErrBody["error"]).message, /no AI provider with id "ghost"/);
  });

  it("counts errors by code in /metrics without any key in it", async () => {
    const m = await be.call<string>("GET", "/metrics");
    assert.match(
      m.body,
      /aicockpit_provider_errors_total\{provider="badkey",kind="custom",code="PROVIDER_AUTH_FAILED"\} [1-9]/,
    );
    assert.match(
      m.body,
      /aicockpit_provider_errors_total\{provider="default",kind="custom",code="PROVIDER_RATE_LIMITED"\} [1-9]/,
    );
    for (const secret of [KEY, WRONG_KEY, be.token]) {
      assert.ok(!m.body.includes(secret), "a secret leaked into /metrics");
      assert.ok(
        !be.stdout().includes(secret) && !be.stderr().includes(secret),
        "a secret leaked into the backend output",
      );
    }
  });
});
