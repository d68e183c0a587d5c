import { test } from "node:test";
import assert from "node:assert/strict";
import { outcomeMessage, shortCommand, tailLines } from "../../../../extension/shell/output";
import { stripAnsi } from "../../../../common/ansi";

test("stripAnsi drops colours and shell-integration markers and resolves \\r rewrites", () => {
  const raw = "\u001b]633;C\u0007\u001b[32mok\u001b[0m\r\n10%\r55%\r100%\r\ndone\r\n\u001b]633;D;0\u0007";
  assert.equal(stripAnsi(raw), "ok\n100%\ndone\n");
});

test("tailLines keeps the last non-empty lines and cuts long ones at the front", () => {
  assert.equal(tailLines("a\n\nb\nc\nd\n", 2, 100), "c\nd");
  assert.equal(tailLines("0123456789", 5, 5), "…6789");
  assert.equal(tailLines("", 3, 10), "");
});

test("a success shows the exit code and the last output lines on one line", () => {
  const m = outcomeMessage({ command: "ls", exitCode: 0, output: "a\nb\nc\nd\n", captured: true });
  assert.equal(m.failed, false);
  assert.equal(m.text, "AiCockpit: Exit code 0: `ls`. Output: b ⏎ c ⏎ d");
});

test("a failure is marked failed; no output and an unknown exit code are said plainly", () => {
  assert.deepEqual(outcomeMessage({ command: "false", exitCode: 1, output: "", captured: true }), {
    failed: true,
    text: "AiCockpit: Failed with exit code 1: `false`. No output.",
  });
  const unknown = outcomeMessage({ command: "x", exitCode: undefined, output: "hi", captured: true });
  assert.equal(unknown.failed, false);
  assert.match(unknown.text, /^AiCockpit: Finished \(the shell reported no exit code\)/);
});

test("without shell integration the message says nothing could be captured", () => {
  const m = outcomeMessage({ command: "make", exitCode: undefined, output: "", captured: false });
  assert.equal(
    m.text,
    "AiCockpit: Sent to a terminal without shell integration, so its exit code and output can't be captured here: `make`.",
  );
});

test("shortCommand keeps one line and cuts long commands", () => {
  assert.equal(shortCommand("a\n  b"), "a ⏎ b");
  assert.equal(shortCommand("x".repeat(100), 10), `${"x".repeat(9)}…`);
});
