import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { assess } from "../../../server/shell/risk";

// Pieces of shell syntax the new rules look at (IFS, loops, read, find/xargs, fds, >(…), editors, cmdlets).
const TOKENS = [
  "rm", "-rf", "/", "~", "~/x", "$HOME", "${IFS}", "$IFS", "IFS=,", "x=a,b", "$x", "${RM}", "{", "}", "(", ")", "{a,b}", ";", "|", "&&", "&",
  "for", "f", "in", "$(ls)", "do", "done", "while", "read", "-r", "mapfile", "-t", "\"$f\"", "find", ".", "-name", "'*.o'", "-delete", "-exec",
  "{}", "+", "\\;", "xargs", "-0", "-I{}", "sh", "-c", "'rm -rf {}'", "exec", "5<>/dev/tcp/h/1", "<&5", ">&5", "> >(sh)", "vim", "-c", "':!ls'",
  "Remove-Item", "-Recurse", "C:\\\\", "certutil", "-urlcache", "dig", "$(whoami).x.com", "chmod", "4755", "u+s", "modprobe", "iptables", "-F",
  "function", "cd()", "SuDo", "Rm", "tar", "-cf", "/dev/sda", ">>", "~/.bashrc", "\"", "'", "`", "$(", "<<", "EOF", "\n", "#",
];

test("assess never throws and always explains itself, whatever the mix of syntax", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), fc.option(fc.constantFrom("/home/me/app", "/tmp", "/"), { nil: undefined }), (words, cwd) => {
      const got = assess(words.join(" "), cwd ? { cwd } : {});
      assert.ok(["safe", "review", "dangerous"].includes(got.risk));
      assert.ok(got.reasons.length > 0);
    }),
    { numRuns: 1500 },
  );
});
