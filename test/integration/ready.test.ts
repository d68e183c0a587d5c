/** `/ready` classifies provider failures with a stable code, so clients can point at the fix. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend } from "./helpers/backend";
import type { ReadyResponse } from "../../server/api/health";

async function ready(env: Record<string, string>): Promise<ReadyResponse["provider"]> {
  const backend = await startBackend({ env });
  try {
    const r = await backend.call<ReadyResponse>("GET", "/ready");
    assert.equal(r.status, 200);
    return r.body.provider;
  } finally {
    await backend.stop();
  }
}

test("/ready: ok, wrong key, unknown model, nothing configured, unreachable", async () => {
  const ai = await startScriptedAI({ apiKey: "sk-right-key-123456", models: ["m1"], strictModels: true });
  try {
    const ok = await ready(
      providerEnv(ai.url, { AICOCKPIT_LLM_MODEL: "m1", AICOCKPIT_LLM_API_KEY: "sk-right-key-123456" }),
    );
    assert.equal(ok.ok, true);
    assert.equal(ok.code, undefined);

    const auth = await ready(
      providerEnv(ai.url, { AICOCKPIT_LLM_MODEL: "m1", AICOCKPIT_LLM_API_KEY: "sk-wrong-key-123456" }),
    );
    assert.equal(auth.ok, false);
    assert.equal(auth.code, "PROVIDER_AUTH_FAILED");
    assert.ok(!JSON.stringify(auth).includes("sk-wrong-key-123456"), "key not echoed");

    const model = await ready(
      providerEnv(ai.url, { AICOCKPIT_LLM_MODEL: "nope", AICOCKPIT_LLM_API_KEY: "sk-right-key-123456" }),
    );
    assert.equal(model.code, "PROVIDER_MODEL_NOT_FOUND");
    assert.match(model.reason, /nope/);
  } finally {
    await ai.close();
  }
  const none = await ready({});
  assert.equal(none.code, "NO_PROVIDER");
  const down = await ready(providerEnv("http://127.0.0.1:9"));
  assert.equal(down.code, "PROVIDER_UNREACHABLE");
});
