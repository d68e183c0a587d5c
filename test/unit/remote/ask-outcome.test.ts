/** Gateway answer → what "Ask a Container" shows (extension/remote/ask-outcome.ts). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { GatewayExecuteResponse, GatewayStatus } from "../../../server/api/gateway";
import { GATEWAY_STATUSES } from "../../../server/api/gateway";
import { askOutcome, SHORT_OUTPUT_CHARS } from "../../../extension/remote/ask-outcome";

const target = { host: "rig", container: "app" };
const res = (overall_status: GatewayStatus, extra: Partial<GatewayExecuteResponse> = {}): GatewayExecuteResponse => ({
  request_id: "r1",
  gateway_instance_id: "g1",
  overall_status,
  ...extra,
});

describe("askOutcome", () => {
  test("SUCCESS with lines: an editor document with the command on top, then the output", () => {
    const o = askOutcome(
      res("SUCCESS", {
        command: "docker logs --tail 2 app",
        argv: ["docker", "logs", "--tail", "2", "app"],
        exit_code: 0,
        stdout: "a\nb\n",
        stderr: "",
        execution_time_ms: 12,
      }),
      target,
    );
    assert.equal(o.kind, "output");
    if (o.kind !== "output") return;
    assert.equal(o.ok, true);
    assert.equal(o.short, undefined, "several lines go to an editor");
    assert.equal(o.document, "$ docker logs --tail 2 app\n# exit 0, 12 ms — app on rig\n\na\nb\n");
  });
  test("SUCCESS with one short line: a notification", () => {
    const o = askOutcome(res("SUCCESS", { command: "docker restart app", stdout: "app\n", exit_code: 0 }), target);
    assert.equal(o.kind === "output" && o.short, "app");
    const long = askOutcome(res("SUCCESS", { command: "x", stdout: "y".repeat(SHORT_OUTPUT_CHARS + 1) }), target);
    assert.equal(long.kind === "output" && long.short, undefined);
  });
  test("COMMAND_FAILED: stderr and the exit code are shown, never as a short success toast", () => {
    const o = askOutcome(
      res("COMMAND_FAILED", { command: "docker top app", exit_code: 1, stderr: "Error: app is not running\n" }),
      target,
    );
    assert.equal(o.kind, "output");
    if (o.kind !== "output") return;
    assert.equal(o.ok, false);
    assert.equal(o.short, undefined);
    assert.match(o.summary, /failed: exit 1/);
    assert.match(o.document, /--- stderr ---\nError: app is not running\n$/);
  });
  test("truncated output says so; a signal is named", () => {
    const o = askOutcome(
      res("COMMAND_FAILED", { command: "c", signal: "KILL", stdout: "x", truncated: { stdout: true, stderr: false } }),
      target,
    );
    assert.ok(o.kind === "output" && /signal KILL/.test(o.summary) && /stdout cut/.test(o.document));
  });
  test("CONFIRMATION_REQUIRED: the exact command, the reasons and the token", () => {
    const o = askOutcome(
      res("CONFIRMATION_REQUIRED", {
        command: "docker restart app",
        argv: ["docker", "restart", "app"],
        confirm_token: "tok",
        reasons: ["changes the state"],
      }),
      target,
    );
    assert.deepEqual(o, {
      kind: "confirm",
      command: "docker restart app",
      reasons: ["changes the state"],
      token: "tok",
    });
    assert.equal(
      askOutcome(res("CONFIRMATION_REQUIRED", { command: "docker restart app" }), target).kind,
      "message",
      "no token, no Run button",
    );
  });
  test("VALIDATION_ERROR: refused, nothing ran, with every reason", () => {
    const o = askOutcome(
      res("VALIDATION_ERROR", {
        command: "docker ps; rm -rf /",
        reasons: ["more than one command", "shell operator ;"],
      }),
      target,
    );
    assert.equal(o.kind, "message");
    if (o.kind !== "message") return;
    assert.equal(o.severity, "error");
    assert.match(o.message, /Refused: docker ps; rm -rf \/\. Nothing ran\./);
    assert.equal(o.detail, "• more than one command\n• shell operator ;");
  });
  test("the other statuses say what happened and where", () => {
    const m = (s: GatewayStatus, extra: Partial<GatewayExecuteResponse> = {}) => {
      const o = askOutcome(res(s, extra), target);
      assert.equal(o.kind, "message", s);
      return o.kind === "message" ? o.message : "";
    };
    assert.match(
      m("LLM_ERROR", { error_details: { error_code: "LLM_UNAVAILABLE", error_message: "503 from upstream" } }),
      /AI service failed: 503 from upstream\. Nothing ran/,
    );
    assert.match(
      m("CONFIGURATION_ERROR", {
        error_details: { error_code: "NO_PROVIDER", error_message: "No AI provider is configured." },
      }),
      /No AI provider is configured\. Nothing ran/,
    );
    assert.match(m("TIMEOUT", { command: "docker logs app" }), /docker logs app did not finish in time on app on rig/);
    assert.match(
      m("CONNECTION_ERROR", { error_details: { error_code: "HOST_UNREACHABLE", error_message: "ECONNREFUSED" } }),
      /Could not reach host rig: ECONNREFUSED/,
    );
    const local = askOutcome(res("CONNECTION_ERROR"), { host: "local", container: "app" });
    assert.match(local.kind === "message" ? local.message : "", /Docker on this machine/);
    assert.match(m("DRY_RUN", { command: "docker ps" }), /Would run without asking: docker ps/);
  });
  test("every status of the contract has an outcome", () => {
    for (const s of GATEWAY_STATUSES) assert.ok(askOutcome(res(s, { confirm_token: "t" }), target).kind, s);
  });
});
