/**
 * FIM template rendering per model family, from golden/templates/ (format: golden-format.ts).
 * Each case names a real model id; the test checks that the id picks the case's template
 * and that the rendered prompt is exactly the expected text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadGolden, splitCursor } from "./golden-format";
import { describeCursor, type MultilineMode } from "../../../server/completion/prefilter";
import {
  renderPrompt,
  templateForModel,
  type RenderedPrompt,
  type TemplateName,
} from "../../../server/completion/templates";

const cases = loadGolden(join(__dirname, "golden", "templates"));

/** Chat prompts as text: each message under a `[role]` line. */
export function promptText(p: RenderedPrompt): string {
  if (p.kind === "completion") return p.prompt;
  return p.messages.map((m) => `[${m.role}]\n${m.content}`).join("\n");
}

test("golden template cases cover every family", () => {
  const families = new Set(cases.map((c) => c.header.template));
  for (const f of ["starcoder", "qwen", "deepseek", "codellama", "codestral", "codegemma", "suffix", "chat"])
    assert.ok(families.has(f), `no case for ${f}`);
});

for (const c of cases) {
  test(`template: ${c.name}`, () => {
    const template = c.header.template as TemplateName;
    if (c.header.model)
      assert.equal(templateForModel(c.header.model), template, `model ${c.header.model} picks the template`);
    const { prefix, suffix } = splitCursor(c);
    const languageId = c.header.language ?? "typescript";
    const situation = describeCursor(prefix, suffix, languageId, (c.header.multiline ?? "auto") as MultilineMode);
    const rendered = renderPrompt(template, {
      prefix,
      suffix,
      snippets: c.snippets,
      filepath: c.header.filepath ?? "src/main.ts",
      languageId,
      multiline: situation.multiline,
    });
    assert.equal(promptText(rendered), c.sections.get("prompt"));
    const suffixParam = c.sections.get("suffix param");
    if (suffixParam !== undefined)
      assert.equal(rendered.kind === "completion" ? rendered.suffix : undefined, suffixParam);
  });
}
