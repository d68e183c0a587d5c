/**
 * /api/providers against the real backend: CRUD, activation, test connection, the Azure
 * kind on Azure's own paths, and what survives a restart (settings yes, keys no).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import type { ProviderList, ProviderView, TestConnectionResult } from "../../server/api/providers";
import type { ApiErrorBody } from "../../server/api/errors";
import type { ReadyResponse } from "../../server/api/health";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, tempDir, type Backend } from "./helpers/backend";

const DEFAULT_KEY = "sk-default-key-1111111111111111";
const LOCAL_KEY = "sk-local-key-2222222222222222222";
const AZURE_KEY = "azure-key-33333333333333333333";

describe("provider management API", () => {
  let ai: ScriptedAI;
  let azureAi: ScriptedAI;
  let be: Backend;
  const dataDir = tempDir();

  before(async () => {
    ai = await startScriptedAI({ apiKey: LOCAL_KEY, models: ["gpt-4o-mini", "qwen2.5-coder:7b"] });
    azureAi = await startScriptedAI({ apiKey: AZURE_KEY });
    be = await startBackend({ dataDir, env: providerEnv(ai.url, { AICOCKPIT_LLM_API_KEY: DEFAULT_KEY }) });
  });
  after(async () => {
    await be?.stop();
    await ai?.close();
    await azureAi?.close();
  });

  it("starts with the environment's provider as 'default', active", async () => {
    const r = await be.call<ProviderList>("GET", "/api/providers");
    assert.equal(r.status, 200);
    assert.equal(r.body.activeId, "default");
    assert.deepEqual(r.body.providers, [
      {
        id: "default",
        name: "Default (environment)",
        kind: "custom",
        baseUrl: `${ai.url}/v1`,
        model: "gpt-4o-mini",
        timeoutMs: 60_000,
        maxRetries: 2,
        hasApiKey: true,
        active: true,
      },
    ]);
  });

  it("adds a provider; the key is write-only", async () => {
    const r = await be.call<ProviderView>("POST", "/api/providers", {
      name: "Local Qwen",
      kind: "custom",
      baseUrl: ai.url,
      model: "qwen2.5-coder:7b",
      apiKey: LOCAL_KEY,
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.id, "local-qwen");
    assert.equal(r.body.baseUrl, `${ai.url}/v1`, "a bare host gets /v1");
    assert.equal(r.body.hasApiKey, true);
    assert.equal(r.body.active, false);
    const all = await be.call<ProviderList>("GET", "/api/providers");
    assert.ok(!JSON.stringify(all.body).includes(LOCAL_KEY));
    assert.ok(!JSON.stringify(r.body).includes(LOCAL_KEY));
  });

  it("refuses invalid settings with a readable BAD_REQUEST", async () => {
    const bad = await be.call<ApiErrorBody>("POST", "/api/providers", { name: "x", kind: "azure", model: "m" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "BAD_REQUEST");
    assert.match(bad.body.error.message, /base URL is required/);
    const kind = await be.call<ApiErrorBody>("POST", "/api/providers", { name: "x", kind: "bogus", model: "m" });
    assert.equal(kind.status, 400);
    assert.match(kind.body.error.message, /kind/);
    const dup = await be.call<ApiErrorBody>("POST", "/api/providers", {
      id: "local-qwen",
      name: "again",
      kind: "custom",
      baseUrl: ai.url,
      model: "m",
    });
    assert.equal(dup.status, 400);
    assert.match(dup.body.error.message, /already exists/);
  });

  it("tests a connection: ok with latency", async () => {
    const r = await be.call<TestConnectionResult>("POST", "/api/providers/local-qwen/test");
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.model, "qwen2.5-coder:7b");
    assert.ok(typeof r.body.latencyMs === "number" && r.body.latencyMs >= 0);
    const sent = ai.completionRequests().at(-1)!;
    assert.equal(sent.headers.authorization, `Bearer ${LOCAL_KEY}`);
  });

  it("tests a connection: failure with a readable reason", async () => {
    // The default provider's key is not the one the service accepts.
    const r = await be.call<TestConnectionResult>("POST", "/api/providers/default/test");
    assert.equal(r.body.ok, false);
    assert.equal(r.body.error?.code, "PROVIDER_AUTH_FAILED");
    assert.equal(
      r.body.error?.message,
      "The AI service rejected the API key (401). Set a valid key with 'AiCockpit: Set API Key'.",
    );
    const missing = await be.call<TestConnectionResult>("POST", "/api/providers/nope/test");
    assert.equal(missing.status, 404);
  });

  it("lists a provider's models", async () => {
    const r = await be.call<{ models: string[] }>("GET", "/api/providers/local-qwen/models");
    assert.deepEqual(r.body.models, ["gpt-4o-mini", "qwen2.5-coder:7b"]);
  });

  it("activates a provider: the gateway and /ready follow it", async () => {
    const r = await be.call<ProviderList>("POST", "/api/providers/local-qwen/activate");
    assert.equal(r.body.activeId, "local-qwen");
    assert.equal(r.body.providers.find((p) => p.id === "local-qwen")?.active, true);
    const client = new OpenAI({ apiKey: be.token, baseURL: `${be.url}/v1`, maxRetries: 0 });
    ai.enqueue({ text: "from qwen" });
    const c = await client.chat.completions.create({ model: "", messages: [{ role: "user", content: "hi" }] });
    assert.equal(c.choices[0]?.message.content, "from qwen");
    assert.equal((ai.completionRequests().at(-1)!.body as { model: string }).model, "qwen2.5-coder:7b");
    const ready = await be.call<ReadyResponse>("GET", "/ready");
    assert.equal(ready.body.provider.ok, true, ready.body.provider.reason);
    assert.equal(ready.body.provider.id, "local-qwen");
    assert.equal(ready.body.provider.model, "qwen2.5-coder:7b");
    assert.match(ready.body.provider.reason, /qwen2\.5-coder:7b/);
  });

  it("updates settings; /ready says when the model is not offered", async () => {
    const r = await be.call<ProviderView>("PATCH", "/api/providers/local-qwen", {
      model: "llama-9000",
      timeoutMs: 5_000,
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.model, "llama-9000");
    assert.equal(r.body.timeoutMs, 5_000);
    assert.equal(r.body.hasApiKey, true, "a patch without apiKey keeps the key");
    const ready = await be.call<ReadyResponse>("GET", "/ready");
    assert.equal(ready.body.provider.ok, false);
    assert.match(ready.body.provider.reason, /does not offer model "llama-9000"/);
    await be.call("PATCH", "/api/providers/local-qwen", { model: "qwen2.5-coder:7b" });
  });

  it("drives the azure kind on Azure's paths with the api-key header", async () => {
    const add = await be.call<ProviderView>("POST", "/api/providers", {
      id: "azure",
      name: "Azure",
      kind: "azure",
      baseUrl: azureAi.url,
      model: "my-gpt4o-deployment",
      apiKey: AZURE_KEY,
    });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    assert.equal(add.body.apiVersion, "2024-10-21");
    const client = new OpenAI({
      apiKey: be.token,
      baseURL: `${be.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { "x-aicockpit-provider": "azure" },
    });
    azureAi.enqueue({ chunks: ["Hello ", "from ", "Azure"] });
    const stream = await client.chat.completions.create({
      model: "",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    assert.equal(text, "Hello from Azure");
    const req = azureAi.completionRequests().at(-1)!;
    assert.equal(req.path, "/openai/deployments/my-gpt4o-deployment/chat/completions");
    assert.equal(req.query["api-version"], "2024-10-21");
    assert.equal(req.headers["api-key"], AZURE_KEY);
    assert.equal(req.headers.authorization, undefined);
    const test = await be.call<TestConnectionResult>("POST", "/api/providers/azure/test");
    assert.equal(test.body.ok, true, JSON.stringify(test.body));
    // A wrong key is refused in Azure's own error shape, and still maps to auth failed.
    await be.call("PATCH", "/api/providers/azure", { apiKey: "azure-wrong-key-000000000" });
    const denied = await be.call<TestConnectionResult>("POST", "/api/providers/azure/test");
    assert.equal(denied.body.error?.code, "PROVIDER_AUTH_FAILED");
    await be.call("PATCH", "/api/providers/azure", { apiKey: AZURE_KEY });
  });

  it("drives the gemini kind with a bearer key on its OpenAI-compatible path", async () => {
    const add = await be.call<ProviderView>("POST", "/api/providers", {
      id: "gemini",
      name: "Gemini",
      kind: "gemini",
      baseUrl: `${ai.url}/v1`,
      model: "gpt-4o-mini",
      apiKey: LOCAL_KEY,
    });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    const def = await be.call<ProviderView>("POST", "/api/providers", {
      id: "gemini-default",
      name: "Gemini default",
      kind: "gemini",
      model: "gemini-2.0-flash",
    });
    assert.equal(def.body.baseUrl, "https://generativelanguage.googleapis.com/v1beta/openai");
    await be.call("DELETE", "/api/providers/gemini-default");
    const test = await be.call<TestConnectionResult>("POST", "/api/providers/gemini/test");
    assert.equal(test.body.ok, true, JSON.stringify(test.body));
    const req = ai.completionRequests().at(-1)!;
    assert.equal(req.path, "/v1/chat/completions");
    assert.equal(req.headers.authorization, `Bearer ${LOCAL_KEY}`);
    await be.call("DELETE", "/api/providers/gemini");
  });

  it("persists settings without keys in providers.json", () => {
    const text = readFileSync(join(dataDir, "providers.json"), "utf8");
    const doc = JSON.parse(text) as { activeId: string; providers: { id: string }[] };
    assert.equal(doc.activeId, "local-qwen");
    assert.deepEqual(
      doc.providers.map((p) => p.id),
      ["local-qwen", "azure"],
    );
    for (const k of [LOCAL_KEY, AZURE_KEY, DEFAULT_KEY]) assert.ok(!text.includes(k), "a key reached the disk");
    assert.ok(!/apiKey/i.test(text));
  });

  it("after a restart, settings survive but keys must be pushed again", async () => {
    await be.stop();
    be = await startBackend({ dataDir, env: providerEnv(ai.url, { AICOCKPIT_LLM_API_KEY: DEFAULT_KEY }) });
    const list = await be.call<ProviderList>("GET", "/api/providers");
    assert.equal(list.body.activeId, "local-qwen");
    const local = list.body.providers.find((p) => p.id === "local-qwen");
    assert.equal(local?.model, "qwen2.5-coder:7b");
    assert.equal(local?.hasApiKey, false);
    assert.equal(
      list.body.providers.find((p) => p.id === "default")?.hasApiKey,
      true,
      "the env key comes back from the env",
    );
    const client = new OpenAI({ apiKey: be.token, baseURL: `${be.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({ model: "", messages: [{ role: "user", content: "hi" }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.AuthenticationError);
        assert.equal((err.error as { code: string }).code, "PROVIDER_AUTH_FAILED");
        assert.match(
          (err.error as { message: string }).message,
          /requires an API key \(401\) and none is set for "Local Qwen"/,
        );
        return true;
      },
    );
    await be.call("PATCH", "/api/providers/local-qwen", { apiKey: LOCAL_KEY });
    ai.enqueue({ text: "key is back" });
    const ok = await client.chat.completions.create({ model: "", messages: [{ role: "user", content: "hi" }] });
    assert.equal(ok.choices[0]?.message.content, "key is back");
  });

  it("removes a provider; the default takes over; the default itself cannot be removed", async () => {
    const del = await be.call<{ removed: boolean }>("DELETE", "/api/providers/local-qwen");
    assert.deepEqual(del.body, { removed: true });
    const list = await be.call<ProviderList>("GET", "/api/providers");
    assert.equal(list.body.activeId, "default");
    assert.deepEqual(
      list.body.providers.map((p) => p.id),
      ["default", "azure"],
    );
    const again = await be.call<ApiErrorBody>("DELETE", "/api/providers/local-qwen");
    assert.equal(again.status, 404);
    const def = await be.call<ApiErrorBody>("DELETE", "/api/providers/default");
    assert.equal(def.status, 400);
    assert.match(def.body.error.message, /AICOCKPIT_LLM_/);
  });

  it("never writes a key to the backend's output", () => {
    for (const k of [LOCAL_KEY, AZURE_KEY, DEFAULT_KEY, "azure-wrong-key-000000000"]) {
      assert.ok(!be.stdout().includes(k) && !be.stderr().includes(k));
    }
  });
});

describe("a server without /models", () => {
  let ai: ScriptedAI;
  let be: Backend;
  before(async () => {
    ai = await startScriptedAI({ serveModels: false });
    be = await startBackend({ env: providerEnv(ai.url) });
  });
  after(async () => {
    await be?.stop();
    await ai?.close();
  });

  it("/ready falls back to reachability and says the model is unchecked", async () => {
    const ready = await be.call<ReadyResponse>("GET", "/ready");
    assert.equal(ready.body.provider.ok, true);
    assert.match(
      ready.body.provider.reason,
      /reachable \(it does not list models, so model "gpt-4o-mini" is unchecked\)/,
    );
  });

  it("/v1/models lists the configured model", async () => {
    const r = await be.call<{ data: { id: string }[] }>("GET", "/v1/models");
    assert.deepEqual(
      r.body.data.map((m) => m.id),
      ["gpt-4o-mini"],
    );
  });
});

describe("no provider configured", () => {
  let be: Backend;
  before(async () => {
    be = await startBackend();
  });
  after(async () => {
    await be?.stop();
  });

  it("the gateway answers NO_PROVIDER and /ready explains", async () => {
    const r = await be.call<ApiErrorBody>("POST", "/v1/chat/completions", {
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, "NO_PROVIDER");
    assert.ok(r.body.error.hint);
    const ready = await be.call<ReadyResponse>("GET", "/ready");
    assert.equal(ready.body.provider.ok, false);
    assert.equal(ready.body.provider.id, null);
    assert.match(ready.body.provider.reason, /No AI provider is configured/);
  });

  it("the first provider added becomes active", async () => {
    const r = await be.call<ProviderView>("POST", "/api/providers", {
      name: "OpenAI",
      kind: "openai",
      model: "gpt-4o-mini",
    });
    assert.equal(r.body.active, true);
    assert.equal(r.body.baseUrl, "https://api.openai.com/v1");
    // A hosted kind without a key fails fast, without a request.
    const t = await be.call<TestConnectionResult>("POST", `/api/providers/${r.body.id}/test`);
    assert.equal(t.body.error?.code, "PROVIDER_AUTH_FAILED");
    assert.match(t.body.error?.message ?? "", /No API key is set for the AI provider "OpenAI"/);
  });
});
