import { test } from "node:test";
import assert from "node:assert/strict";
import { CompletionCache, contextKey, TAIL_CHARS } from "../../../server/completion/cache";

const ck = contextKey("/w/a.ts", "\n}\n", "qwen", "m");
const P = "function add(a: number, b: number) {\n  ";

test("exact hit returns the stored completion", () => {
  const c = new CompletionCache();
  c.put(ck, P, "return a + b;");
  assert.deepEqual(c.get(ck, P), { completion: "return a + b;", replaceSuffixChars: 0, kind: "exact" });
});

test("typing through a shown completion returns the remainder", () => {
  const c = new CompletionCache();
  c.put(ck, P, "return a + b;");
  assert.equal(c.get(ck, P + "ret")?.completion, "urn a + b;");
  assert.equal(c.get(ck, P + "ret")?.kind, "type-through");
  assert.equal(c.get(ck, P + "return a + b")?.completion, ";");
});

test("typing something else, or all of it, is a miss", () => {
  const c = new CompletionCache();
  c.put(ck, P, "return a + b;");
  assert.equal(c.get(ck, P + "rex"), null);
  assert.equal(c.get(ck, P + "return a + b;"), null);
});

test("backspace within the line offers the deleted characters plus the completion", () => {
  const c = new CompletionCache();
  c.put(ck, P + "ret", "urn a + b;");
  assert.deepEqual(c.get(ck, P + "re"), { completion: "turn a + b;", replaceSuffixChars: 0, kind: "backspace" });
  // Back across the newline: a different situation, ask the model.
  assert.equal(c.get(ck, P.slice(0, -3)), null);
});

test("a different file, suffix or model never shares entries", () => {
  const c = new CompletionCache();
  c.put(ck, P, "return a + b;");
  assert.equal(c.get(contextKey("/w/b.ts", "\n}\n", "qwen", "m"), P), null);
  assert.equal(c.get(contextKey("/w/a.ts", "\n}\nmore", "qwen", "m"), P), null);
  assert.equal(c.get(contextKey("/w/a.ts", "\n}\n", "qwen", "other"), P), null);
});

test("an edit above the cursor (same length, other text) is a miss", () => {
  const c = new CompletionCache();
  c.put(ck, "const x = 1;\n" + P, "return a + b;");
  assert.equal(c.get(ck, "const y = 1;\n" + P), null);
});

test("least recently used entries are evicted first", () => {
  const c = new CompletionCache(2);
  c.put(ck, "a", "1");
  c.put(ck, "b", "2");
  assert.ok(c.get(ck, "a")); // touch a
  c.put(ck, "c", "3");
  assert.equal(c.size, 2);
  assert.equal(c.get(ck, "b"), null);
  assert.ok(c.get(ck, "a"));
  assert.ok(c.get(ck, "c"));
});

test("huge prefixes are compared by their tail and length", () => {
  const c = new CompletionCache();
  const big = "x".repeat(TAIL_CHARS * 10) + P;
  c.put(ck, big, "return a + b;");
  assert.equal(c.get(ck, big + "re")?.completion, "turn a + b;");
});

test("a replacement keeps its replaced length while typing through", () => {
  const c = new CompletionCache();
  c.put(ck, "greet(", "name: string): void {", 1);
  assert.deepEqual(c.get(ck, "greet(na"), {
    completion: "me: string): void {",
    replaceSuffixChars: 1,
    kind: "type-through",
  });
});
