import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, realpathSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTool, type ToolEnv } from "../../../server/tickets/builtin/tools";

function env(readOnly = false): ToolEnv & { root: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "aicockpit-tools-")));
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, ".git", "config"), "[core]\n");
  writeFileSync(join(root, "a.txt"), "one\ntwo\ntwo\nthree\n");
  symlinkSync("/etc", join(root, "out"));
  return {
    root,
    readOnly,
    signal: new AbortController().signal,
    runCommand: () => Promise.resolve({ ok: true, output: "ran", mutated: true }),
  };
}

test("edit_file: a unique match is replaced; none or several is an error the model sees", async () => {
  const e = env();
  assert.equal((await runTool("edit_file", { path: "a.txt", old_str: "one", new_str: "1" }, e)).ok, true);
  assert.match(readFileSync(join(e.root, "a.txt"), "utf8"), /^1\ntwo/);
  const none = await runTool("edit_file", { path: "a.txt", old_str: "zero", new_str: "0" }, e);
  assert.ok(!none.ok && /not found/.test(none.output));
  const many = await runTool("edit_file", { path: "a.txt", old_str: "two", new_str: "2" }, e);
  assert.ok(!many.ok && /2 times/.test(many.output));
  const exists = await runTool("edit_file", { path: "a.txt", new_str: "x", create: true }, e);
  assert.ok(!exists.ok && /already exists/.test(exists.output));
  assert.ok((await runTool("edit_file", { path: "new/b.txt", new_str: "b", create: true }, e)).ok);
});

test("paths stay inside the ticket folder: .., symlinks out and .git are refused", async () => {
  const e = env();
  for (const path of ["../x", "/etc/passwd", "out/passwd", ".git/config"]) {
    const r = await runTool("read_file", { path }, e);
    assert.equal(r.ok, false, path);
  }
  const w = await runTool("edit_file", { path: ".git/hooks/pre-commit", new_str: "#!/bin/sh", create: true }, e);
  assert.equal(w.ok, false);
});

test("read_file ranges and a truncation marker; read-only steps cannot edit or run", async () => {
  const e = env(true);
  assert.equal((await runTool("read_file", { path: "a.txt", start_line: 2, end_line: 3 }, e)).output, "two\ntwo");
  writeFileSync(join(e.root, "big.txt"), "x".repeat(40_000));
  assert.match((await runTool("read_file", { path: "big.txt" }, e)).output, /\[… truncated at 16384 characters/);
  assert.equal((await runTool("edit_file", { path: "a.txt", old_str: "one", new_str: "1" }, e)).ok, false);
  assert.equal((await runTool("run_command", { command: "ls" }, e)).ok, false);
});

test("search finds path:line:text", async () => {
  const e = env();
  const r = await runTool("search", { pattern: "thr" }, e);
  assert.match(r.output, /a\.txt:4:three/);
});
