import { test } from "node:test";
import assert from "node:assert/strict";
import { parseScript, type Script } from "../../../server/shell/parse";
import { programsOf } from "../../../server/shell/risk";
import { prescan } from "../../../server/shell/prescan";
import { programName } from "../../../server/shell/wrappers";

function argvs(s: Script): string[][] {
  return s.pipelines.flatMap((p) => p.commands.map((c) => c.argv.map((w) => w.text)));
}

test("chains, pipes, newlines and subshells split into every command", () => {
  assert.deepEqual(programsOf("ls && rm -rf ~ || echo no; pwd | wc -l & date\nuptime"), [
    "ls",
    "rm",
    "echo",
    "pwd",
    "wc",
    "date",
    "uptime",
  ]);
  assert.deepEqual(programsOf("(cd src && make) ; { ls; }"), ["cd", "make", "ls"]);
  assert.deepEqual(programsOf("if true; then rm x; fi"), ["true", "rm"]);
});

test("substitutions are followed, including nesting that shell-quote cannot see", () => {
  assert.deepEqual(programsOf("echo $(cat $(ls))"), ["echo", "cat", "ls"]);
  assert.deepEqual(programsOf('echo `whoami` "$(date)"'), ["echo", "whoami", "date"]);
  assert.deepEqual(programsOf("diff <(sort a) <(sort b)"), ["diff", "sort", "sort"]);
  assert.deepEqual(programsOf("echo $((1 + 2))"), ["echo"], "arithmetic is not a command");
});

test("wrappers are peeled to the program that runs", () => {
  const s = parseScript("sudo -u root env X=1 nice -n 5 timeout 10 nohup rm -rf /");
  const cmd = s.pipelines[0]!.commands[0]!;
  assert.equal(programName(cmd.argv[0]), "rm");
  assert.deepEqual(cmd.via, ["sudo", "env", "nice", "timeout", "nohup"]);
  assert.equal(cmd.privileged, true);
  assert.deepEqual(programsOf("xargs -n1 rm -f"), ["rm"]);
  assert.deepEqual(programsOf("command -v git"), ["command"], "command -v is a lookup, not a wrapper");
});

test("code given as a string is parsed as a script of its own", () => {
  assert.deepEqual(programsOf("bash -c 'ls; rm x'"), ["ls", "rm"]);
  assert.deepEqual(programsOf("eval 'cd /tmp && ls'"), ["cd", "ls"]);
  assert.deepEqual(programsOf("find . -name '*.o' -exec rm {} \\;"), ["find", "rm"]);
  assert.deepEqual(programsOf("ssh host 'systemctl restart app'"), ["ssh", "systemctl"]);
});

test("quotes, escapes and ANSI-C strings are resolved in words", () => {
  assert.deepEqual(argvs(parseScript("r''m \"-r\"f \\/ $'\\x41'")), [["rm", "-rf", "/", "A"]]);
  assert.deepEqual(argvs(parseScript("echo 'a b' \"c d\"")), [["echo", "a b", "c d"]]);
});

test("comments start only at a word; here-document bodies are data", () => {
  assert.deepEqual(argvs(parseScript("echo a#b # comment\nls")), [["echo", "a#b"], ["ls"]]);
  const s = parseScript("cat <<'EOF'\nrm -rf /\nEOF\necho done");
  assert.deepEqual(argvs(s), [["cat"], ["echo", "done"]]);
  assert.equal(s.pipelines[0]!.commands[0]!.stdinText?.literal, "rm -rf /");
});

test("variables assigned earlier resolve; unknown ones stay unknown", () => {
  assert.deepEqual(argvs(parseScript("D=/tmp/x; rm -r $D")).at(-1), ["rm", "-r", "/tmp/x"]);
  const w = parseScript("rm -r $NOPE").pipelines[0]!.commands[0]!.argv[2]!;
  assert.equal(w.literal, null);
  assert.equal(w.text, "$NOPE");
  assert.equal(parseScript("rm -r ~").pipelines[0]!.commands[0]!.argv[2]!.literal, "~");
});

test("redirections are recorded with their targets, not taken as arguments", () => {
  const c = parseScript("sort data.txt > out.txt 2>/dev/null").pipelines[0]!.commands[0]!;
  assert.deepEqual(
    c.argv.map((w) => w.text),
    ["sort", "data.txt"],
  );
  assert.deepEqual(
    c.redirects.map((r) => [r.fd, r.op, r.target.text]),
    [
      [null, ">", "out.txt"],
      ["2", ">", "/dev/null"],
    ],
  );
});

test("prescan reports what it could not close", () => {
  assert.match(prescan("echo 'open").problems.join(" "), /single quote/);
  assert.match(prescan("echo $(ls").problems.join(" "), /\$\(/);
  assert.match(prescan("cat <<EOF\nno end").problems.join(" "), /here-document/);
});
