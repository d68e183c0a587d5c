/**
 * Containers on any host (/api/hosts/:host/containers…) against the rig: every container (not
 * only workspaces), inspect without the environment, logs (tail and a followed SSE stream),
 * stats, start/stop/restart only with a confirm token (once, for that action), exec judged by
 * the shell risk assessment — on this machine and on the sshd host (same engine behind it).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import type {
  ConfirmationRequired,
  ContainerActionResponse,
  ContainerDetails,
  ContainerExecResponse,
  ContainerList,
  ContainerLogs,
  ContainerStats,
} from "../../server/api/containers";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startBackend, type Backend } from "./helpers/backend";
import { addKeyHost, removeContainers, startContainers } from "./helpers/containers";

const P = `ct${process.pid % 100000}`;
const APP = `${P}-app`;
const TICKER = `${P}-ticker`;
type Err = { error: { code: string; message: string } };

describe("containers on any host", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let b: Backend;

  const startedAt = async (name: string) => (await docker.getContainer(name).inspect()).State.StartedAt;

  before(async () => {
    env = await requireInfraOrSkip("containers.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    const env_ = ["SECRET_TOKEN=do-not-show"];
    await startContainers(docker, env.image, [
      { name: APP, script: "echo line1; echo line2; echo err1 >&2; echo line3; exec sleep 3600", env: env_ },
      { name: TICKER, script: "i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done", env: env_ },
    ]);
    b = await startBackend({ env: { DOCKER_HOST: env.dockerHost } });
  });

  after(async () => {
    await b?.stop();
    if (env) await removeContainers(docker, [APP, TICKER]);
  });

  test("list shows every container with its state; inspect leaves the environment out", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const list = await b.call<ContainerList>("GET", "/api/hosts/local/containers");
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const app = list.body.containers.find((c) => c.name === APP);
    assert.ok(app, "a plain container (not a workspace) is listed");
    assert.equal(app.state, "running");
    assert.equal(app.workspace, false);
    assert.equal(app.image, env.image);

    const ins = await b.call<ContainerDetails>("GET", `/api/hosts/local/containers/${APP}`);
    assert.equal(ins.status, 200);
    assert.equal(ins.body.name, APP);
    assert.deepEqual(ins.body.command, [
      "sh",
      "-c",
      "echo line1; echo line2; echo err1 >&2; echo line3; exec sleep 3600",
    ]);
    assert.ok(ins.body.startedAt);
    assert.ok(!JSON.stringify(ins.body).includes("do-not-show"), "no environment values");

    const missing = await b.call<Err>("GET", `/api/hosts/local/containers/${P}-nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "CONTAINER_NOT_FOUND");
    const bad = await b.call<Err>("GET", "/api/hosts/local/containers/a;b");
    assert.equal(bad.status, 400);
  });

  test("logs: tail as JSON (stdout and stderr apart), and followed as an SSE stream", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const logs = await b.call<ContainerLogs>("GET", `/api/hosts/local/containers/${APP}/logs?tail=100`);
    assert.equal(logs.status, 200, JSON.stringify(logs.body));
    assert.equal(logs.body.stdout, "line1\nline2\nline3\n");
    assert.equal(logs.body.stderr, "err1\n");
    assert.equal(logs.body.truncated, false);
    // stdout and stderr are separate pipes, so which of err1/line3 is last is up to the engine: one line either way.
    const one = await b.call<ContainerLogs>("GET", `/api/hosts/local/containers/${APP}/logs?tail=1`);
    assert.equal((one.body.stdout + one.body.stderr).split("\n").filter(Boolean).length, 1, JSON.stringify(one.body));

    const ac = new AbortController();
    const res = await fetch(`${b.url}/api/hosts/local/containers/${TICKER}/logs?tail=0&follow=1`, {
      headers: { authorization: `Bearer ${b.token}` },
      signal: ac.signal,
    });
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    const deadline = Date.now() + 10_000;
    while ((text.match(/tick\d+/g) ?? []).length < 3 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    ac.abort();
    const ticks = (text.match(/"text":"tick(\d+)\\n"/g) ?? []).map((m) => Number(/tick(\d+)/.exec(m)![1]));
    assert.ok(ticks.length >= 3, text);
    assert.deepEqual(
      ticks.slice(0, 3),
      [ticks[0]!, ticks[0]! + 1, ticks[0]! + 2],
      "new lines arrive in order as they are written",
    );
  });

  test("stats, one reading", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const s = await b.call<ContainerStats>("GET", `/api/hosts/local/containers/${APP}/stats`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.ok(s.body.memoryBytes > 0);
    assert.ok(s.body.pids >= 1);
  });

  test("restart needs a confirm token; the token acts once and only for that action", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const before0 = await startedAt(APP);
    const first = await b.call<ConfirmationRequired>("POST", `/api/hosts/local/containers/${APP}/restart`, {});
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.status, "confirmation_required");
    assert.equal(first.body.command, `docker restart ${APP}`);
    assert.equal(await startedAt(APP), before0, "nothing happened yet");

    const wrongAction = await b.call<Err>("POST", `/api/hosts/local/containers/${APP}/stop`, {
      confirmToken: first.body.confirmToken,
    });
    assert.equal(wrongAction.status, 409);
    assert.equal(wrongAction.body.error.code, "CONFIRM_TOKEN_REJECTED");
    const wrongContainer = await b.call<Err>("POST", `/api/hosts/local/containers/${TICKER}/restart`, {
      confirmToken: first.body.confirmToken,
    });
    assert.equal(wrongContainer.status, 409);
    assert.equal((await docker.getContainer(APP).inspect()).State.Running, true);

    const done = await b.call<ContainerActionResponse>("POST", `/api/hosts/local/containers/${APP}/restart`, {
      confirmToken: first.body.confirmToken,
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, "done");
    assert.notEqual(await startedAt(APP), before0, "restarted");
    const replay = await b.call<Err>("POST", `/api/hosts/local/containers/${APP}/restart`, {
      confirmToken: first.body.confirmToken,
    });
    assert.equal(replay.status, 409);
    assert.match(replay.body.error.message, /already used/);
  });

  test("exec: safe runs, review needs a token, dangerous is refused", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const safe = await b.call<ContainerExecResponse>("POST", `/api/hosts/local/containers/${APP}/exec`, {
      cmd: ["cat", "/etc/hostname"],
    });
    assert.equal(safe.status, 200, JSON.stringify(safe.body));
    assert.ok(
      safe.body.status === "done" && safe.body.exitCode === 0 && safe.body.stdout.trim().length > 0,
      JSON.stringify(safe.body),
    );

    const review = await b.call<ContainerExecResponse>("POST", `/api/hosts/local/containers/${APP}/exec`, {
      cmd: ["touch", "/tmp/made"],
    });
    assert.equal(review.body.status, "confirmation_required");
    const check = async () =>
      (await b.call<ContainerExecResponse>("POST", `/api/hosts/local/containers/${APP}/exec`, { cmd: ["ls", "/tmp"] }))
        .body;
    const c0 = await check();
    assert.ok(c0.status === "done" && !c0.stdout.includes("made"));
    const token = (review.body as ConfirmationRequired).confirmToken;
    const ran = await b.call<ContainerExecResponse>("POST", `/api/hosts/local/containers/${APP}/exec`, {
      cmd: ["touch", "/tmp/made"],
      confirmToken: token,
    });
    assert.equal(ran.body.status, "done", JSON.stringify(ran.body));
    const c1 = await check();
    assert.ok(c1.status === "done" && c1.stdout.includes("made"));
    const other = await b.call<Err>("POST", `/api/hosts/local/containers/${APP}/exec`, {
      cmd: ["touch", "/tmp/other"],
      confirmToken: token,
    });
    assert.equal(other.status, 409, "a token is for its command only");

    const dangerous = await b.call<ContainerExecResponse>("POST", `/api/hosts/local/containers/${APP}/exec`, {
      cmd: ["rm", "-rf", "/"],
    });
    assert.equal(dangerous.body.status, "refused");
    assert.ok(dangerous.body.status === "refused" && dangerous.body.reasons.length > 0);
  });

  test("the same operations on the SSH host (pinned key; the engine behind sshd)", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const put = await addKeyHost(b, env, "box");
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const list = await b.call<ContainerList>("GET", "/api/hosts/box/containers");
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.host, "box");
    assert.ok(list.body.containers.some((c) => c.name === APP && c.state === "running"));
    const logs = await b.call<ContainerLogs>("GET", `/api/hosts/box/containers/${APP}/logs?tail=100`);
    assert.equal(logs.status, 200, JSON.stringify(logs.body));
    assert.match(logs.body.stdout, /^line1\nline2\nline3\n/);
    const ex = await b.call<ContainerExecResponse>("POST", `/api/hosts/box/containers/${APP}/exec`, {
      cmd: ["echo", "over-ssh"],
    });
    assert.ok(ex.body.status === "done" && ex.body.stdout === "over-ssh\n", JSON.stringify(ex.body));
    const unknown = await b.call<Err>("GET", "/api/hosts/nohost/containers");
    assert.equal(unknown.status, 404);
  });
});
