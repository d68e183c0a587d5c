import { test } from "node:test";
import assert from "node:assert/strict";
import { BackendClient } from "../../../../extension/backend/client";
import { parseReadyLine } from "../../../../extension/backend/supervisor";
import { backendTestEnv, isAlive, nextEvent, realBackend } from "./real-backend";

test("spawns the real backend and reports ready with port, token and pid", async () => {
  const { sup, events } = realBackend();
  const ready = nextEvent(sup, "ready");
  await sup.start();
  const { connection } = await ready;
  try {
    assert.ok(connection.port > 0);
    assert.equal(connection.token.length, 64);
    assert.equal(connection.pid, sup.pid);
    assert.deepEqual(sup.current(), connection);
    assert.deepEqual(
      events.map((e) => e.type),
      ["starting", "spawned", "ready"],
    );
    const client = new BackendClient(() => sup.current());
    assert.equal((await client.call("GET /health")).status, "ok");
  } finally {
    await sup.stop();
  }
});

test("kill -9 → restart with doubling backoff → ready again with a new token", async () => {
  const { sup, events, logger } = realBackend({ initialBackoffMs: 150, stableAfterMs: 60_000 });
  await sup.start();
  const first = (await nextEvent(sup, "ready")).connection;
  try {
    const restarting1 = nextEvent(sup, "restarting");
    const ready2 = nextEvent(sup, "ready");
    process.kill(first.pid, "SIGKILL");
    const r1 = await restarting1;
    assert.equal(r1.delayMs, 150);
    assert.match(r1.reason, /killed by SIGKILL/);
    const second = (await ready2).connection;
    assert.notEqual(second.token, first.token);
    assert.notEqual(second.pid, first.pid);
    assert.ok(!isAlive(first.pid));

    const client = new BackendClient(() => sup.current());
    assert.equal((await client.call("GET /ready")).provider.ok, false);
    // The old token is worthless against the new process.
    const stale = new BackendClient(() => ({ baseUrl: second.baseUrl, token: first.token }));
    await assert.rejects(stale.call("GET /ready"), { code: "UNAUTHORIZED" });

    const restarting2 = nextEvent(sup, "restarting");
    const ready3 = nextEvent(sup, "ready");
    process.kill(second.pid, "SIGKILL");
    assert.equal((await restarting2).delayMs, 300, "second failure in a row doubles the delay");
    await ready3;
    const exited = events.filter((e) => e.type === "exited");
    assert.equal(exited.length, 2);
    assert.ok(logger.lines.some((l) => l.startsWith("error backend was killed by SIGKILL")));
  } finally {
    await sup.stop();
  }
});

test("stop sends SIGTERM, the backend exits, and no restart follows", async () => {
  const { sup, events } = realBackend();
  await sup.start();
  const { connection } = await nextEvent(sup, "ready");
  await sup.stop();
  assert.ok(!isAlive(connection.pid));
  assert.equal(sup.current(), undefined);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    events.slice(-1).map((e) => e.type),
    ["stopped"],
  );
  assert.ok(!events.some((e) => e.type === "exited" || e.type === "restarting"));
});

test("stop escalates to SIGKILL when the process ignores SIGTERM", async () => {
  const script = `process.on("SIGTERM", () => {}); console.log('AICOCKPIT_READY {"port":9}'); setInterval(() => {}, 1000);`;
  const { sup, logger } = realBackend({ args: ["-e", script], stopGraceMs: 300 });
  await sup.start();
  const { connection } = await nextEvent(sup, "ready");
  const t0 = Date.now();
  await sup.stop();
  assert.ok(Date.now() - t0 >= 300);
  assert.ok(!isAlive(connection.pid));
  assert.ok(logger.lines.some((l) => /ignored SIGTERM .* sending SIGKILL/.test(l)));
});

test("a backend that never prints its ready line is killed after the timeout", async () => {
  const { sup } = realBackend({
    args: ["-e", "setInterval(() => {}, 1000)"],
    readyTimeoutMs: 400,
    maxConsecutiveFailures: 1,
  });
  const failed = nextEvent(sup, "failed");
  const exited = nextEvent(sup, "exited");
  await sup.start();
  const pid = sup.pid!;
  assert.match((await failed).reason, /did not print its ready line within 400 ms/);
  assert.equal((await exited).beforeReady, true);
  assert.ok(!isAlive(pid));
});

test("a config error stops retries and surfaces the backend's own message", async () => {
  const { sup, events } = realBackend({
    env: async () => backendTestEnv({ AICOCKPIT_LLM_KIND: "bogus", AICOCKPIT_LLM_MODEL: "m" }),
  });
  const failed = nextEvent(sup, "failed");
  await sup.start();
  const { reason } = await failed;
  assert.match(reason, /exited with code 2 before it was ready/);
  assert.match(reason, /AICOCKPIT_LLM_KIND must be one of openai, azure, gemini, custom, local \(got "bogus"\)/);
  assert.ok(!events.some((e) => e.type === "restarting"), "the same env would fail again");
});

test("gives up after repeated start failures and can be started again", async () => {
  const { sup, events } = realBackend({
    args: ["-e", "process.exit(1)"],
    initialBackoffMs: 20,
    maxConsecutiveFailures: 3,
  });
  const failed = nextEvent(sup, "failed");
  await sup.start();
  assert.match((await failed).reason, /exited with code 1 .*gave up after 3 failures/);
  assert.deepEqual(
    events.filter((e) => e.type === "restarting").map((e) => (e.type === "restarting" ? e.delayMs : 0)),
    [20, 40],
  );
  const failedAgain = nextEvent(sup, "failed");
  await sup.start();
  await failedAgain;
});

test("a command that cannot be spawned is reported, not thrown", async () => {
  const { sup } = realBackend({ command: "/nonexistent/node-binary", maxConsecutiveFailures: 1 });
  const failed = nextEvent(sup, "failed");
  await sup.start();
  assert.match((await failed).reason, /cannot start \/nonexistent\/node-binary: .*ENOENT/);
});

test("a crash is noticed even while a process the backend started still holds its pipes", async () => {
  // The grandchild inherits stdout/stderr, so 'close' never comes while it lives.
  const script = `const c = require("node:child_process").spawn("sleep", ["20"], { stdio: "inherit" });
    console.error("grandchild " + c.pid); console.log('AICOCKPIT_READY {"port":9}'); setInterval(() => {}, 1000);`;
  const { sup, logger } = realBackend({ args: ["-e", script], initialBackoffMs: 50 });
  await sup.start();
  const { connection } = await nextEvent(sup, "ready");
  const grandchild = Number(/grandchild (\d+)/.exec(logger.lines.join("\n"))?.[1]);
  try {
    const restarting = nextEvent(sup, "restarting", 5_000);
    process.kill(connection.pid, "SIGKILL");
    assert.match((await restarting).reason, /killed by SIGKILL/);
  } finally {
    await sup.stop();
    if (grandchild > 0 && isAlive(grandchild)) process.kill(grandchild, "SIGKILL");
  }
});

test("concurrent restarts and a stop run one after another and leave no process behind", async () => {
  const { sup } = realBackend();
  await sup.start();
  const first = (await nextEvent(sup, "ready")).connection;
  const ready = nextEvent(sup, "ready");
  await Promise.all([sup.restart(), sup.restart()]);
  const last = (await ready).connection;
  assert.ok(!isAlive(first.pid));
  await sup.stop();
  assert.ok(!isAlive(last.pid));
  assert.equal(sup.pid, undefined);
});

test("parseReadyLine accepts only a sane port", () => {
  assert.equal(parseReadyLine('AICOCKPIT_READY {"port":4321}'), 4321);
  assert.equal(parseReadyLine('AICOCKPIT_READY {"port":0}'), undefined);
  assert.equal(parseReadyLine('AICOCKPIT_READY {"port":"80"}'), undefined);
  assert.equal(parseReadyLine("AICOCKPIT_READY nope"), undefined);
});

test("a hung backend (SIGSTOP: running, not answering) is killed after 2 missed health checks and restarted, saying why", async () => {
  const { sup, events, logger } = realBackend({
    healthIntervalMs: 300,
    healthTimeoutMs: 400,
    initialBackoffMs: 100,
    stableAfterMs: 60_000,
  });
  await sup.start();
  const first = (await nextEvent(sup, "ready")).connection;
  try {
    // Healthy for several intervals: no false alarm.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.ok(!events.some((e) => e.type === "exited"), "a healthy backend is left alone");

    const restarting = nextEvent(sup, "restarting");
    const ready2 = nextEvent(sup, "ready");
    process.kill(first.pid, "SIGSTOP");
    const r = await restarting;
    assert.equal(r.reason, "backend stopped answering (2 health checks timed out)");
    const second = (await ready2).connection;
    assert.notEqual(second.pid, first.pid);
    assert.ok(!isAlive(first.pid), "the hung process is gone, not left stopped");
    assert.ok(
      logger.lines.some((l) =>
        /^error backend stopped answering \(2 health checks timed out\); killing pid \d+/.test(l),
      ),
    );
    const client = new BackendClient(() => sup.current());
    assert.equal((await client.call("GET /health")).status, "ok");
  } finally {
    try {
      process.kill(first.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    await sup.stop();
  }
});
