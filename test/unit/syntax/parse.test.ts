import assert from "node:assert/strict";
import { test } from "node:test";
import { editBetween, parse } from "../../../server/syntax/parse";
import { languageFor, WASM_FILES, type Grammar } from "../../../server/syntax/languages";
import { loadedGrammars } from "../../../server/syntax/runtime";

const SAMPLES: Record<Grammar, [languageId: string, text: string, rootType: string]> = {
  typescript: ["typescript", "const x: number = 1;\n", "program"],
  tsx: ["typescriptreact", "const a = <div>{x}</div>;\n", "program"],
  javascript: ["javascript", "function f() { return 1; }\n", "program"],
  python: ["python", "def f():\n    return 1\n", "module"],
  go: ["go", "package main\nfunc f() int { return 1 }\n", "source_file"],
  rust: ["rust", "fn f() -> i32 { 1 }\n", "source_file"],
  java: ["java", "class A { int f() { return 1; } }\n", "program"],
  c: ["c", "int f(void) { return 1; }\n", "translation_unit"],
  cpp: ["cpp", "namespace n { int f() { return 1; } }\n", "translation_unit"],
  csharp: ["csharp", "class A { int F() { return 1; } }\n", "compilation_unit"],
  ruby: ["ruby", "def f\n  1\nend\n", "program"],
  php: ["php", "<?php function f() { return 1; }\n", "program"],
  bash: ["shellscript", "f() { echo 1; }\n", "program"],
  json: ["json", '{"a": [1, 2]}\n', "document"],
  yaml: ["yaml", "a:\n  b: [1, 2]\n", "stream"],
};

test("grammars load lazily: none before the first parse of their language", async () => {
  // Other tests in this file parse later; at this point nothing has been parsed in this process.
  assert.deepEqual(loadedGrammars(), []);
  await parse("python", "x = 1\n");
  assert.deepEqual(loadedGrammars(), ["python"]);
});

test("every bundled grammar parses its language without errors", async () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), Object.keys(WASM_FILES.grammars).sort());
  for (const [grammar, [languageId, text, rootType]] of Object.entries(SAMPLES)) {
    const st = await parse(languageId, text);
    assert.ok(st, `${grammar}: parsed`);
    assert.equal(st.grammar, grammar);
    assert.equal(st.tree.rootNode.type, rootType, grammar);
    assert.equal(st.tree.rootNode.hasError, false, `${grammar}: ${st.tree.rootNode.toString()}`);
  }
});

test("languageFor: language id first, then the file name; unknown is undefined", () => {
  assert.equal(languageFor("typescriptreact"), "tsx");
  assert.equal(languageFor("plaintext", "/w/app/models.py"), "python");
  assert.equal(languageFor(undefined, "deploy/values.YML"), "yaml");
  assert.equal(languageFor("plaintext", "Rakefile"), "ruby");
  assert.equal(languageFor("markdown", "README.md"), undefined);
  assert.equal(languageFor("dockerfile"), undefined);
});

test("no grammar or too big: undefined, never a throw", async () => {
  assert.equal(await parse("markdown", "# hi\n"), undefined);
  assert.equal(await parse("python", "x = 1\n".repeat(700_000)), undefined);
});

test("cache: same uri and version is the same tree; a new version is parsed incrementally and equals a fresh parse", async () => {
  const v1 = "def f(a):\n    return a\n\n\ndef g():\n    return 2\n";
  const a = await parse("python", v1, { uri: "file:///c.py", version: 1 });
  const again = await parse("python", v1, { uri: "file:///c.py", version: 1 });
  assert.ok(a && again);
  assert.equal(again.tree, a.tree);
  const v2 = v1.replace("return a", "return a * 2  # doubled");
  const b = await parse("python", v2, { uri: "file:///c.py", version: 2 });
  const fresh = await parse("python", v2);
  assert.ok(b && fresh);
  assert.notEqual(b.tree, a.tree);
  assert.equal(b.text, v2);
  assert.equal(b.tree.rootNode.toString(), fresh.tree.rootNode.toString());
  assert.equal(b.tree.rootNode.descendantForIndex(v2.indexOf("doubled"))?.type, "comment");
});

test("a parse cut into tiny slices gives the same tree as one piece, and yields to the event loop", async () => {
  const text = "class A:\n    def f(self, x):\n        return [i * x for i in range(10)]\n\n".repeat(400);
  const whole = await parse("python", text, { sliceMs: 10_000 });
  let turns = 0;
  const timer = setInterval(() => turns++, 0);
  const sliced = await parse("python", text, { sliceMs: 0 });
  clearInterval(timer);
  assert.ok(whole && sliced);
  assert.equal(sliced.tree.rootNode.toString(), whole.tree.rootNode.toString());
  assert.ok(turns > 0, "timers ran while the parse was in progress");
});

test("an aborted parse rejects and leaves the parser usable", async () => {
  const ac = new AbortController();
  const text = "x = [1, 2, 3]\n".repeat(20_000);
  const p = parse("python", text, { sliceMs: 0, signal: ac.signal });
  ac.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
  const ok = await parse("python", "y = 2\n");
  assert.equal(ok?.tree.rootNode.hasError, false);
});

test("editBetween: the one changed span with rows and UTF-16 columns", () => {
  const e = editBetween("ab\ncdé\nfg", "ab\ncXYdé\nfg");
  assert.deepEqual(e, {
    startIndex: 4,
    oldEndIndex: 4,
    newEndIndex: 6,
    startPosition: { row: 1, column: 1 },
    oldEndPosition: { row: 1, column: 1 },
    newEndPosition: { row: 1, column: 3 },
  });
  const del = editBetween("a\nb\nc\n", "a\nc\n");
  assert.equal(del.startIndex, 2);
  assert.equal(del.oldEndIndex, 4);
  assert.equal(del.newEndIndex, 2);
  assert.deepEqual(del.oldEndPosition, { row: 2, column: 0 });
});
