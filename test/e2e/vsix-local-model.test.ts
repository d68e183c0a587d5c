/**
 * The packaged .vsix (linux-x64 on these machines): it carries node-llama-cpp with exactly the
 * target's CPU binary and no CUDA/Vulkan payload, and the backend *inside the package* loads a
 * real GGUF and answers through /v1 — proof that dist/node_modules resolves after installation.
 * No code-server needed; runs in the E2E stage because that stage packages the .vsix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureVsix } from "./harness";
import { startBackend, tempDir } from "../integration/helpers/backend";
import { tinyGguf } from "../fixtures/tiny-gguf";
// @ts-expect-error -- a plain .mjs script without types (scripts/ is not TypeScript)
import { checkVsix, extractVsix, zipEntries } from "../../scripts/vsix-contents.mjs";

type Entry = { name: string; size: number };

test("the .vsix carries only its platform's CPU llama.cpp binary, and its backend runs a local model", async () => {
  const vsix = await ensureVsix();
  const target = `${process.platform}-${process.arch}`;
  const report = (checkVsix as (p: string, t: string) => { binaries: string[] })(vsix, target);
  assert.deepEqual(report.binaries, [target.replace("darwin", "mac").replace("win32", "win")]);
  const entries = (zipEntries as (p: string) => Entry[])(vsix);
  const nodeModulesBytes = entries.filter((e) => e.name.includes("/node_modules/")).reduce((a, e) => a + e.size, 0);
  process.stderr.write(
    `[vsix] ${vsix}: ${(statSync(vsix).size / 1e6).toFixed(1)} MB, node_modules ${(nodeModulesBytes / 1e6).toFixed(1)} MB unpacked\n`,
  );
  assert.ok(!entries.some((e) => /cuda|vulkan/i.test(e.name)), "no CUDA/Vulkan file at all");

  const dir = tempDir("aicockpit-vsix-");
  (extractVsix as (p: string, d: string) => void)(vsix, dir);
  const model = join(dir, "tiny.gguf");
  writeFileSync(model, tinyGguf(1).bytes);
  const b = await startBackend({
    serverJs: join(dir, "extension", "dist", "server.js"),
    env: { AICOCKPIT_LLM_KIND: "local", AICOCKPIT_LLM_MODEL: model },
    readyTimeoutMs: 30_000,
  });
  try {
    const r = await b.call<{ object: string; choices: { message: { content: string } }[] }>(
      "POST",
      "/v1/chat/completions",
      { messages: [{ role: "user", content: "hi" }], max_tokens: 4 },
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.object, "chat.completion");
    assert.ok(b.stderr().includes("local model loaded"), "the packaged node-llama-cpp loaded the model");
  } finally {
    await b.stop();
  }
});
