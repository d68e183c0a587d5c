/** Secrets filter, .aicockpitignore matcher, token windows, prefilter, model → template mapping. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isSecretPath } from "../../../common/secrets";
import { IgnoreMatcher } from "../../../common/ignore";
import { relativeTo } from "../../../server/completion/ignore-loader";
import { buildWindows, prefixWindow, suffixWindow } from "../../../server/completion/context";
import { timeBoxed } from "../../../common/time-boxed";
import { estimateTokens } from "../../../common/tokens";
import { describeCursor, prefilter } from "../../../server/completion/prefilter";
import { templateForModel } from "../../../server/completion/templates";
import { looksLikeOllama } from "../../../server/http/routes/completion";

test("secret-looking file names", () => {
  for (const p of [
    ".env",
    "/a/.env.local",
    "C:\\w\\.env.production",
    "x/server.pem",
    "tls.key",
    "~/.ssh/id_rsa",
    "id_rsa.pub",
    "id_ed25519",
    "store.p12",
  ])
    assert.ok(isSecretPath(p), p);
  for (const p of ["env.ts", "src/keyboard.ts", "monkey.py", "environment.md", "src/pem.ts", "keys.ts"])
    assert.ok(!isSecretPath(p), p);
});

test("ignore matcher: gitignore subset", () => {
  const m = new IgnoreMatcher([
    "# comment",
    "",
    "*.log",
    "/build",
    "docs/private/",
    "**/secret-*.ts",
    "gen/**/*.ts",
    "!keep.log",
    "data?.csv",
    "[Tt]emp",
  ]);
  const yes = [
    "app.log",
    "a/b/app.log",
    "build/x.js",
    "docs/private/a.md",
    "src/secret-plan.ts",
    "a/b/secret-x.ts",
    "gen/a/b.ts",
    "gen/b.ts",
    "data1.csv",
    "Temp/x",
    "x/temp",
  ];
  const no = ["keep.log", "src/build/x.js", "docs/private.md", "src/plan.ts", "gen/a/b.js", "data10.csv", "tmp/x"];
  for (const p of yes) assert.ok(m.ignores(p), `should ignore ${p}`);
  for (const p of no) assert.ok(!m.ignores(p), `should not ignore ${p}`);
});

test("ignore matcher: a file under an ignored directory stays ignored, like git", () => {
  const m = new IgnoreMatcher("vendor/\n!vendor/keep.ts\n");
  assert.ok(m.ignores("vendor/keep.ts"));
  assert.ok(new IgnoreMatcher("*.ts\n!keep.ts\n").ignores("a.ts"));
  assert.ok(!new IgnoreMatcher("*.ts\n!keep.ts\n").ignores("keep.ts"));
});

test("workspace-relative paths", () => {
  assert.equal(relativeTo("/w", "/w/src/a.ts"), "src/a.ts");
  assert.equal(relativeTo("/w", "/other/a.ts"), null);
  assert.equal(relativeTo(undefined, "/w/a.ts"), null);
  assert.equal(relativeTo(undefined, "src\\a.ts"), "src/a.ts");
});

test("token estimate over-counts ASCII code and counts bytes for non-ASCII", () => {
  assert.equal(estimateTokens("abcdef"), 2);
  assert.equal(estimateTokens("é"), 1);
  assert.ok(estimateTokens("äöü".repeat(10)) > estimateTokens("aou".repeat(10)));
});

test("windows keep whole lines nearest the cursor within the budget", () => {
  const prefix = Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n") + "\n  cur";
  const w = prefixWindow(prefix, 100);
  assert.ok(w.endsWith("line 499\n  cur"));
  assert.ok(estimateTokens(w) <= 100);
  assert.ok(w.startsWith("line "));
  const suffix = ")\n" + Array.from({ length: 500 }, (_, i) => `after ${i}`).join("\n");
  const s = suffixWindow(suffix, 50);
  assert.ok(s.startsWith(")\nafter 0\n"));
  assert.ok(estimateTokens(s) <= 50);
  const all = buildWindows(prefix, suffix, [{ filepath: "a.ts", content: "x\n".repeat(5000) }], {
    maxPromptTokens: 1000,
    suffixShare: 0.25,
    snippetShare: 0.25,
  });
  const total =
    estimateTokens(all.prefix) +
    estimateTokens(all.suffix) +
    all.snippets.reduce((n, sn) => n + estimateTokens(sn.content), 0);
  assert.ok(total <= 1000, `total ${total}`);
  assert.ok(estimateTokens(all.suffix) <= 250);
});

test("time-boxed sources fall back when late or failing", async () => {
  assert.equal(
    await timeBoxed(new Promise<string>((r) => setTimeout(() => r("late"), 200)), 10, "fallback"),
    "fallback",
  );
  assert.equal(await timeBoxed(Promise.reject(new Error("x")), 10, "fallback"), "fallback");
  assert.equal(await timeBoxed(Promise.resolve("fast"), 10, "fallback"), "fast");
});

test("multi-line decision", () => {
  const d = (prefix: string, suffix: string, lang = "typescript", mode: "auto" | "always" | "never" = "auto") =>
    describeCursor(prefix, suffix, lang, mode).multiline;
  assert.equal(d("function f() {\n  ", "\n}"), true, "empty line");
  assert.equal(d("function f() {", "\n}"), true, "after block opener");
  assert.equal(d("def f():", "\n", "python"), true, "after python colon");
  assert.equal(d("const x = ", "\n"), false, "mid-statement");
  assert.equal(d("foo(", ", 2)"), false, "mid-line");
  assert.equal(d("foo(", ")"), true, "only closers after the cursor");
  assert.equal(d("  // todo: ", "\n"), false, "line comment");
  assert.equal(d("  # todo: ", "\n", "python"), false, "python comment");
  assert.equal(d('  s = "# not a comment ', '"\n', "python", "always"), true, "marker inside a string");
  assert.equal(d("  // c ", "\n", "typescript", "always"), false, "always still not in a comment");
  assert.equal(d("function f() {\n  ", "\n}", "typescript", "never"), false);
});

test("prefilter reasons", () => {
  const base = {
    filepath: "/w/a.ts",
    relativePath: "a.ts",
    languageId: "typescript",
    prefix: "const x = ",
    suffix: "\n",
    multiline: "auto" as const,
  };
  assert.equal(prefilter(base).skip, false);
  assert.deepEqual(prefilter({ ...base, relativePath: "config/.env.local" }), { skip: true, reason: "secret-file" });
  assert.deepEqual(prefilter({ ...base, ignore: new IgnoreMatcher("*.ts") }), { skip: true, reason: "ignored" });
  assert.deepEqual(prefilter({ ...base, suffix: "value;\n" }), { skip: true, reason: "mid-word" });
});

test("model names pick FIM families; unknown models get the chat template", () => {
  const table: Record<string, string> = {
    "starcoder2:3b": "starcoder",
    "bigcode/starcoder2-15b": "starcoder",
    "stable-code:3b-code": "starcoder",
    "qwen2.5-coder:1.5b-base": "qwen",
    "Qwen/Qwen2.5-Coder-32B-Instruct": "qwen",
    "qwen3-coder:30b": "qwen",
    "deepseek-coder:6.7b-base": "deepseek",
    "deepseek-coder-v2-lite-base": "deepseek",
    "codellama:7b-code": "codellama",
    "CodeLlama-13b-hf": "codellama",
    "codestral-latest": "codestral",
    "mistralai/Codestral-22B-v0.1": "codestral",
    "codegemma:2b": "codegemma",
    "gpt-3.5-turbo-instruct": "suffix",
    "gpt-4o-mini": "chat",
    "gemini-2.0-flash": "chat",
    "llama3.1:8b": "chat",
  };
  for (const [model, t] of Object.entries(table)) assert.equal(templateForModel(model), t, model);
});

test("Ollama detection by its default port or host name", () => {
  assert.ok(looksLikeOllama("http://127.0.0.1:11434/v1"));
  assert.ok(looksLikeOllama("http://ollama.internal:8080/v1"));
  assert.ok(!looksLikeOllama("http://127.0.0.1:1234/v1"));
  assert.ok(!looksLikeOllama("not a url"));
});
