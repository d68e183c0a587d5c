/**
 * GatewayService decisions that need no Docker: how host-layer failures map to statuses,
 * that the model is never asked for a bad target, and that dry runs never reach a runner.
 * (The real paths are in test/integration/command-gateway.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { AppError } from "../../../server/errors";
import type { LlmService } from "../../../server/llm/service";
import { Aliases } from "../../../server/gateway/aliases";
import { AuditLog } from "../../../server/gateway/audit-log";
import { ConfirmTokens } from "../../../server/gateway/confirm-token";
import { createGatewayMetrics } from "../../../server/gateway/metrics";
import { GatewayService } from "../../../server/gateway/service";
import type { RunOptions, RunResult } from "../../../server/gateway/execute";

function setup(
  answer: () => Promise<string>,
  remote: (host: string, argv: readonly string[], o: RunOptions) => Promise<RunResult>,
  active = true,
) {
  const dir = mkdtempSync(join(tmpdir(), "gw-unit-"));
  let asked = 0;
  const ran: string[][] = [];
  const llm = {
    active: () => (active ? { id: "x", kind: "custom", model: "m" } : null),
    chat: () => (asked++, answer()),
  } as unknown as LlmService;
  const svc = new GatewayService({
    llm,
    aliases: new Aliases(dir, undefined),
    tokens: new ConfirmTokens(),
    audit: new AuditLog(dir),
    metrics: createGatewayMetrics(new Registry()),
    hasHost: (id) => id === "box",
    remote: { exec: (h, a, o) => (ran.push([...a]), remote(h, a, o)) },
    local: async (a) => (
      ran.push([...a]),
      {
        exitCode: 0,
        signal: null,
        stdout: "ok\n",
        stderr: "",
        truncated: { stdout: false, stderr: false },
        durationMs: 1,
      }
    ),
    timeoutMs: 1_000,
    maxOutputBytes: 1024,
  });
  return { svc, dir, asked: () => asked, ran };
}

const never = () => Promise.reject(new Error("must not be called"));
const box = { host: "box", container: "app" };

test("host-layer failures become TIMEOUT, CONNECTION_ERROR or CONFIGURATION_ERROR with the layer's code", async () => {
  const cases: [string, string][] = [
    ["HOST_COMMAND_TIMEOUT", "TIMEOUT"],
    ["HOST_CONNECTION_LOST", "CONNECTION_ERROR"],
    ["HOST_UNREACHABLE", "CONNECTION_ERROR"],
    ["HOST_AUTH_FAILED", "CONNECTION_ERROR"],
    ["HOST_KEY_CHANGED", "CONNECTION_ERROR"],
    ["HOST_KEY_UNKNOWN", "CONFIGURATION_ERROR"],
    ["HOST_SECRET_REQUIRED", "CONFIGURATION_ERROR"],
  ];
  for (const [code, status] of cases) {
    const { svc } = setup(
      async () => "docker logs --tail 1 app",
      () => Promise.reject(new AppError(code as never, `${code} happened`)),
    );
    const r = await svc.execute({ intent: "x", target: box }, new AbortController().signal);
    assert.equal(r.overall_status, status, code);
    assert.deepEqual(r.error_details, { error_code: code, error_message: `${code} happened` });
    assert.deepEqual(r.argv, ["docker", "logs", "--tail", "1", "app"]);
  }
});

test("a remote non-zero exit is COMMAND_FAILED, the engine's own 'cannot connect' is CONNECTION_ERROR", async () => {
  const res = (exitCode: number, stderr: string): RunResult => ({
    exitCode,
    signal: null,
    stdout: "",
    stderr,
    truncated: { stdout: false, stderr: false },
    durationMs: 3,
  });
  const a = setup(
    async () => "docker inspect app",
    async () => res(1, "Error: No such object: app\n"),
  );
  assert.equal(
    (await a.svc.execute({ intent: "x", target: box }, new AbortController().signal)).overall_status,
    "COMMAND_FAILED",
  );
  const b = setup(
    async () => "docker inspect app",
    async () =>
      res(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"),
  );
  const r = await b.svc.execute({ intent: "x", target: box }, new AbortController().signal);
  assert.equal(r.overall_status, "CONNECTION_ERROR");
  assert.equal(r.error_details?.error_code, "DOCKER_UNAVAILABLE");
});

test("unknown host, bad container and no provider are answered before the model is asked", async () => {
  const s = setup(never, never);
  const unknown = await s.svc.execute(
    { intent: "x", target: { host: "nope", container: "app" } },
    new AbortController().signal,
  );
  assert.equal(unknown.overall_status, "CONFIGURATION_ERROR");
  const bad = await s.svc.execute(
    { intent: "x", target: { host: "local", container: "../etc" } },
    new AbortController().signal,
  );
  assert.equal(bad.overall_status, "VALIDATION_ERROR");
  assert.equal(s.asked(), 0);
  const np = setup(never, never, false);
  const r = await np.svc.execute(
    { intent: "x", target: { host: "local", container: "app" } },
    new AbortController().signal,
  );
  assert.equal(r.overall_status, "CONFIGURATION_ERROR");
  assert.equal(r.error_details?.error_code, "NO_PROVIDER");
});

test("the model's failure is LLM_ERROR; nothing runs", async () => {
  const s = setup(
    () => Promise.reject(new AppError("PROVIDER_TIMEOUT", "The AI service did not answer in time.")),
    never,
  );
  const r = await s.svc.execute({ intent: "x", target: box }, new AbortController().signal);
  assert.equal(r.overall_status, "LLM_ERROR");
  assert.equal(r.error_details?.error_code, "PROVIDER_TIMEOUT");
  assert.equal(s.ran.length, 0);
});

test("dry runs and refusals reach no runner; confirmation then runs exactly the signed argv on the signed host", async () => {
  const s = setup(
    async () => "docker restart app",
    async (_h, a) => ({
      exitCode: 0,
      signal: null,
      stdout: `${a.at(-1)}\n`,
      stderr: "",
      truncated: { stdout: false, stderr: false },
      durationMs: 1,
    }),
  );
  const dry = await s.svc.execute({ intent: "x", target: box, dryRun: true }, new AbortController().signal);
  assert.equal(dry.overall_status, "CONFIRMATION_REQUIRED");
  const asked = await s.svc.execute({ intent: "x", target: box }, new AbortController().signal);
  assert.equal(s.ran.length, 0);
  const done = await s.svc.execute(
    { intent: "ignored", target: box, confirmToken: asked.confirm_token! },
    new AbortController().signal,
  );
  assert.equal(done.overall_status, "SUCCESS");
  assert.deepEqual(s.ran, [["docker", "restart", "app"]]);
  assert.equal(s.asked(), 2, "the confirmed request did not ask the model");
  const audit = readFileSync(join(s.dir, "gateway-audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { status: string; confirmed: boolean; dry_run: boolean });
  assert.deepEqual(
    audit.map((e) => [e.status, e.dry_run, e.confirmed]),
    [
      ["CONFIRMATION_REQUIRED", true, false],
      ["CONFIRMATION_REQUIRED", false, false],
      ["SUCCESS", false, true],
    ],
  );
});
