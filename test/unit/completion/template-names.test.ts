/**
 * Template names are defined once (server/api/completion.ts). The setting's enum in
 * package.json is the one copy JSON cannot import, so this test keeps it equal: a template
 * added in code but not in the settings UI (or the reverse) fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMPLETION_TEMPLATE_NAMES } from "../../../server/api/completion";

interface Manifest {
  contributes: { configuration: { properties: Record<string, { enum?: string[] }> } };
}

test("aicockpit.completion.template's enum is exactly 'auto' plus the contract's template names", () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as Manifest;
  const setting = manifest.contributes.configuration.properties["aicockpit.completion.template"];
  assert.ok(setting?.enum, "package.json declares the setting with an enum");
  assert.deepEqual(setting.enum, ["auto", ...COMPLETION_TEMPLATE_NAMES]);
});
