/**
 * AICOCKPIT_TICKETS_EXEC_USER is read with the rest of the configuration: a bad value stops the
 * backend before it listens with a line that says what is expected, instead of failing a
 * ticket's first command in a workspace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../server/config/env";
import { ticketExecUser } from "../../../server/tickets/exec-user";

const TOKEN = { AICOCKPIT_TOKEN: "t".repeat(32) };

test("a uid:gid in digits is taken, and is who the ticket's commands run as", () => {
  const cfg = loadConfig({ ...TOKEN, AICOCKPIT_TICKETS_EXEC_USER: " 1000:1001 " });
  assert.equal(cfg.tickets.execUser, "1000:1001");
  assert.equal(ticketExecUser(cfg.tickets.execUser), "1000:1001");
});

test("unset or empty: none configured, the backend's own uid:gid is used (the image's user when root)", () => {
  for (const v of [undefined, "", "  "]) {
    const cfg = loadConfig({ ...TOKEN, AICOCKPIT_TICKETS_EXEC_USER: v });
    assert.equal(cfg.tickets.execUser, undefined);
    assert.equal("execUser" in cfg.tickets, false);
  }
  const uid = process.getuid?.();
  assert.equal(ticketExecUser(undefined), uid === undefined || uid === 0 ? undefined : `${uid}:${process.getgid?.()}`);
});

test("anything else is a ConfigError naming the variable, the expected form and the value given", () => {
  for (const bad of [
    "root",
    "1000",
    "1000:",
    ":1000",
    "1000:1000:1",
    "-1:0",
    "1000:abc",
    "1000 :1000",
    "12345678901:0",
  ]) {
    assert.throws(
      () => loadConfig({ ...TOKEN, AICOCKPIT_TICKETS_EXEC_USER: bad }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.length === 1 &&
        e.problems[0] ===
          `AICOCKPIT_TICKETS_EXEC_USER must be <uid>:<gid> in digits, such as 1000:1000 (got "${bad.trim()}")`,
      bad,
    );
  }
});
