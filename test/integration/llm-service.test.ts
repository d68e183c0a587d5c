/**
 * LlmService in-process, the API other capabilities (completion, edit, chat, shell) use,
 * against the scripted AI service over real HTTP.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../server/config/env";
import { createMetrics } from "../../server/metrics";
import { createLlmService, type LlmService } from "../../server/llm/service";
import { AppError } from "../../server/errors";
import { setLogLevel } from "../../server/log";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { randomToken, tempDir } from "./helpers/backend";

const KEY = "sk-service-test-key-5555555555";

async function collect(gen: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const s of gen) out.push(s);
  return out;
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a failure");
}

describe("LlmService", () => {
  let ai: ScriptedAI;
  let llm: LlmService;

  before(async () => {
    setLogLevel("error");
    ai = await startScriptedAI({ apiKey: KEY });
    const config = loadConfig({
      AICOCKPIT_TOKEN: randomToken(),
      AICOCKPIT_DATA_DIR: tempDir(),
      AICOCKPIT_LLM_KIND: "custom",
      AICOCKPIT_LLM_BASE_URL: `${ai.url}/v1`,
      AICOCKPIT_LLM_MODEL: "gpt-4o-mini",
      AICOCKPIT_LLM_API_KEY: KEY,
    });
    llm = createLlmService(config, createMetrics(false), {
      retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1_000 },
    });
  });
  after(async () => {
    await llm?.close();
    await ai?.close();
  });
  beforeEach(() => ai.reset());

  it("active() names the env provider", () => {
    assert.deepEqual(llm.active(), { id: "default", kind: "custom", model: "gpt-4o-mini" });
  });

  it("streamChat yields the content deltas only, in order", async () => {
    ai.enqueue({ chunks: ["Hel", "lo ", "world"], chunkDelayMs: 5 });
    const parts = await collect(
      llm.streamChat(
        {
          messages: [
            { role: "system", content: "s" },
            { role: "user", content: "u" },
          ],
          maxTokens: 50,
          temperature: 0.2,
          stop: ["\n\n"],
        },
        new AbortController().signal,
      ),
    );
    assert.deepEqual(parts, ["Hel", "lo ", "world"]);
    const body = ai.completionRequests()[0]!.body as Record<string, unknown>;
    assert.equal(body.model, "gpt-4o-mini");
    assert.equal(body.max_tokens, 50, "custom servers get max_tokens");
    assert.equal(body.temperature, 0.2);
    assert.deepEqual(body.stop, ["\n\n"]);
    assert.equal(body.stream, true);
  });

  it("chat returns the whole answer", async () => {
    ai.enqueue({ text: "All of it." });
    assert.equal(
      await llm.chat({ messages: [{ role: "user", content: "q" }] }, new AbortController().signal),
      "All of it.",
    );
  });

  it("streamCompletion sends prompt + suffix (FIM) and yields text", async () => {
    ai.enqueue({ chunks: ["a +", " b"] });
    const parts = await collect(
      llm.streamCompletion(
        { prompt: "def f(a, b):\n    return ", suffix: "\n", maxTokens: 16 },
        new AbortController().signal,
      ),
    );
    assert.deepEqual(parts, ["a +", " b"]);
    const req = ai.completionRequests()[0]!;
    assert.equal(req.path, "/v1/completions");
    assert.equal((req.body as { suffix: string }).suffix, "\n");
  });

  it("complete returns the whole completion", async () => {
    ai.enqueue({ text: "x + 1" });
    assert.equal(await llm.complete({ prompt: "p" }, new AbortController().signal), "x + 1");
  });

  it("aborting the signal mid-stream cancels upstream and throws CANCELLED", async () => {
    ai.enqueue({ text: Array.from({ length: 30 }, (_, i) => `t${i}`).join(" "), chunkDelayMs: 40 });
    const ac = new AbortController();
    const err = await appError(
      (async () => {
        let n = 0;
        for await (const _ of llm.streamChat({ messages: [{ role: "user", content: "q" }] }, ac.signal)) {
          void _;
          if (++n === 2) ac.abort();
        }
      })(),
    );
    assert.equal(err.code, "CANCELLED");
    const req = await ai.waitForDisconnect(2_000);
    assert.equal(req.completed, false);
  });

  it("breaking out of the loop also releases the upstream request", async () => {
    ai.enqueue({ text: Array.from({ length: 30 }, (_, i) => `t${i}`).join(" "), chunkDelayMs: 40 });
    for await (const _ of llm.streamChat(
      { messages: [{ role: "user", content: "q" }] },
      new AbortController().signal,
    )) {
      void _;
      break;
    }
    await ai.waitForDisconnect(2_000);
  });

  it("throws AppError with the mapped code", async () => {
    ai.enqueue({ status: 404, error: { code: "model_not_found" } });
    const err = await appError(
      llm.chat({ messages: [{ role: "user", content: "q" }], model: "nope" }, new AbortController().signal),
    );
    assert.equal(err.code, "PROVIDER_MODEL_NOT_FOUND");
    assert.match(err.message, /"nope"/);
    ai.enqueue({ status: 503 }, { status: 503 }, { status: 503 });
    const down = await appError(
      collect(llm.streamChat({ messages: [{ role: "user", content: "q" }] }, new AbortController().signal)),
    );
    assert.equal(down.code, "PROVIDER_UNREACHABLE");
    assert.equal(ai.completionRequests().length, 4);
  });

  it("unknown providerId → NOT_FOUND", async () => {
    const err = await appError(
      llm.chat({ messages: [{ role: "user", content: "q" }], providerId: "ghost" }, new AbortController().signal),
    );
    assert.equal(err.code, "NOT_FOUND");
  });

  it("azure: skips the empty-choices opening chunk and sends max_completion_tokens", async () => {
    const az = await startScriptedAI({ apiKey: "azure-service-key-00000000" });
    try {
      llm.registry.add({
        id: "az",
        name: "Azure",
        kind: "azure",
        baseUrl: az.url,
        model: "dep-1",
        apiKey: "azure-service-key-00000000",
      });
      az.enqueue({ chunks: ["from ", "azure"] });
      const parts = await collect(
        llm.streamChat(
          { messages: [{ role: "user", content: "q" }], providerId: "az", maxTokens: 7 },
          new AbortController().signal,
        ),
      );
      assert.deepEqual(parts, ["from ", "azure"]);
      const req = az.completionRequests()[0]!;
      assert.equal(req.deployment, "dep-1");
      assert.equal((req.body as { max_completion_tokens: number }).max_completion_tokens, 7);
    } finally {
      await az.close();
    }
  });
});
