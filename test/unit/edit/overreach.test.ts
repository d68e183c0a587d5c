/**
 * Golden cases for answers that cover more than the Ctrl+K target: the model was asked to
 * rewrite an inner block (a closure, a loop the user selected, a nested function) and
 * answered with the block around it, header first. Each case runs the whole path without
 * VS Code: the parser's target for the cursor/selection (as `POST /api/code/target` gives
 * it), the edit stream against a scripted answer, and the client's application of
 * `retarget` + `done` to the document — which must come out with exactly one header.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EditEvent, EditRequest } from "../../../server/api/edit";
import { runEdit, type EditModel } from "../../../server/edit/session";
import { realign } from "../../../server/edit/realign";
import { codeTarget } from "../../../server/syntax/target";

interface Case {
  languageId: string;
  doc: string;
  /** The cursor: the first occurrence of this text (or a selection from it to `selectTo`, whole lines). */
  at: string;
  selectTo?: string;
  answer: string;
  /** The document after accepting everything. */
  expected: string;
  /** The label the edit ends up naming (retargeted or not). */
  label: string;
}

function model(answer: string): EditModel {
  return {
    async *streamChat() {
      for (let i = 0; i < answer.length; i += 7) yield answer.slice(i, i + 7);
    },
  };
}

/** What the extension does: find the target, stream the edit, apply retarget and the final text. */
async function applyEdit(c: Case): Promise<{ doc: string; label: string; events: EditEvent["type"][] }> {
  const lines = c.doc.split("\n");
  const offset = c.doc.indexOf(c.at);
  assert.ok(offset >= 0, `cursor text ${c.at} in the document`);
  const endOffset = c.selectTo ? c.doc.indexOf(c.selectTo) + c.selectTo.length : undefined;
  const res = await codeTarget({
    languageId: c.languageId,
    text: c.doc,
    offset: c.selectTo ? c.doc.lastIndexOf("\n", offset) + 1 : offset,
    ...(endOffset !== undefined ? { endOffset } : {}),
  });
  const lineOf = (o: number) => c.doc.slice(0, o).split("\n").length - 1;
  let [start, end, label] = c.selectTo
    ? [lineOf(offset), lineOf(endOffset!), "selection"]
    : [res.scopes[0]!.startLine, res.scopes[0]!.endLine, res.scopes[0]!.label];
  // A selection of whole lines ends at column 0 of the next line: its code ends with the line break.
  let trailingEol = c.selectTo !== undefined;
  const req: EditRequest = {
    filepath: "f",
    languageId: c.languageId,
    instruction: "do it",
    code: lines.slice(start, end + 1).join("\n") + (trailingEol ? "\n" : ""),
    before: lines.slice(Math.max(0, start - 60), start).join("\n") + (start > 0 ? "\n" : ""),
    after: lines.slice(end + 1, end + 61).join("\n"),
    enclosing: res.scopes.map((s) => ({
      startLine: s.startLine - start,
      endLine: s.endLine - start,
      headerLine: s.headerLine - start,
      label: s.label,
    })),
  };
  const events: EditEvent["type"][] = [];
  let text: string | undefined;
  for await (const ev of runEdit(model(c.answer), req, new AbortController().signal)) {
    events.push(ev.type);
    if (ev.type === "retarget") {
      assert.equal(events.filter((e) => e === "lines").length, 0, "retarget comes before any diff lines");
      [start, end, label] = [start + ev.startLine, start + ev.endLine, ev.label];
      trailingEol = false;
    } else if (ev.type === "done") text = ev.text;
  }
  assert.ok(text !== undefined);
  const above = lines
    .slice(0, start)
    .map((l) => l + "\n")
    .join("");
  const below = lines.slice(end + 1).join("\n");
  return { doc: above + text + (trailingEol ? "" : "\n") + below, label, events };
}

const PY = `class Cart:
    def __init__(self, items):
        self.items = items

    @property
    def total(self):
        s = 0
        for i in self.items:
            s += i.price
        return s

    def helper(self):
        def inner(x):
            return x + 1
        return inner
`;

const CASES: Record<string, Case> = {
  "python: the selected loop, answered with the whole method (the issue's case)": {
    languageId: "python",
    doc: PY,
    at: "        for i in",
    selectTo: "s += i.price",
    answer:
      "```python\ndef total(self):\n    s = 0\n    for i in self.items:\n        s += i.price * i.quantity\n    return s\n```",
    expected: PY.replace("s += i.price", "s += i.price * i.quantity"),
    label: "method total (lines 5–10)",
  },
  "python: same, the model kept the class indentation itself": {
    languageId: "python",
    doc: PY,
    at: "        for i in",
    selectTo: "s += i.price",
    answer:
      "```python\n    def total(self):\n        s = 0\n        for i in self.items:\n            s += i.price * i.quantity\n        return s\n```",
    expected: PY.replace("s += i.price", "s += i.price * i.quantity"),
    label: "method total (lines 5–10)",
  },
  "python: answered from the decorator: the decorator is replaced once, not doubled": {
    languageId: "python",
    doc: PY,
    at: "        for i in",
    selectTo: "s += i.price",
    answer: "@property\ndef total(self):\n    return sum(i.price for i in self.items)\n",
    expected: PY.replace(
      "        s = 0\n        for i in self.items:\n            s += i.price\n        return s",
      "        return sum(i.price for i in self.items)",
    ),
    label: "method total (lines 5–10)",
  },
  "python: nested function target, answered with the method around it": {
    languageId: "python",
    doc: PY,
    at: "return x + 1",
    answer: "def helper(self):\n    def inner(x):\n        return x + 2\n    return inner\n",
    expected: PY.replace("x + 1", "x + 2"),
    label: "method helper (lines 12–15)",
  },
  "python: method target, answered with the whole class": {
    languageId: "python",
    doc: PY,
    at: "return inner",
    answer: "```python\n" + PY.replace("x + 1", "x + 3") + "```\n",
    expected: PY.replace("x + 1", "x + 3"),
    label: "class Cart (lines 1–15)",
  },
  "python: an answer that starts at the target itself is applied to the target": {
    languageId: "python",
    doc: PY,
    at: "return inner",
    answer: "def helper(self):\n    return lambda x: x + 1\n",
    expected: PY.replace(
      "        def inner(x):\n            return x + 1\n        return inner",
      "        return lambda x: x + 1",
    ),
    label: "method helper (lines 12–15)",
  },
  "typescript: closure target, answered with the method": {
    languageId: "typescript",
    doc: `export class Cart {\n  count(): number {\n    let n = 0;\n    this.items.forEach((i) => {\n      n += 1;\n    });\n    return n;\n  }\n}\n`,
    at: "n += 1",
    answer: "count(): number {\n  return this.items.length;\n}",
    expected: `export class Cart {\n  count(): number {\n    return this.items.length;\n  }\n}\n`,
    label: "method count (lines 2–8)",
  },
  "go: closure target, answered with the method": {
    languageId: "go",
    doc: "package cart\n\nfunc (c *Cart) Total() int {\n\ts := 0\n\teach := func(i int) {\n\t\ts += i\n\t}\n\tfor _, i := range c.items {\n\t\teach(i)\n\t}\n\treturn s\n}\n",
    at: "s += i",
    answer: "func (c *Cart) Total() int {\n\ts := 0\n\tfor _, i := range c.items {\n\t\ts += i\n\t}\n\treturn s\n}\n",
    expected:
      "package cart\n\nfunc (c *Cart) Total() int {\n\ts := 0\n\tfor _, i := range c.items {\n\t\ts += i\n\t}\n\treturn s\n}\n",
    label: "method Total (lines 3–12)",
  },
};

for (const [name, c] of Object.entries(CASES)) {
  test(name, async () => {
    const out = await applyEdit(c);
    assert.equal(out.doc, c.expected);
    assert.equal(out.label.startsWith("selection") ? "selection" : out.label, c.label);
  });
}

test("an answer starting at another line above the target is refused, naming it; nothing is applied", async () => {
  const doc = `def report(rows):\n    header = make_header(rows)\n    for r in rows:\n        print(r)\n    return header\n`;
  await assert.rejects(
    applyEdit({
      languageId: "python",
      doc,
      at: "    for r in rows:",
      selectTo: "print(r)",
      answer: "header = make_header(rows)\nfor r in rows:\n    print(r, end='')\n",
      expected: doc,
      label: "",
    }),
    (err: Error & { code?: string }) =>
      err.code === "PROVIDER_BAD_RESPONSE" &&
      /starts with "header = make_header\(rows\)", 1 line\(s\) above/.test(err.message),
  );
});

test("realign: a block reaching past the context sent along cannot be re-aligned; the user is told", () => {
  const r = realign(
    "def total(self):",
    { above: ["    s = 0"], code: ["    for i in x:", "        s += i"], below: [] },
    [{ startLine: -80, endLine: 3, headerLine: -80, label: "method total (lines 1–84)" }],
  );
  assert.equal(r.kind, "keep"); // the header is not in the context at all: nothing to compare with
  const far = realign(
    "def total(self):",
    { above: ["def total(self):", "    s = 0"], code: ["    for i in x:"], below: [] },
    [{ startLine: -2, endLine: 40, headerLine: -2, label: "method total (lines 1–43)" }],
  );
  assert.deepEqual(far, { kind: "overreach", line: -2, text: "def total(self):" });
});

test("realign: short lines (`}`, `end`) prove nothing; without blocks nothing changes", () => {
  const region = { above: ["fn f() {", "  }"], code: ["  x();"], below: ["}"] };
  const blocks = [{ startLine: -2, endLine: 1, headerLine: -2, label: "function f (lines 1–4)" }];
  assert.deepEqual(realign("}", region, blocks), { kind: "keep" });
  assert.deepEqual(realign("fn f() {", region, []), { kind: "keep" });
  assert.deepEqual(realign("fn f() {", region, blocks), {
    kind: "retarget",
    startLine: -2,
    endLine: 1,
    label: "function f (lines 1–4)",
  });
});
