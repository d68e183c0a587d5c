import { test } from "node:test";
import assert from "node:assert/strict";
import { detectProject, osLabel, packageScripts, shellName } from "../../../../extension/shell/context";

test("osLabel names the OS a person knows, with the release", () => {
  assert.equal(osLabel("linux", "6.1.0-18-amd64"), "Linux 6.1.0-18-amd64");
  assert.equal(osLabel("win32", "10.0.22631"), "Windows 10.0.22631");
  assert.equal(osLabel("darwin", "24.1.0"), "macOS (Darwin 24.1.0)");
  assert.ok(osLabel("linux", "x".repeat(500)).length <= 100, "fits the route's limit");
});

test("shellName keeps the program name of a shell path and refuses odd ones", () => {
  assert.equal(shellName("/usr/bin/bash"), "bash");
  assert.equal(shellName("C:\\Program Files\\PowerShell\\7\\pwsh.exe"), "pwsh.exe");
  assert.equal(shellName(""), undefined);
  assert.equal(shellName(undefined), undefined);
  assert.equal(shellName("/bin/sh;rm"), undefined);
});

test("package manager: lockfile beats manifest, corepack's packageManager beats both", () => {
  assert.deepEqual(detectProject(["package.json", "pnpm-lock.yaml"], '{"scripts":{"test":"x","build":"y"}}'), {
    packageManager: "pnpm",
    scripts: ["test", "build"],
  });
  assert.deepEqual(detectProject(["package.json"], "{}"), { packageManager: "npm" });
  assert.deepEqual(detectProject(["package.json", "package-lock.json"], '{"packageManager":"yarn@4.1.0"}'), {
    packageManager: "yarn",
  });
  assert.deepEqual(detectProject(["Cargo.toml", "README.md"], undefined), { packageManager: "cargo" });
  assert.deepEqual(detectProject(["pyproject.toml", "uv.lock"], undefined), { packageManager: "uv" });
  assert.equal(detectProject(["README.md"], undefined), undefined);
});

test("package.json scripts: broken JSON or odd names give nothing harmful", () => {
  assert.deepEqual(packageScripts("{not json"), []);
  assert.deepEqual(packageScripts('{"scripts":"npm test"}'), []);
  assert.deepEqual(packageScripts('{"scripts":["a"]}'), []);
  assert.deepEqual(packageScripts('{"scripts":{"ok":"1","bad\\nname":"2"}}'), ["ok"]);
  const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`s${i}`, "x"]));
  assert.equal(packageScripts(JSON.stringify({ scripts: many })).length, 200);
});
