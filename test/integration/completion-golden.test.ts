/**
 * Every golden postprocessing case (test/unit/completion/golden/postprocess) through the real
 * `POST /api/complete`: the scripted model streams the case's raw output in small chunks, so
 * the engine's early stops (findCut on each chunk) and the final cleaning both run, exactly
 * as for a user. Cases that need what a request cannot set (a stop sequence of the service,
 * a time-limit cut) run in the unit suite only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { scriptedSuite } from "./helpers/suite";
import { loadGolden, splitCursor } from "../unit/completion/golden-format";
import type { CompletionRequest, CompletionResponse, CompletionTemplateName } from "../../server/api/completion";

const suite = scriptedSuite({ AICOCKPIT_LLM_MODEL: "qwen2.5-coder:1.5b-base" });
const cases = loadGolden(join(__dirname, "..", "unit", "completion", "golden", "postprocess"));

/** Small, uneven chunks: rules must hold whatever the boundaries. */
function chunked(text: string): string[] {
  const out: string[] = [];
  for (let i = 0, n = 3; i < text.length; i += n, n = n === 3 ? 7 : 3) out.push(text.slice(i, i + n));
  return out.length > 0 ? out : [""];
}

test("golden cases run through the API", () => {
  assert.ok(cases.filter((c) => !c.header.stop && c.header.partial !== "true").length >= 80);
});

for (const [i, c] of cases.entries()) {
  if (c.header.stop || c.header.partial === "true") continue;
  test(`POST /api/complete: ${c.name}`, async () => {
    const { prefix, suffix } = splitCursor(c);
    suite.ai.reset();
    suite.ai.enqueue({ chunks: chunked(c.sections.get("model")!) });
    const body: CompletionRequest = {
      filepath: `/work/golden/${i}-${c.name}.${c.header.language ?? "ts"}`,
      languageId: c.header.language ?? "typescript",
      prefix,
      suffix,
      template: (c.header.template ?? "qwen") as CompletionTemplateName,
      multiline: (c.header.multiline ?? "auto") as CompletionRequest["multiline"],
    };
    let res = await suite.backend.call<CompletionResponse>("POST", "/api/complete", body);
    // The parse tree's hints have the engine's 50 ms time box: on a loaded machine the grammar's
    // first load misses it and goes on in the background, as on a user's first keystroke. The
    // keystrokes go on (each as another file, never a cache hit) until the tree has answered.
    const expected0 = c.sections.get("expected")!;
    for (let k = 1; c.name.startsWith("scope-tree-") && res.body.completion !== expected0 && k < 20; k++) {
      await new Promise((r) => setTimeout(r, 100));
      suite.ai.reset();
      suite.ai.enqueue({ chunks: chunked(c.sections.get("model")!) });
      res = await suite.backend.call<CompletionResponse>("POST", "/api/complete", {
        ...body,
        filepath: body.filepath.replace(/(\.\w+)$/, `-${k}$1`),
      });
    }
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const expected = c.sections.get("expected")!;
    if (res.body.source === "skipped") assert.equal(expected, "<null>", `skipped: ${res.body.reason}`);
    assert.equal(res.body.completion, expected === "<null>" ? null : expected);
    assert.equal(res.body.replaceSuffixChars, Number(c.header.replace ?? "0"), "replaceSuffixChars");
  });
}
