/**
 * Definitions from other files reach the prompt: each case in
 * test/unit/completion/golden/context is a small workspace (`--- file <path>` sections) and a
 * document with the cursor; it goes through the real `POST /api/complete` with that
 * workspace as root, and the prompt the scripted model receives must hold every
 * `--- in-prompt…` section and none of the `--- not-in-prompt` lines.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { scriptedSuite } from "./helpers/suite";
import { loadGolden, splitCursor } from "../unit/completion/golden-format";
import type { CompletionRequest, CompletionResponse } from "../../server/api/completion";

const suite = scriptedSuite({ AICOCKPIT_LLM_MODEL: "qwen2.5-coder:1.5b-base" });
const cases = loadGolden(join(__dirname, "..", "unit", "completion", "golden", "context"));
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

test("context golden cases exist", () => assert.ok(cases.length >= 6));

for (const c of cases) {
  test(`definitions in the prompt: ${c.name}`, async () => {
    const root = mkdtempSync(join(tmpdir(), "aicockpit-ctx-"));
    roots.push(root);
    for (const [name, content] of c.sections) {
      if (!name.startsWith("file ")) continue;
      const p = join(root, name.slice(5).trim());
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content.endsWith("\n") ? content : `${content}\n`);
    }
    const { prefix, suffix } = splitCursor(c);
    const filepath = join(root, c.header.path ?? "src/app.ts");
    mkdirSync(dirname(filepath), { recursive: true });
    writeFileSync(filepath, prefix + suffix);
    const body: CompletionRequest = {
      filepath,
      languageId: c.header.language ?? "typescript",
      prefix,
      suffix,
      workspaceRoot: root,
    };
    // Context sources have a 50 ms time box: on a loaded machine the first, cold reads of the
    // workspace and the grammar's first load miss it (and go on in the background, into the
    // backend's caches), as on a user's first keystrokes. So the keystrokes go on — each in a
    // sibling file, never a cache hit — until the prompt carries the definitions (at most 40).
    const wanted = [...c.sections].filter(([name]) => name.startsWith("in-prompt")).map(([, text]) => text);
    const banned = (c.sections.get("not-in-prompt") ?? "").split("\n").filter((l) => l !== "");
    let prompt = "";
    // With nothing wanted (a secret or ignored import) a few warm keystrokes must still leak nothing.
    for (let attempt = 0; attempt < (wanted.length > 0 ? 40 : 5); attempt++) {
      suite.ai.reset();
      suite.ai.enqueue({ text: "x" });
      const res = await suite.backend.call<CompletionResponse>("POST", "/api/complete", {
        ...body,
        ...(attempt > 0 ? { filepath: join(dirname(filepath), `keystroke-${attempt}${extname(filepath)}`) } : {}),
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const [sent] = suite.ai.completionRequests();
      assert.ok(sent, "the model was asked");
      prompt = (sent.body as { prompt: string }).prompt;
      for (const line of banned) assert.ok(!prompt.includes(line), `${line} leaked into:\n${prompt}`);
      if (wanted.length > 0 && wanted.every((w) => prompt.includes(w))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const w of wanted) assert.ok(prompt.includes(w), `missing from:\n${prompt}`);
  });
}
