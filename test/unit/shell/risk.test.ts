import { test } from "node:test";
import assert from "node:assert/strict";
import { assess } from "../../../server/shell/risk";
import { RISK_CASES, WINDOWS_CASES } from "./risk-cases";

test("the golden set is large and covers every level", () => {
  assert.ok(RISK_CASES.length >= 150, `only ${RISK_CASES.length} cases`);
  for (const level of ["safe", "review", "dangerous"] as const) {
    assert.ok(RISK_CASES.some((c) => c.risk === level), `no ${level} case`);
  }
  const commands = RISK_CASES.map((c) => c.command);
  assert.equal(new Set(commands).size, commands.length, "duplicate commands in the golden set");
});

test("every dangerous case is classed dangerous", () => {
  const missed = RISK_CASES.filter((c) => c.risk === "dangerous")
    .map((c) => ({ c, got: assess(c.command) }))
    .filter(({ got }) => got.risk !== "dangerous")
    .map(({ c, got }) => `${JSON.stringify(c.command)} (${c.why}) → ${got.risk}: ${got.reasons.join(" ")}`);
  assert.deepEqual(missed, []);
});

test("safe and review cases get their expected level", () => {
  const wrong = RISK_CASES.filter((c) => c.risk !== "dangerous")
    .map((c) => ({ c, got: assess(c.command) }))
    .filter(({ c, got }) => got.risk !== c.risk)
    .map(({ c, got }) => `${JSON.stringify(c.command)} (${c.why}) expected ${c.risk} → ${got.risk}: ${got.reasons.join(" ")}`);
  assert.deepEqual(wrong, []);
});

test("every assessment has at least one human sentence naming a part", () => {
  for (const c of RISK_CASES) {
    const got = assess(c.command);
    assert.ok(got.reasons.length > 0, c.command);
    for (const r of got.reasons) assert.match(r, /^(`[^]+` .+\.|…and \d+ more findings\.)$/, `${c.command}: ${r}`);
  }
});

test("PowerShell and cmd cases get their expected level (every dangerous one dangerous)", () => {
  const wrong = WINDOWS_CASES.map((c) => ({ c, got: assess(c.command, { shell: c.shell }) }))
    .filter(({ c, got }) => got.risk !== c.risk)
    .map(({ c, got }) => `[${c.shell}] ${JSON.stringify(c.command)} (${c.why}) expected ${c.risk} → ${got.risk}: ${got.reasons.join(" ")}`);
  assert.deepEqual(wrong, []);
});

test("shells neither parser models are never judged safe", () => {
  const got = assess("ls", { shell: "nu" });
  assert.equal(got.risk, "review");
  assert.match(got.reasons.join(" "), /approximate nu/);
});
