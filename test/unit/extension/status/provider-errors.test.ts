/**
 * Each provider error class, produced for real (real backend + scripted AI service), reaches
 * the user as the right status bar text / notification with the right fix. The status check
 * path (GET /ready, classified) and the Test Connection path (POST /test → describeError) are
 * the exact functions the extension uses.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { BackendClient } from "../../../../extension/backend/client";
import { backendEnv, type AiCockpitSettings } from "../../../../extension/backend/backend-env";
import { describeError, statusView } from "../../../../extension/backend/status-model";
import { checkProvider } from "../../../../extension/status/provider-check";
import { startScriptedAI, type ScriptedAI } from "../../../fixtures/scripted-ai";
import { backendTestEnv, nextEvent, realBackend } from "../backend/real-backend";

const KEY = "sk-test-0123456789abcdef";
let ai: ScriptedAI;
let settings: AiCockpitSettings;
let apiKey: string | undefined;
let problems: string[] = [];

const backend = realBackend({
  env: async () => {
    const r = backendEnv(settings, apiKey, backendTestEnv().AICOCKPIT_DATA_DIR!, backendTestEnv());
    problems = r.problems;
    return r.env;
  },
});
const client = new BackendClient(() => backend.sup.current());

async function configure(s: Partial<AiCockpitSettings>, key: string | undefined = KEY): Promise<void> {
  settings = {
    kind: "custom",
    baseUrl: `${ai.url}/v1`,
    model: "scripted-coder",
    azureApiVersion: "",
    requestTimeoutMs: 30_000, // generous: a loaded CI box must not turn "model not found" into a timeout
    idleTimeoutMs: 30_000,
    httpsProxy: "",
    caFile: "",
    logLevel: "info",
    ...s,
  };
  apiKey = key;
  ai.reset();
  const ready = nextEvent(backend.sup, "ready");
  await backend.sup.restart();
  await ready;
}

async function statusNow() {
  return statusView({ kind: "ready", check: await checkProvider(client, problems) });
}

async function testConnectionMessage() {
  const t = await client.call("POST /api/providers/:id/test", { params: { id: "default" } });
  assert.equal(t.ok, false, "test connection should fail");
  return describeError(t.error!);
}

before(async () => {
  ai = await startScriptedAI({ apiKey: KEY, models: ["scripted-coder"], strictModels: true });
});
after(async () => {
  await backend.sup.stop();
  await ai.close();
});

test("healthy: ready with the model name", async () => {
  await configure({});
  const v = await statusNow();
  assert.equal(v.text, "$(check) AiCockpit: scripted-coder");
  assert.equal(v.severity, "ok");
});

test("NO_PROVIDER: settings incomplete → a neutral 'set up a model' (no error, no toast) with the reason, click opens setup", async () => {
  await configure({ model: "" });
  const v = await statusNow();
  assert.equal(v.key, "setup");
  assert.equal(v.text, "$(sparkle) AiCockpit: set up a model");
  assert.equal(v.severity, "idle");
  assert.equal(v.notification, undefined, "not configured yet is no reason for a toast");
  assert.match(v.tooltip, /No model is set/);
  assert.equal(v.command.id, "aicockpit.setup");
});

test("PROVIDER_AUTH_FAILED: wrong key → 'API key rejected', click sets the key", async () => {
  await configure({}, "sk-wrong-0000000000000000");
  const v = await statusNow();
  assert.equal(v.key, "provider:PROVIDER_AUTH_FAILED");
  assert.equal(v.text, "$(error) AiCockpit: API key rejected");
  assert.equal(v.command.id, "aicockpit.setApiKey");
  assert.ok(!v.tooltip.includes("sk-wrong-0000000000000000"), "the key never reaches the UI");
  assert.match((await testConnectionMessage()).message, /^AiCockpit: API key rejected\. /);
});

test("PROVIDER_MODEL_NOT_FOUND: unknown model → 'model not found', click selects a model", async () => {
  await configure({ model: "no-such-model" });
  const v = await statusNow();
  assert.equal(v.key, "provider:PROVIDER_MODEL_NOT_FOUND");
  assert.equal(v.text, "$(error) AiCockpit: model not found");
  assert.equal(v.command.id, "aicockpit.selectModel");
  assert.match(v.tooltip, /no-such-model/);
});

test("PROVIDER_UNREACHABLE: nothing listens at the base URL → 'AI service unreachable', click opens the base URL", async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  await configure({ baseUrl: `http://127.0.0.1:${port}/v1` });
  const v = await statusNow();
  assert.equal(v.key, "provider:PROVIDER_UNREACHABLE");
  assert.equal(v.text, "$(error) AiCockpit: AI service unreachable");
  assert.deepEqual(v.command.args, ["aicockpit.provider.baseUrl"]);
});

test("PROVIDER_RATE_LIMITED: 429 on Test Connection → 'rate limited' notification, retry offered", async () => {
  await configure({});
  ai.enqueue({ status: 429, headers: { "retry-after": "0" } });
  const d = await testConnectionMessage();
  assert.match(d.message, /^AiCockpit: rate limited\. /);
  assert.equal(d.fix.id, "aicockpit.testConnection");
});

test("PROVIDER_TIMEOUT: a service slower than the timeout → 'AI service timed out', click opens the timeout", async () => {
  await configure({ requestTimeoutMs: 300 });
  ai.enqueue({ text: "late", latencyMs: 3_000 });
  const d = await testConnectionMessage();
  assert.match(d.message, /^AiCockpit: AI service timed out\. /);
  assert.deepEqual(d.fix.args, ["aicockpit.provider.requestTimeoutMs"]);
});
