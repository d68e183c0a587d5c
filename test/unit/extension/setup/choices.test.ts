/** The setup quick pick's rows: servers with their models, the built-in model with size and origin, services. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setupRows, serverRow, catalogRow, modelSummary } from "../../../../extension/setup/choices";
import type { LocalModelCatalog, LocalModelCatalogEntry } from "../../../../server/api/local-model";
import { progressText } from "../../../../extension/setup/progress-text";
import { formatBytes } from "../../../../common/bytes";

const entry = (over: Partial<LocalModelCatalogEntry> = {}): LocalModelCatalogEntry => ({
  id: "qwen2.5-coder-0.5b-instruct-q8_0",
  name: "Qwen2.5-Coder 0.5B Instruct (Q8_0)",
  sizeBytes: 531_068_512,
  path: "Qwen/x.gguf",
  sha256: "0".repeat(64),
  fim: true,
  why: "Small and fast; FIM for ghost text.",
  url: "https://huggingface.co/Qwen/x.gguf",
  downloaded: false,
  partialBytes: 0,
  recommended: true,
  ...over,
});

test("a found server shows where it runs and its models", () => {
  const r = serverRow({
    kind: "ollama",
    name: "Ollama",
    port: 11434,
    baseUrl: "http://127.0.0.1:11434/v1",
    models: ["qwen2.5-coder:7b", "llama3.2:3b", "phi4", "gemma3"],
    needsApiKey: false,
  });
  assert.equal(r.label, "$(vm-running) Ollama on 127.0.0.1:11434");
  assert.equal(r.description, "4 models");
  assert.equal(r.detail, "qwen2.5-coder:7b, llama3.2:3b, phi4 and 1 more");
  assert.equal(modelSummary(["a"]), "a");
  const empty = serverRow({
    kind: "lmstudio",
    name: "LM Studio",
    port: 1234,
    baseUrl: "",
    models: [],
    needsApiKey: false,
  });
  assert.equal(empty.description, "no model loaded");
  const keyed = serverRow({ kind: "vllm", name: "vLLM", port: 8000, baseUrl: "", models: [], needsApiKey: true });
  assert.equal(keyed.description, "asks for an API key");
});

test("the built-in model shows its size and where it downloads from before anything downloads", () => {
  const r = catalogRow(entry());
  assert.equal(r.label, "$(cloud-download) Qwen2.5-Coder 0.5B Instruct (Q8_0)");
  assert.equal(r.description, "506 MB · recommended · download from huggingface.co");
  assert.equal(catalogRow(entry({ downloaded: true, recommended: false })).description, "506 MB · downloaded");
  assert.equal(
    catalogRow(entry({ partialBytes: 100 * 1024 * 1024 })).description,
    "506 MB · recommended · 100 MB already downloaded",
  );
});

test("rows: this machine, built in, services — in that order, with honest placeholders while loading", () => {
  const catalog: LocalModelCatalog = {
    models: [entry({ id: "big", name: "Big", recommended: false }), entry()],
    baseUrl: "https://huggingface.co",
    modelsDir: "/m",
  };
  const loading = setupRows({ state: "loading" }, { state: "loading" });
  assert.match(loading[1]!.label, /Looking for model servers/);
  assert.equal(loading[1]!.choice, undefined, "a loading row cannot be picked");

  const none = setupRows(
    { state: "ok", value: { servers: [], probed: [11434, 1234, 8080, 8000] } },
    {
      state: "ok",
      value: catalog,
    },
  );
  const labels = none.map((r) => r.label);
  assert.deepEqual(labels, [
    "On this machine",
    "$(refresh) No model server found — look again",
    "Built-in model (nothing else to install)",
    "$(cloud-download) Qwen2.5-Coder 0.5B Instruct (Q8_0)",
    "$(cloud-download) Big",
    "$(file) Choose a GGUF file…",
    "AI service",
    "$(key) OpenAI",
    "$(key) Google Gemini",
    "$(key) Azure OpenAI",
    "$(globe) Another OpenAI-compatible server…",
  ]);
  assert.equal(none[1]!.description, "ports 11434, 1234, 8080, 8000");
  assert.deepEqual(none[1]!.choice, { kind: "rescan" });

  const failed = setupRows({ state: "failed", message: "backend restarting" }, { state: "failed", message: "x" });
  assert.deepEqual(failed[1]!.choice, { kind: "rescan" });
  assert.match(failed[3]!.label, /not available/);
});

test("sizes and download progress read like a person would say them", () => {
  assert.equal(formatBytes(531_068_512), "506 MB");
  assert.equal(formatBytes(1.5 * 1024 ** 3), "1.5 GB");
  assert.equal(formatBytes(5.25 * 1024 ** 2), "5.3 MB");
  assert.equal(formatBytes(600 * 1024), "600 KB");
  assert.equal(progressText(120 * 1024 ** 2, 506 * 1024 ** 2, 8.4 * 1024 ** 2), "120 MB of 506 MB · 8.4 MB/s");
  assert.equal(progressText(0, 506 * 1024 ** 2, 0), "0 KB of 506 MB");
});
