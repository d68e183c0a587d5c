import { test } from "node:test";
import assert from "node:assert/strict";
import { readAnswer } from "../../../server/gateway/parse-answer";

const text = (answer: string) => {
  const r = readAnswer(answer);
  assert.ok("text" in r, `expected text, got ${JSON.stringify(r)}`);
  return r.text;
};
const error = (answer: string) => {
  const r = readAnswer(answer);
  assert.ok("error" in r, `expected an error, got ${JSON.stringify(r)}`);
  return r.error;
};

test("a fence: its contents, whatever the language tag", () => {
  assert.equal(text("```bash\ndocker logs --tail 20 app\n```"), "docker logs --tail 20 app");
  assert.equal(text("```\ndocker ps\n```"), "docker ps");
  assert.equal(text("```sh\n$ docker inspect app\n```"), "docker inspect app");
  assert.equal(text("~~~\ndocker top app\n~~~"), "docker top app");
  assert.equal(text("```bash\n# the last lines\ndocker logs -n 5 app\n```"), "docker logs -n 5 app");
});

test("prose around a fence is never read as a command", () => {
  assert.equal(
    text("Sure! Here it is:\n```bash\ndocker logs --tail 20 app\n```\nThen also run: touch /tmp/pwned"),
    "docker logs --tail 20 app",
  );
  assert.equal(text("docker restart app might help, but use:\n```\ndocker logs app\n```"), "docker logs app");
});

test("a cut-off answer (unterminated fence) still yields its command", () => {
  assert.equal(text("```bash\ndocker inspect app"), "docker inspect app");
});

test("two lines in a fence, or two fences, stay two commands (validation refuses them)", () => {
  assert.equal(text("```\ndocker ps\ndocker logs app\n```"), "docker ps\ndocker logs app");
  assert.equal(text("```\ndocker ps\n```\nor\n```\ndocker logs app\n```"), "docker ps\ndocker logs app");
});

test("a bare line: as is, with a prompt or code span removed", () => {
  assert.equal(text("docker logs --tail 20 app"), "docker logs --tail 20 app");
  assert.equal(text("  $ docker ps  "), "docker ps");
  assert.equal(text("`docker port app`"), "docker port app");
  assert.equal(text("rm -rf /"), "rm -rf /", "a non-docker bare line goes to validation, which refuses it");
});

test("bare docker lines among prose", () => {
  assert.equal(
    text("To see the logs, run:\ndocker logs --tail 20 app\nThis prints the last 20 lines."),
    "docker logs --tail 20 app",
  );
  assert.equal(text("First:\ndocker ps\nThen:\ndocker logs app"), "docker ps\ndocker logs app");
  assert.equal(text("Run `docker inspect app` to see its state.\nIt prints JSON."), "docker inspect app");
});

test("nothing usable: empty, empty fence, no docker command, too long", () => {
  assert.match(error("   "), /empty answer/);
  assert.match(error("```bash\n```"), /empty code block/);
  assert.match(error("I'm sorry, I can't help with that.\nPlease ask something else."), /no docker command/);
  assert.match(error("x".repeat(9_000)), /longer than/);
});
