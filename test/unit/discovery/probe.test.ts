/** What counts as a model server's answer: OpenAI's model list and Ollama's tags, nothing looser. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseOllamaTags, parseOpenAiModels, PROBE_LIMITS } from "../../../server/discovery/probe";

test("an OpenAI model list gives its ids and owners", () => {
  const r = parseOpenAiModels({
    object: "list",
    data: [
      { id: "qwen2.5-coder-1.5b-instruct", object: "model", owned_by: "organization_owner" },
      { id: "ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF", owned_by: "llamacpp" },
    ],
  });
  assert.deepEqual(r, {
    ids: ["qwen2.5-coder-1.5b-instruct", "ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF"],
    ownedBy: ["organization_owner", "llamacpp"],
  });
  assert.deepEqual(parseOpenAiModels({ object: "list", data: [] }), { ids: [], ownedBy: [] });
});

test("anything else is not a model list", () => {
  for (const body of [
    undefined,
    "<html>",
    { status: "ok" },
    { data: [{ id: "x" }] }, // no object: "list"
    { object: "list", data: "x" },
    { object: "list", data: [{ name: "x" }] },
    { object: "list", data: [{ id: "" }] },
    { object: "list", data: [{ id: "a\nb" }] },
    { object: "list", data: [{ id: "x".repeat(PROBE_LIMITS.maxModelIdChars + 1) }] },
  ]) {
    assert.equal(parseOpenAiModels(body), undefined, JSON.stringify(body));
  }
});

test("a long list is cut at the limit", () => {
  const data = Array.from({ length: PROBE_LIMITS.maxModels + 50 }, (_, i) => ({ id: `m${i}` }));
  assert.equal(parseOpenAiModels({ object: "list", data })?.ids.length, PROBE_LIMITS.maxModels);
});

test("Ollama's tags give the pulled models; other shapes do not", () => {
  assert.deepEqual(parseOllamaTags({ models: [{ name: "qwen2.5-coder:7b", size: 4_683_087_332 }] }), [
    "qwen2.5-coder:7b",
  ]);
  assert.deepEqual(parseOllamaTags({ models: [] }), []);
  assert.equal(parseOllamaTags({ models: [{ model: "x" }] }), undefined);
  assert.equal(parseOllamaTags({ tags: [] }), undefined);
});
