/** quoteArgv against a real POSIX shell: what the remote shell receives is exactly the argv. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { quoteArgv, quotePosix } from "../../../server/hosts/quote";

test("every argument reaches the program unchanged through sh -c (spaces, quotes, globs, substitutions, newlines)", () => {
  const args = [
    "a b",
    "it's",
    "'",
    "''",
    "$(echo no)",
    "`echo no`",
    "$HOME",
    "*",
    "a;b",
    "a|b",
    "a&&b",
    "-n",
    "",
    "x\ny",
    "\\",
    "ünï",
    "%s",
    "!",
  ];
  const out = execFileSync("sh", ["-c", quoteArgv(["printf", "[%s]\\n", ...args])], { encoding: "utf8" });
  assert.equal(out, args.map((a) => `[${a}]\n`).join(""));
});

test("plain words stay readable; exec prefix; NUL and empty argv refused", () => {
  assert.equal(quoteArgv(["docker", "ps", "--format", "{{json .}}"]), "exec docker ps --format '{{json .}}'");
  assert.equal(quotePosix("/usr/bin/env"), "/usr/bin/env");
  assert.equal(quotePosix(""), "''");
  assert.throws(() => quotePosix("a\0b"), /NUL/);
  assert.throws(() => quoteArgv([]), /empty/);
});
