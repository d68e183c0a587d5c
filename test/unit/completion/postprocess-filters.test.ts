/** Each postprocessing filter on its own (server/completion/filters/); the golden cases run them together. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { signOffCut, stripPreamble } from "../../../server/completion/filters/chat-prose";
import { duplicateCloserLine } from "../../../server/completion/filters/closing-lines";
import { normalizeIndentation } from "../../../server/completion/filters/indentation";
import { tooShort } from "../../../server/completion/filters/min-length";
import {
  inLineRepetitionCut,
  patternLinesCut,
  repeatedBlockCut,
  repeatsWithinLine,
} from "../../../server/completion/filters/repetition";
import { fitRestOfLine, overlapWithRest } from "../../../server/completion/filters/rest-of-line";
import { scopeEndCut } from "../../../server/completion/filters/scope";
import { describeCursor, prefilter } from "../../../server/completion/prefilter";

const cutText = (text: string, at: number) => (at === -1 ? text : text.slice(0, at));

test("chat prose: preambles and sign-offs go, code and comments stay", () => {
  assert.equal(stripPreamble("Here is the code:\nreturn 1;", true), "return 1;");
  assert.equal(stripPreamble("Sure!\n\nreturn 1;", true), "return 1;");
  assert.equal(stripPreamble("Here is", false), "Here is", "an unfinished line is not judged while streaming");
  assert.equal(stripPreamble("return here;", true), "return here;");
  const text = "return 1;\nThis completes the function.";
  assert.equal(cutText(text, signOffCut(text.split("\n"))), "return 1;");
  assert.equal(signOffCut(["x = 1", "# This completes quickly."]), -1);
  assert.equal(signOffCut(["This completes the function."]), -1, "a first line is never a sign-off");
});

test("repetition: repeated blocks, number-only patterns, a line repeating itself", () => {
  const block = "a = f();\nb(a);\na = f();\nb(a);";
  assert.equal(cutText(block, repeatedBlockCut(block.split("\n"))), "a = f();\nb(a);");
  assert.equal(repeatedBlockCut(["}", "}"]), -1, "two closers in a row are code");
  const pattern = ["x1 = f(1)", "x2 = f(2)", "x3 = f(3)", "x4 = f(4)"];
  assert.equal(cutText(pattern.join("\n"), patternLinesCut(pattern)), "x1 = f(1)");
  assert.equal(patternLinesCut(pattern.slice(0, 3)), -1, "three are a list");
  assert.ok(repeatsWithinLine("x.value.value.value.value"));
  assert.ok(!repeatsWithinLine("const bytes = [0, 0, 0, 0, 0, 0, 0, 0];"), "no letter: data, not a loop");
  assert.ok(!repeatsWithinLine("// ==========================="));
  assert.ok(!repeatsWithinLine('const s = "aaaaaaaaaaaa";'), "one character doubled is not a fragment");
  assert.equal(inLineRepetitionCut(["ok();", "a, a, a, a, a, a"]), 5);
});

test("scope: ends where the indentation leaves the cursor's block", () => {
  const py = "def f():\n    return 1\n\nprint(f())";
  assert.equal(
    cutText(py, scopeEndCut(py, py.split("\n"), { linePrefix: "", languageId: "python" })),
    "def f():\n    return 1\n",
  );
  const body = "x = 1\n    return x\nprint(x)";
  assert.equal(
    cutText(body, scopeEndCut(body, body.split("\n"), { linePrefix: "    ", languageId: "python" })),
    "x = 1\n    return x",
  );
  const js = "  a();\n}\nfoo();";
  assert.equal(
    cutText(js, scopeEndCut(js, js.split("\n"), { linePrefix: "  ", languageId: "javascript" })),
    "  a();\n}",
  );
  const elseBranch = " {\n  a();\n} else {\n  b();\n}\nnext();";
  assert.equal(
    cutText(
      elseBranch,
      scopeEndCut(elseBranch, elseBranch.split("\n"), { linePrefix: "if (x)", languageId: "typescript" }),
    ),
    " {\n  a();\n} else {\n  b();\n}",
  );
  const prose = "One.\nTwo.";
  assert.equal(scopeEndCut(prose, prose.split("\n"), { linePrefix: "  ", languageId: "markdown" }), -1);
});

test("indentation: one column off is put right; aligned and tab lines are left alone", () => {
  const input = { linePrefix: "    ", lineAbove: "function f() {", unit: 4 };
  assert.equal(normalizeIndentation(" return 1;", input), "return 1;");
  assert.equal(normalizeIndentation("if (a) {\n     b();\n }", input), "if (a) {\n    b();\n}");
  assert.equal(normalizeIndentation("g(a,\n  b);", input), "g(a,\n  b);");
  assert.equal(normalizeIndentation("   x", { linePrefix: "", lineAbove: "def f():", unit: 4 }), "    x");
  assert.equal(normalizeIndentation(" x", { ...input, unit: null }), " x");
});

test("closing lines: the suffix's closer is not repeated, equal or not", () => {
  assert.equal(duplicateCloserLine(["a();", "}"], "  ", "} else {"), 1);
  assert.equal(duplicateCloserLine(["a();", "};"], "  ", "}"), 1);
  assert.equal(duplicateCloserLine(["a();", "})"], "  ", "});"), 1);
  assert.equal(duplicateCloserLine(["a();", "  }"], "  ", "}"), -1, "a deeper closer closes something else");
  assert.equal(duplicateCloserLine(["a();"], "  ", null), -1);
});

test("rest of line: overlaps are not doubled; a rewrite that goes on for lines replaces the rest", () => {
  assert.equal(overlapWithRest("f();", ";"), 1);
  assert.equal(overlapWithRest('alt="x" />', "/>"), 2);
  assert.equal(overlapWithRest("baz", "baz)"), 3);
  assert.equal(overlapWithRest("ab", "b)"), 0, "a one-letter overlap is a coincidence");
  assert.deepEqual(fitRestOfLine("a, b) {\n  return a + b;\n}", ") {"), {
    text: "a, b) {\n  return a + b;\n}",
    replaceSuffixChars: 3,
  });
  assert.deepEqual(fitRestOfLine('"hi");', ");"), { text: '"hi"', replaceSuffixChars: 0 });
});

test("minimum useful length", () => {
  for (const s of [";", ",", "{}", " ) "]) assert.ok(tooShort(s), s);
  for (const s of ["0", "n", "[];", "=> 1"]) assert.ok(!tooShort(s), s);
});

test("auto multi-line: after for, a getter name, a finished statement; not mid-expression", () => {
  const multi = (linePrefix: string, languageId = "typescript") =>
    describeCursor(`x\n${linePrefix}`, "\n", languageId, "auto").multiline;
  assert.ok(multi("  for (const x of xs)"));
  assert.ok(multi("    for item in items", "python"));
  assert.ok(multi("  get total"));
  assert.ok(multi("    def total", "python"));
  assert.ok(multi("  const a = f();"));
  assert.ok(multi("    data = load(path)", "python"));
  assert.ok(!multi("  const a = b +"));
  assert.ok(!multi("  const total = price "));
  assert.ok(!multi("  // for each item"));
});

test("auto multi-line after a typed method header (Java, C#, C++, C), not after a call or a return", () => {
  const multi = (linePrefix: string, languageId: string) =>
    describeCursor(`x\n${linePrefix}`, "\n", languageId, "auto").multiline;
  assert.ok(multi("  public int total()", "java"));
  assert.ok(multi("    private static List<Item> load(String path, int n) throws IOException", "java"));
  assert.ok(multi("    @Override public String toString()", "java"));
  assert.ok(multi("  public async Task<int> RunAsync(CancellationToken ct)", "csharp"));
  assert.ok(multi("    [HttpGet] public IActionResult Get(int id)", "csharp"));
  assert.ok(multi("std::string Cart::name(const Item& item) const", "cpp"));
  assert.ok(multi("static int *find(struct node *n, int key)", "c"));
  assert.ok(multi("  fun total(items: List<Item>): Int", "kotlin"));
  for (const [line, lang] of [
    ["    return total(items)", "java"],
    ["    Item item = new Item(name)", "java"],
    ["    throw new IllegalStateException(msg)", "java"],
    ["    await RunAsync(ct)", "csharp"],
    ["    int n = count(xs)", "cpp"],
    ["    printf(fmt, n)", "c"],
  ] as const)
    assert.ok(!multi(line, lang), `${lang}: ${line}`);
});

test("call arguments: a request is made in front of an existing argument, never inside a word", () => {
  const at = (prefix: string, suffix: string) =>
    prefilter({
      filepath: "/w/a.ts",
      relativePath: "a.ts",
      languageId: "typescript",
      prefix,
      suffix,
      multiline: "auto",
    });
  assert.equal(at("sum(", "baz)").skip, false);
  assert.equal(at("f(a, ", "b)").skip, false);
  assert.equal(at("xs[", "i]").skip, false);
  assert.deepEqual(at("fo", "o()"), { skip: true, reason: "mid-word" });
  assert.deepEqual(at("", "foo()"), { skip: true, reason: "mid-word" });
});
