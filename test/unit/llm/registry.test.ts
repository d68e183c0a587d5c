import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProviderRegistry, normalizeBaseUrl } from "../../../server/llm/registry";
import { AppError } from "../../../server/errors";
import { redact, setLogLevel } from "../../../server/log";

setLogLevel("error");
const KEY = "sk-registry-secret-0123456789abcdef";
const opts = { defaultTimeoutMs: 60_000, defaultMaxRetries: 2 };
const dir = () => mkdtempSync(join(tmpdir(), "aicockpit-reg-"));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError);
    return e.code;
  }
  return "none";
}

describe("ProviderRegistry", () => {
  it("add / update / remove / activate", () => {
    const r = new ProviderRegistry(opts);
    assert.equal(r.activeId(), null);
    const v = r.add({ name: "Local LM Studio", kind: "custom", baseUrl: "http://localhost:1234", model: "qwen" });
    assert.equal(v.id, "local-lm-studio");
    assert.equal(v.active, true, "the first provider becomes active");
    assert.equal(v.baseUrl, "http://localhost:1234/v1");
    const w = r.add({ name: "Local LM Studio", kind: "openai", model: "gpt-4o", apiKey: KEY });
    assert.equal(w.id, "local-lm-studio-2");
    assert.equal(w.active, false);
    assert.equal(r.activate(w.id).activeId, w.id);
    const u = r.update(w.id, { model: "gpt-4.1", maxRetries: 0 });
    assert.deepEqual([u.model, u.maxRetries, u.hasApiKey], ["gpt-4.1", 0, true]);
    assert.equal(r.update(w.id, { apiKey: "" }).hasApiKey, false, "an empty key removes it");
    r.remove(w.id);
    assert.equal(r.activeId(), null, "removing the active one leaves nothing chosen (no env default)");
    assert.equal(
      code(() => r.remove(w.id)),
      "NOT_FOUND",
    );
    assert.equal(
      code(() => r.activate("ghost")),
      "NOT_FOUND",
    );
  });

  it("validates input", () => {
    const r = new ProviderRegistry(opts);
    assert.equal(
      code(() => r.add({ name: "x", kind: "nope", model: "m" })),
      "BAD_REQUEST",
    );
    assert.equal(
      code(() => r.add({ name: "", kind: "openai", model: "m" })),
      "BAD_REQUEST",
    );
    assert.equal(
      code(() => r.add({ name: "x", kind: "custom", model: "m" })),
      "BAD_REQUEST",
    );
    assert.equal(
      code(() => r.add({ name: "x", kind: "custom", model: "m", baseUrl: "ftp://x" })),
      "BAD_REQUEST",
    );
    assert.equal(
      code(() => r.add({ id: "Bad Id", name: "x", kind: "openai", model: "m" })),
      "BAD_REQUEST",
    );
    assert.equal(
      code(() => r.add({ name: "x", kind: "openai", model: "m", surprise: 1 })),
      "BAD_REQUEST",
    );
    assert.equal(
      code(() => r.add({ name: "x", kind: "custom", model: "m", baseUrl: "http://u:p@host/v1" })),
      "BAD_REQUEST",
    );
    r.add({ id: "a", name: "A", kind: "openai", model: "m" });
    assert.equal(
      code(() => r.add({ id: "a", name: "A", kind: "openai", model: "m" })),
      "BAD_REQUEST",
    );
    assert.equal(
      code(() => r.update("a", { timeoutMs: 5 })),
      "BAD_REQUEST",
    );
  });

  it("the env provider is 'default', active when nothing else is, not removable, not persisted", () => {
    const d = dir();
    const r = new ProviderRegistry({
      ...opts,
      dataDir: d,
      defaultProvider: { kind: "azure", baseUrl: "https://res.openai.azure.com/openai/", model: "dep", apiKey: KEY },
    });
    assert.equal(r.activeId(), "default");
    const v = r.view("default");
    assert.equal(v.baseUrl, "https://res.openai.azure.com", "azure endpoint without /openai");
    assert.equal(v.apiVersion, "2024-10-21");
    assert.equal(v.hasApiKey, true);
    assert.equal(
      code(() => r.remove("default")),
      "BAD_REQUEST",
    );
    r.add({ id: "other", name: "Other", kind: "custom", baseUrl: "http://h:1/v1", model: "m" });
    assert.equal(r.activeId(), "default", "adding does not steal activation from the env default");
    r.activate("other");
    r.remove("other");
    assert.equal(r.activeId(), "default");
    assert.deepEqual(r.serialize().providers, []);
  });

  it("never serialises keys, on disk or in views, and registers them for redaction", () => {
    const d = dir();
    const r = new ProviderRegistry({ ...opts, dataDir: d });
    r.add({ id: "k", name: "Keyed", kind: "openai", model: "m", apiKey: KEY });
    r.update("k", { apiKey: `${KEY}-rotated` });
    const file = readFileSync(join(d, "providers.json"), "utf8");
    assert.ok(!file.includes(KEY));
    assert.ok(!JSON.stringify(r.serialize()).includes(KEY));
    assert.ok(!JSON.stringify(r.list()).includes(KEY));
    assert.equal(r.resolve("k").apiKey, `${KEY}-rotated`, "the key is available in memory");
    assert.equal(redact(`x ${KEY}-rotated y`).includes(KEY), false);
  });

  it("reloads settings from disk (without keys) and keeps the active choice", () => {
    const d = dir();
    const a = new ProviderRegistry({ ...opts, dataDir: d });
    a.add({
      id: "one",
      name: "One",
      kind: "custom",
      baseUrl: "http://h:1/v1",
      model: "m1",
      apiKey: KEY,
      timeoutMs: 1234,
    });
    a.add({ id: "two", name: "Two", kind: "gemini", model: "gemini-2.0-flash", apiKey: KEY });
    a.activate("two");
    const b = new ProviderRegistry({ ...opts, dataDir: d });
    assert.equal(b.activeId(), "two");
    assert.equal(b.view("one").timeoutMs, 1234);
    assert.equal(b.view("one").hasApiKey, false);
    assert.equal(b.view("two").baseUrl, "https://generativelanguage.googleapis.com/v1beta/openai");
  });

  it("moves a corrupt providers.json aside instead of overwriting it", () => {
    const d = dir();
    writeFileSync(join(d, "providers.json"), "{ not json");
    const r = new ProviderRegistry({ ...opts, dataDir: d });
    assert.deepEqual(r.list().providers, []);
    assert.ok(readdirSync(d).some((f) => f.startsWith("providers.json.corrupt-")));
    assert.equal(existsSync(join(d, "providers.json")), false);
  });

  it("bumps the revision and notifies on every change (client caches depend on it)", () => {
    const r = new ProviderRegistry(opts);
    const seen: string[] = [];
    r.onChange((id) => seen.push(id));
    r.add({ id: "x", name: "X", kind: "openai", model: "m" });
    const rev = r.resolve("x").revision;
    r.update("x", { model: "n" });
    assert.ok(r.resolve("x").revision > rev);
    assert.deepEqual(seen, ["x", "x"]);
  });
});

describe("normalizeBaseUrl", () => {
  it("fills defaults per kind and appends /v1 to a bare host", () => {
    assert.equal(normalizeBaseUrl("openai", undefined), "https://api.openai.com/v1");
    assert.equal(normalizeBaseUrl("custom", "http://localhost:11434/"), "http://localhost:11434/v1");
    assert.equal(normalizeBaseUrl("custom", "http://localhost:8080/api/v1/"), "http://localhost:8080/api/v1");
    assert.equal(normalizeBaseUrl("azure", "https://r.openai.azure.com/"), "https://r.openai.azure.com");
  });

  it("drops the key when a patch moves the provider (baseUrl or kind) without bringing a new one", () => {
    const r = new ProviderRegistry(opts);
    const id = r.add({
      name: "Local",
      kind: "custom",
      baseUrl: "http://127.0.0.1:1234/v1",
      model: "m",
      apiKey: KEY,
    }).id;
    assert.deepEqual(pick(r.update(id, { model: "m2", timeoutMs: 5_000 })), [false, true], "not moved: the key stays");
    assert.deepEqual(
      pick(r.update(id, { baseUrl: "http://127.0.0.1:1234/v1/" })),
      [false, true],
      "same address once normalised",
    );
    assert.deepEqual(pick(r.update(id, { baseUrl: "http://evil.example/v1" })), [true, false]);
    assert.equal(r.resolve(id).apiKey, undefined);
    r.update(id, { apiKey: KEY });
    assert.deepEqual(
      pick(r.update(id, { baseUrl: "http://127.0.0.1:9999/v1", apiKey: "sk-new-key-for-the-new-place-123" })),
      [false, true],
      "a new key comes along",
    );
    assert.equal(r.resolve(id).apiKey, "sk-new-key-for-the-new-place-123");
    assert.deepEqual(pick(r.update(id, { kind: "openai" })), [true, false]);
  });
});

function pick(v: { keyDropped: boolean; hasApiKey: boolean }): [boolean, boolean] {
  return [v.keyDropped, v.hasApiKey];
}
