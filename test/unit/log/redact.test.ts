import { test } from "node:test";
import assert from "node:assert/strict";
import { Redactor } from "../../../common/redact";

test("known secrets are replaced wherever they appear", () => {
  const r = new Redactor();
  const token = "a3f1".repeat(16);
  r.add(token);
  r.add("my-azure-key-0123456789");
  assert.equal(r.redact(`token=${token}&x=${token}`), "token=***&x=***");
  assert.equal(r.redact('{"apiKey":"my-azure-key-0123456789"}'), '{"apiKey":"***"}');
});

test("Bearer headers and sk- keys are caught even when never registered", () => {
  const r = new Redactor();
  assert.equal(r.redact("Authorization: Bearer abcdef0123456789"), "Authorization: Bearer ***");
  assert.equal(r.redact("authorization: bearer abcdef0123456789"), "authorization: Bearer ***");
  assert.equal(r.redact("Incorrect API key provided: sk-proj-AbC123xyz_-456."), "Incorrect API key provided: sk-***.");
  assert.equal(r.redact("task-list and sk-short"), "task-list and sk-short", "short look-alikes stay");
});

test("short strings are not registered; removed secrets are no longer redacted; overlapping secrets fully hidden", () => {
  const r = new Redactor();
  r.add("abc");
  r.add(undefined);
  assert.equal(r.redact("abc abc"), "abc abc");
  r.add("secret-value");
  r.add("secret-value-longer");
  assert.equal(r.redact("secret-value-longer"), "***");
  r.remove("secret-value-longer");
  r.remove("secret-value");
  assert.equal(r.redact("secret-value"), "secret-value");
});
