/**
 * Properties of the validator over generated input (fast-check):
 * - whatever follows a legitimate command, a shell metacharacter outside quotes never lets it through;
 * - a verdict's argv validated again (as a confirm token's argv is) gives the same decision and argv;
 * - what may run is always docker, and every word of it is plain (no control characters).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { validateArgv, validateCommand } from "../../../server/gateway/validate";

const opts = { container: "app" };
const META = [
  ";",
  "&&",
  "||",
  "|",
  "&",
  ">",
  "<",
  "$(",
  "`",
  "\n",
  "*",
  "?",
  "(",
  ")",
  "{a,b}",
  "#x",
  "\\",
  "!",
  "${X}",
];
const word = fc.stringMatching(/^[A-Za-z0-9_./:=,-]{1,12}$/);
const prefix = fc.constantFrom(
  "docker logs --tail 5 app",
  "docker inspect app",
  "docker exec app ls",
  "docker restart app",
  "docker ps",
);

test("an unquoted shell metacharacter anywhere after a legitimate command is always refused", () => {
  fc.assert(
    // At least one word after it: a trailing line break is only the end of the answer (trimmed), not a second command.
    fc.property(
      prefix,
      fc.array(word, { maxLength: 3 }),
      fc.constantFrom(...META),
      fc.array(word, { minLength: 1, maxLength: 3 }),
      (p, before, meta, after) => {
        const cmd = [p, ...before, meta, ...after].join(" ");
        const v = validateCommand(cmd, opts);
        assert.equal(v.decision, "refused", `${JSON.stringify(cmd)} → ${v.decision}`);
      },
    ),
    { numRuns: 2_000 },
  );
});

test("re-validating a verdict's argv (the confirm-token path) gives the same decision and argv", () => {
  const quoted = fc.oneof(
    word,
    word.map((w) => `'${w} ${w}'`),
    word.map((w) => `"${w}"`),
    fc.constant("'{{.State.Status}}'"),
    fc.constant(`'it'"'"'s $x'`),
  );
  const sub = fc.constantFrom(
    "logs",
    "inspect",
    "ps",
    "exec app",
    "restart",
    "stop -t 3",
    "stats --no-stream",
    "top",
    "exec -u nobody app",
    "kill -s HUP",
  );
  fc.assert(
    fc.property(
      sub,
      fc.array(fc.oneof(quoted, fc.constantFrom("app", "--tail", "5", "-a", "--format", "-f", "name=app")), {
        maxLength: 5,
      }),
      (s, rest) => {
        const v = validateCommand(`docker ${s} ${rest.join(" ")}`, opts);
        if (v.decision === "refused") return;
        const again = validateArgv(v.argv!, opts);
        assert.equal(again.decision, v.decision);
        assert.deepEqual(again.argv, v.argv);
        assert.equal(v.argv![0], "docker");
      },
    ),
    { numRuns: 2_000 },
  );
});

test("arbitrary text never yields a runnable command that is not docker, or that carries control characters", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (text) => {
      const v = validateCommand(text, opts);
      if (v.decision === "refused") return;
      assert.equal(v.argv![0], "docker");
      assert.ok(v.argv!.every((a) => !/[\u0000-\u001f\u007f]/.test(a)));
    }),
    { numRuns: 5_000 },
  );
});
