import { test } from "node:test";
import assert from "node:assert/strict";
import { backendEnv, type AiCockpitSettings } from "../../../../extension/backend/backend-env";
import { loadConfig } from "../../../../server/config/env";

const base: AiCockpitSettings = {
  kind: "openai",
  baseUrl: "",
  model: "gpt-4o-mini",
  azureApiVersion: "",
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 20_000,
  httpsProxy: "",
  caFile: "",
  logLevel: "info",
};

test("a complete provider becomes the backend's default provider (checked with the backend's own config loader)", () => {
  const { env, problems } = backendEnv(
    {
      ...base,
      kind: "azure",
      baseUrl: "https://r.openai.azure.com",
      model: "dep",
      azureApiVersion: "2024-10-21",
      httpsProxy: "http://proxy:3128",
      caFile: "/etc/ca.pem",
      logLevel: "debug",
    },
    "sk-secret-key-123456",
    "/data",
    { PATH: "/bin", AICOCKPIT_LLM_MODEL: "inherited", AICOCKPIT_TOKEN: "inherited", https_proxy: "http://old:1" },
  );
  assert.deepEqual(problems, []);
  assert.equal(env.PATH, "/bin");
  assert.equal(env.https_proxy, undefined);
  assert.equal(env.ELECTRON_RUN_AS_NODE, "1");
  const cfg = loadConfig({ ...env, AICOCKPIT_TOKEN: "t".repeat(32) });
  assert.deepEqual(cfg.defaultProvider, {
    kind: "azure",
    baseUrl: "https://r.openai.azure.com",
    model: "dep",
    apiKey: "sk-secret-key-123456",
    apiVersion: "2024-10-21",
  });
  assert.equal(cfg.dataDir, "/data");
  assert.equal(cfg.requestTimeoutMs, 30_000);
  assert.equal(cfg.llmIdleTimeoutMs, 20_000, "the idle timeout setting reaches the backend");
  assert.equal(cfg.httpsProxy, "http://proxy:3128");
  assert.equal(cfg.caFile, "/etc/ca.pem");
  assert.equal(cfg.logLevel, "debug");
});

test("inherited AICOCKPIT_* never reach the backend; settings are the only source", () => {
  const { env } = backendEnv({ ...base, model: "" }, undefined, "/d", {
    AICOCKPIT_LLM_BASE_URL: "http://evil",
    AICOCKPIT_LLM_API_KEY: "k",
  });
  assert.equal(env.AICOCKPIT_LLM_BASE_URL, undefined);
  assert.equal(env.AICOCKPIT_LLM_API_KEY, undefined);
});

test("an incomplete provider is left out with a reason, so the backend still starts", () => {
  const cases: Array<[Partial<AiCockpitSettings>, RegExp]> = [
    [{ model: "  " }, /No model is set/],
    [{ kind: "custom", baseUrl: "" }, /"custom" needs a base URL/],
    [{ kind: "azure", baseUrl: "" }, /"azure" needs a base URL/],
    [{ baseUrl: "ftp://x" }, /not an http\(s\) URL/],
  ];
  for (const [over, why] of cases) {
    const { env, problems } = backendEnv({ ...base, ...over }, "key-123456", "/d", {});
    assert.match(problems.join(" "), why);
    assert.equal(env.AICOCKPIT_LLM_MODEL, undefined);
    assert.equal(env.AICOCKPIT_LLM_API_KEY, undefined);
    assert.doesNotThrow(() => loadConfig({ ...env, AICOCKPIT_TOKEN: "t".repeat(32) }));
  }
});

test("gemini/openai need no base URL; empty key is not passed; timeout is clamped to the backend's range", () => {
  const { env, problems } = backendEnv({ ...base, kind: "gemini", requestTimeoutMs: 10 }, "", "/d", {});
  assert.deepEqual(problems, []);
  assert.equal(env.AICOCKPIT_LLM_KIND, "gemini");
  assert.equal(env.AICOCKPIT_LLM_BASE_URL, undefined);
  assert.equal(env.AICOCKPIT_LLM_API_KEY, undefined);
  assert.equal(env.AICOCKPIT_LLM_TIMEOUT_MS, "100");
  assert.equal(
    backendEnv({ ...base, requestTimeoutMs: 1e9 }, undefined, "/d", {}).env.AICOCKPIT_LLM_TIMEOUT_MS,
    "3600000",
  );
  assert.equal(
    backendEnv({ ...base, kind: "openai", azureApiVersion: "2024" }, undefined, "/d", {}).env.AICOCKPIT_LLM_API_VERSION,
    undefined,
  );
});

test("host network for workspaces reaches the backend only when the user setting is on", () => {
  assert.equal(
    backendEnv(base, undefined, "/d", { AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK: "1" }).env
      .AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK,
    undefined,
  );
  const on = backendEnv({ ...base, allowHostNetwork: true }, undefined, "/d", {}).env;
  assert.equal(loadConfig({ ...on, AICOCKPIT_TOKEN: "t".repeat(32) }).allowHostNetwork, true);
  assert.equal(
    loadConfig({ ...backendEnv(base, undefined, "/d", {}).env, AICOCKPIT_TOKEN: "t".repeat(32) }).allowHostNetwork,
    false,
  );
});

test("the idle timeout setting is clamped to the backend's accepted range", () => {
  assert.equal(backendEnv({ ...base, idleTimeoutMs: 5 }, undefined, "/d", {}).env.AICOCKPIT_LLM_IDLE_TIMEOUT_MS, "100");
  assert.equal(
    backendEnv({ ...base, idleTimeoutMs: Number.NaN }, undefined, "/d", {}).env.AICOCKPIT_LLM_IDLE_TIMEOUT_MS,
    "30000",
  );
  assert.throws(
    () => loadConfig({ AICOCKPIT_TOKEN: "t".repeat(32), AICOCKPIT_LLM_IDLE_TIMEOUT_MS: "soon" }),
    /AICOCKPIT_LLM_IDLE_TIMEOUT_MS must be a whole number/,
  );
});

test("the built-in model: kind local runs the GGUF path (or the catalog id), with threads, context and idle unload", () => {
  const local = { modelPath: "", threads: 1, contextSize: 2048, idleUnloadSeconds: 0 };
  const byId = backendEnv(
    { ...base, kind: "local", model: "qwen2.5-coder-0.5b-instruct-q8_0", local },
    "sk-x",
    "/d",
    {},
  );
  assert.deepEqual(byId.problems, []);
  assert.equal(byId.env.AICOCKPIT_LLM_KIND, "local");
  assert.equal(byId.env.AICOCKPIT_LLM_MODEL, "qwen2.5-coder-0.5b-instruct-q8_0");
  assert.equal(byId.env.AICOCKPIT_LLM_API_KEY, undefined, "no key goes to the built-in model");
  assert.equal(byId.env.AICOCKPIT_LOCAL_THREADS, "1");
  assert.equal(byId.env.AICOCKPIT_LOCAL_CONTEXT_SIZE, "2048");
  assert.equal(byId.env.AICOCKPIT_LOCAL_IDLE_UNLOAD_SECONDS, "0");
  const cfg = loadConfig({ ...byId.env, AICOCKPIT_TOKEN: "t".repeat(32) });
  assert.deepEqual(cfg.defaultProvider, { kind: "local", model: "qwen2.5-coder-0.5b-instruct-q8_0" });

  const byPath = backendEnv(
    {
      ...base,
      kind: "local",
      baseUrl: "http://ignored:1/v1",
      local: { ...local, modelPath: "/models/my.gguf", contextSize: 1e9 },
    },
    undefined,
    "/d",
    {},
  );
  assert.equal(byPath.env.AICOCKPIT_LLM_MODEL, "/models/my.gguf", "a chosen file wins over provider.model");
  assert.equal(byPath.env.AICOCKPIT_LLM_BASE_URL, undefined);
  assert.equal(byPath.env.AICOCKPIT_LOCAL_CONTEXT_SIZE, "32768", "clamped to what the backend accepts");

  const none = backendEnv({ ...base, kind: "local", model: "", local }, undefined, "/d", {});
  assert.match(none.problems.join(" "), /No local model is chosen/);
});

test("the model host and catalog overrides reach the backend; other AICOCKPIT_* of the extension host do not", () => {
  const { env } = backendEnv(base, undefined, "/d", {
    AICOCKPIT_LOCAL_MODEL_BASE_URL: "http://127.0.0.1:9/mirror",
    AICOCKPIT_LOCAL_MODEL_CATALOG: "/tmp/catalog.json",
    AICOCKPIT_LLM_MODEL: "inherited",
  });
  assert.equal(env.AICOCKPIT_LOCAL_MODEL_BASE_URL, "http://127.0.0.1:9/mirror");
  assert.equal(env.AICOCKPIT_LOCAL_MODEL_CATALOG, "/tmp/catalog.json");
  assert.equal(env.AICOCKPIT_LLM_MODEL, "gpt-4o-mini");
});
