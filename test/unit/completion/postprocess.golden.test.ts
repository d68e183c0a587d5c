/** Runs every golden case in golden/postprocess/ (format: golden-format.ts), one test per case. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadGolden, splitCursor, CURSOR } from "./golden-format";
import { describeCursor, type MultilineMode } from "../../../server/completion/prefilter";
import { postprocess } from "../../../server/completion/postprocess";
import { syntaxHints } from "../../../server/completion/syntax-hints";
import { TEMPLATE_NAMES, type TemplateName } from "../../../server/completion/templates";

const cases = loadGolden(join(__dirname, "golden", "postprocess"));

test("golden postprocess cases exist", () => {
  assert.ok(cases.length >= 30, `only ${cases.length} cases`);
});

for (const c of cases) {
  test(`postprocess: ${c.name}`, async () => {
    const { prefix, suffix } = splitCursor(c);
    const languageId = c.header.language ?? "typescript";
    const template = (c.header.template ?? "qwen") as TemplateName;
    assert.ok(TEMPLATE_NAMES.includes(template), `unknown template ${template}`);
    const situation = describeCursor(prefix, suffix, languageId, (c.header.multiline ?? "auto") as MultilineMode);
    const model = c.sections.get("model");
    const expected = c.sections.get("expected");
    assert.ok(model !== undefined && expected !== undefined, "needs --- model and --- expected");
    // As the engine does: the parse tree's hints where a grammar is bundled.
    const hints = situation.multiline ? await syntaxHints({ languageId, prefix, suffix }) : {};
    const out = postprocess(
      model,
      {
        hints,
        prefix,
        suffix,
        languageId,
        situation,
        template,
        ...(c.header.stop ? { stop: [JSON.parse(c.header.stop) as string] } : {}),
      },
      { partial: c.header.partial === "true" },
    );
    assert.equal(out.completion, expected === "<null>" ? null : expected);
    assert.equal(out.replaceSuffixChars, Number(c.header.replace ?? "0"), "replaceSuffixChars");
    const result = c.sections.get("result");
    if (result !== undefined && out.completion !== null) {
      assert.equal(
        prefix + out.completion + CURSOR + suffix.slice(out.replaceSuffixChars),
        result,
        "document after applying",
      );
    }
  });
}

test("the scope-tree cases need the parse tree: by indentation alone each one comes out wrong", async () => {
  const treeCases = cases.filter((c) => c.name.startsWith("scope-tree-"));
  assert.ok(treeCases.length >= 8);
  for (const c of treeCases) {
    const { prefix, suffix } = splitCursor(c);
    const languageId = c.header.language ?? "typescript";
    const situation = describeCursor(prefix, suffix, languageId, (c.header.multiline ?? "auto") as MultilineMode);
    const ctx = { prefix, suffix, languageId, situation, template: (c.header.template ?? "qwen") as TemplateName };
    const hints = await syntaxHints({ languageId, prefix, suffix });
    assert.ok(hints.statementIndent !== undefined, `${c.name}: no statement start from the tree`);
    const without = postprocess(c.sections.get("model")!, ctx, { partial: false }).completion;
    assert.notEqual(without, c.sections.get("expected"), `${c.name} passes without the tree`);
  }
});
