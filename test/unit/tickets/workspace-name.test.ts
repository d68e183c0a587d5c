import { test } from "node:test";
import assert from "node:assert/strict";
import { WORKSPACE_NAME_PATTERN } from "../../../server/api/workspaces";
import { TICKET_ID_PATTERN } from "../../../server/api/tickets";
import { ticketWorkspaceName } from "../../../server/tickets/workspace";

test("a ticket's workspace name is a valid workspace name, readable, and distinct per ticket id", () => {
  assert.equal(ticketWorkspaceName("42"), "ticket-42");
  assert.equal(ticketWorkspaceName("proj-7_b"), "ticket-proj-7_b");
  const ids = ["PROJ-123", "proj-123", "a".repeat(64), `${"a".repeat(63)}b`, "_x", "-"];
  const names = ids.map(ticketWorkspaceName);
  for (const [i, n] of names.entries()) {
    assert.ok(TICKET_ID_PATTERN.test(ids[i]!));
    assert.match(n, WORKSPACE_NAME_PATTERN, n);
  }
  assert.equal(new Set(names).size, names.length, names.join(" "));
  assert.match(ticketWorkspaceName("PROJ-123"), /^ticket-proj-123-[0-9a-f]{8}$/);
});
