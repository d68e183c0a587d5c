/**
 * Docker workspaces against the real engine from scripts/test-infra.sh (busybox image
 * imported locally; no registry reachable): lifecycle, limits seen in cgroup files, exec,
 * TTY over WebSocket, files, rediscovery after a backend restart, and clear errors.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import WebSocket from "ws";
import type {
  ExecResult,
  FileListResponse,
  FileReadResponse,
  WorkspaceList,
  WorkspaceView,
} from "../../server/api/workspaces";
import type { ReadyResponse } from "../../server/api/health";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startBackend, tempDir, type Backend } from "./helpers/backend";
import { startFakeRegistry } from "../fixtures/fake-registry";
import {
  CGROUP_LIMITS_SCRIPT,
  cleanupWorkspaces,
  createWorkspace,
  openTtyClient,
  startBackendAsNobody,
} from "./helpers/workspaces";

const P = `it${process.pid % 10000}-`;
type Err = { error: { code: string; message: string; hint?: string } };

describe("Docker workspaces (real engine)", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let b: Backend;
  const dataDir = tempDir();

  before(async () => {
    env = await requireInfraOrSkip("workspaces.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, P);
    b = await startBackend({ dataDir, env: { DOCKER_HOST: env.dockerHost } });
  });

  after(async () => {
    if (!env) return;
    await b?.stop();
    await cleanupWorkspaces(docker, P);
  });

  const exec = async (id: string, cmd: string[], extra: Record<string, unknown> = {}) => {
    const r = await b.call<ExecResult>("POST", `/api/workspaces/${id}/exec`, { cmd, ...extra });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test("full lifecycle: create (streamed phases) → list → stop → start → restart → delete keeping / removing the volume", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}life`;
    const t0 = Date.now();
    const made = await createWorkspace(b, {
      name,
      stack: "custom",
      image: env.image,
      limits: { cpus: 0.5, memoryMb: 256, pids: 128 },
    });
    t.diagnostic(`create → running in ${Date.now() - t0} ms`);
    assert.equal(made.status, 200, JSON.stringify(made));
    assert.equal(made.error, undefined);
    assert.deepEqual(
      made.events.filter((e) => e.type === "phase").map((e) => (e.type === "phase" ? e.phase : "")),
      ["creating", "starting"],
      "local image: no pull phase",
    );
    const created = made.events.at(-1);
    assert.ok(created?.type === "created");
    const w = created.workspace;
    assert.equal(w.id, name);
    assert.equal(w.state, "running");
    assert.deepEqual(w.limits, { cpus: 0.5, memoryMb: 256, pids: 128 });
    assert.equal(w.network, "bridge");

    const info = await docker.getContainer(w.containerId).inspect();
    assert.equal(info.HostConfig.Init, true, "Init: true");
    assert.equal(info.Config.Labels["aicockpit.workspace"], "1");
    assert.ok(
      info.Mounts.some((m) => m.Type === "volume" && m.Name === w.volume && m.Destination === "/workspace"),
      "named volume at /workspace",
    );

    const list = await b.call<WorkspaceList>("GET", "/api/workspaces");
    assert.equal(list.status, 200);
    assert.ok(list.body.workspaces.some((x) => x.id === name && x.state === "running"));

    await exec(name, ["sh", "-c", "echo kept > /workspace/data.txt"]);
    const stopped = await b.call<WorkspaceView>("POST", `/api/workspaces/${name}/stop`);
    assert.equal(stopped.body.state, "stopped");
    const notRunning = await b.call<Err>("POST", `/api/workspaces/${name}/exec`, { cmd: ["true"] });
    assert.equal(notRunning.status, 409);
    assert.equal(notRunning.body.error.code, "WORKSPACE_NOT_RUNNING");
    const started = await b.call<WorkspaceView>("POST", `/api/workspaces/${name}/start`);
    assert.equal(started.body.state, "running");
    const restarted = await b.call<WorkspaceView>("POST", `/api/workspaces/${name}/restart`);
    assert.equal(restarted.body.state, "running");

    // delete, keeping the volume: a new workspace of the same name finds the data again
    const del = await b.call<{ removed: boolean; volumeRemoved: boolean }>("DELETE", `/api/workspaces/${name}`, {
      removeVolume: false,
    });
    assert.deepEqual(del.body, { removed: true, volumeRemoved: false });
    await docker.getVolume(w.volume).inspect();
    const again = await createWorkspace(b, { name, stack: "custom", image: env.image });
    assert.equal(again.error, undefined, JSON.stringify(again));
    assert.equal((await exec(name, ["cat", "/workspace/data.txt"])).stdout, "kept\n");
    const gone = await b.call<{ removed: boolean; volumeRemoved: boolean }>("DELETE", `/api/workspaces/${name}`, {
      removeVolume: true,
    });
    assert.deepEqual(gone.body, { removed: true, volumeRemoved: true });
    await assert.rejects(docker.getVolume(w.volume).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    const missing = await b.call<Err>("GET", `/api/workspaces/${name}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "WORKSPACE_NOT_FOUND");
  });

  test("limits are visible inside the container (cgroup files), network none has no interfaces but lo, ports on 127.0.0.1 only", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}limits`;
    const made = await createWorkspace(b, {
      name,
      stack: "custom",
      image: env.image,
      limits: { cpus: 0.5, memoryMb: 128, pids: 64 },
      network: "none",
    });
    assert.equal(made.error, undefined, JSON.stringify(made));
    const r = await exec(name, ["sh", "-c", CGROUP_LIMITS_SCRIPT]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^cpu=50000\/100000$/m);
    assert.match(r.stdout, new RegExp(`^mem=${128 * 1024 * 1024}$`, "m"));
    assert.match(r.stdout, /^pids=64$/m);
    const ifaces = await exec(name, ["sh", "-c", "ls /sys/class/net"]);
    assert.deepEqual(ifaces.stdout.trim().split(/\s+/), ["lo"]);

    const web = `${P}ports`;
    const w = await createWorkspace(b, {
      name: web,
      stack: "custom",
      image: env.image,
      command: ["sh", "-c", "mkdir -p /www && echo hi-from-ws > /www/index.html && exec httpd -f -p 8080 -h /www"],
      ports: [{ container: 8080 }],
    });
    assert.equal(w.error, undefined, JSON.stringify(w));
    const view = (await b.call<WorkspaceView>("GET", `/api/workspaces/${web}`)).body;
    const p = view.ports.find((x) => x.container === 8080);
    assert.ok(p && p.hostPort, JSON.stringify(view.ports));
    assert.equal(p.hostIp, "127.0.0.1");
    const info = await docker.getContainer(view.containerId).inspect();
    assert.ok(
      Object.values(info.NetworkSettings.Ports)
        .flat()
        .every((x) => x === null || x.HostIp === "127.0.0.1" || x.HostIp === "::1"),
      "loopback only",
    );
    let body = "";
    for (let i = 0; i < 40 && body === ""; i++) {
      body = await fetch(`http://127.0.0.1:${p.hostPort}/`)
        .then((res) => res.text())
        .catch(() => "");
      if (body === "") await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(body, "hi-from-ws\n");
  });

  test("exec: exit codes, stderr, stdin, cwd/env, timeout kills, cancel kills", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}exec`;
    assert.equal((await createWorkspace(b, { name, stack: "custom", image: env.image })).error, undefined);
    const r = await exec(name, ["sh", "-c", "echo out; echo err >&2; exit 7"]);
    assert.deepEqual([r.exitCode, r.stdout, r.stderr, r.timedOut], [7, "out\n", "err\n", false]);
    const nf = await exec(name, ["no-such-program"]);
    assert.equal(nf.exitCode, 127);
    assert.match(nf.stderr, /not found/);
    const io = await exec(name, ["sh", "-c", 'pwd; echo "$GREETING"; cat'], {
      cwd: "/tmp",
      env: { GREETING: "hej" },
      stdin: "piped\n",
    });
    assert.equal(io.stdout, "/tmp\nhej\npiped\n");

    const t0 = Date.now();
    const slow = await exec(name, ["sleep", "30"], { timeoutMs: 500 });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.exitCode, null);
    assert.ok(Date.now() - t0 < 5_000, `timeout honoured (${Date.now() - t0} ms)`);

    // the command's children go too: a sleep under `sh -c` does not keep the call open
    const t1 = Date.now();
    const nested = await exec(name, ["sh", "-c", "sleep 37; echo never"], { timeoutMs: 500 });
    assert.equal(nested.timedOut, true);
    assert.ok(Date.now() - t1 < 5_000, `nested timeout honoured (${Date.now() - t1} ms)`);
    assert.ok(!(await exec(name, ["ps"])).stdout.includes("sleep 37"), "no orphan left");

    const ac = new AbortController();
    const pending = fetch(`${b.url}/api/workspaces/${name}/exec`, {
      method: "POST",
      headers: { authorization: `Bearer ${b.token}`, "content-type": "application/json" },
      body: JSON.stringify({ cmd: ["sleep", "41"] }),
      signal: ac.signal,
    });
    await new Promise((res) => setTimeout(res, 500));
    ac.abort();
    await assert.rejects(pending);
    let ps = "";
    for (let i = 0; i < 40; i++) {
      ps = (await exec(name, ["ps"])).stdout;
      if (!ps.includes("sleep 41")) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(!ps.includes("sleep 41"), `cancelled process is gone:\n${ps}`);
  });

  test("TTY over WebSocket: prompt, command output, resize, exit code closes it; same security checks as HTTP", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}tty`;
    assert.equal((await createWorkspace(b, { name, stack: "custom", image: env.image })).error, undefined);
    const tty = await openTtyClient(b, name, "cols=100&rows=30");
    await tty.waitMessage("ready");
    tty.send("stty size; echo hello-$((6*7))\r");
    await tty.waitFor(/30 100/);
    await tty.waitFor(/hello-42/);
    tty.resize(132, 40);
    await new Promise((res) => setTimeout(res, 200));
    tty.send("stty size\r");
    await tty.waitFor(/40 132/);
    tty.send("exit 3\r");
    const exit = await tty.waitMessage("exit");
    assert.deepEqual(exit, { type: "exit", exitCode: 3 });
    const closed = await tty.closed;
    assert.equal(closed.code, 1000);

    // A terminal closed without `exit` (window closed) leaves no shell behind in the container.
    const count = async () => (await exec(name, ["sh", "-c", "ps -o pid,args | grep -c '[s]leep 987'"])).stdout.trim();
    const orphan = await openTtyClient(b, name);
    await orphan.waitMessage("ready");
    orphan.send("sleep 987\r");
    for (let i = 0; i < 40 && (await count()) !== "1"; i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(await count(), "1");
    orphan.ws.close();
    let left = "1";
    for (let i = 0; i < 60 && left !== "0"; i++) {
      await new Promise((res) => setTimeout(res, 100));
      left = await count();
    }
    assert.equal(left, "0", "the shell and its child ended with the connection");

    await assert.rejects(
      openTtyClient(b, name, "", { authorization: "Bearer wrong-token-wrong-token" }),
      (e: { status?: number }) => e.status === 401,
    );
    await assert.rejects(
      openTtyClient(b, name, "", { origin: "https://evil.example" }),
      (e: { status?: number }) => e.status === 403,
    );
    await assert.rejects(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${b.port}/api/nothing-here`, {
          headers: { authorization: `Bearer ${b.token}` },
        });
        ws.once("open", resolve);
        ws.once("unexpected-response", (_req, res) =>
          reject(Object.assign(new Error("refused"), { status: res.statusCode })),
        );
        ws.once("error", reject);
      }),
      (e: { status?: number }) => e.status === 404,
    );
    const nf = await openTtyClient(b, `${P}nope`);
    const err = await nf.waitMessage("error");
    assert.equal(err.type === "error" && err.code, "WORKSPACE_NOT_FOUND");
  });

  test("files: write → read → stat → list → mkdir → rename → delete, errors with codes", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}files`;
    assert.equal((await createWorkspace(b, { name, stack: "custom", image: env.image })).error, undefined);
    const content = Buffer.from("print('héllo')\n\u0000binary\u00ff", "utf8");
    const f = (op: string, body: unknown) => b.call<unknown>("POST", `/api/workspaces/${name}/files/${op}`, body);
    const w = await f("write", { path: "/workspace/src/../main.py", contentBase64: content.toString("base64") });
    assert.equal(w.status, 200, JSON.stringify(w.body));
    const rd = (await f("read", { path: "/workspace/main.py" })).body as FileReadResponse;
    assert.ok(Buffer.from(rd.contentBase64, "base64").equals(content));
    assert.equal((await exec(name, ["cat", "/workspace/main.py"])).stdout, content.toString("utf8"));
    const longName = `/workspace/${"n".repeat(120)}.txt`;
    assert.equal(
      (await f("write", { path: longName, contentBase64: Buffer.from("long").toString("base64") })).status,
      200,
    );
    assert.equal((await exec(name, ["cat", longName])).stdout, "long");

    assert.equal((await f("mkdir", { path: "/workspace/pkg" })).status, 200);
    assert.equal(((await f("mkdir", { path: "/workspace/pkg" })).body as Err).error.code, "FILE_EXISTS");
    const ls = (await f("list", { path: "/workspace" })).body as FileListResponse;
    const names = ls.entries.map((e) => `${e.name}:${e.type}`).sort();
    assert.deepEqual(names, ["main.py:file", `${"n".repeat(120)}.txt:file`, "pkg:directory"]);
    assert.equal(ls.entries.find((e) => e.name === "main.py")?.size, content.length);

    assert.equal((await f("rename", { from: "/workspace/main.py", to: "/workspace/pkg/app.py" })).status, 200);
    const st = await f("stat", { path: "/workspace/pkg/app.py" });
    assert.equal((st.body as { type: string }).type, "file");
    const noCreate = await f("write", { path: "/workspace/new.txt", contentBase64: "", create: false });
    assert.equal((noCreate.body as Err).error.code, "FILE_NOT_FOUND");
    const noOverwrite = await f("write", { path: "/workspace/pkg/app.py", contentBase64: "", overwrite: false });
    assert.equal((noOverwrite.body as Err).error.code, "FILE_EXISTS");
    const noDir = await f("write", { path: "/workspace/nodir/x.txt", contentBase64: "" });
    assert.equal((noDir.body as Err).error.code, "FILE_NOT_FOUND");
    assert.equal(((await f("read", { path: "/workspace/pkg" })).body as Err).error.code, "FILE_IS_DIRECTORY");
    assert.equal((await f("delete", { path: "/workspace/pkg", recursive: true })).status, 200);
    const after = await f("read", { path: "/workspace/pkg/app.py" });
    assert.equal(after.status, 404);
    assert.equal((after.body as Err).error.code, "FILE_NOT_FOUND");
    const rel = await f("read", { path: "relative.txt" });
    assert.equal((rel.body as Err).error.code, "BAD_REQUEST");
  });

  test("clear errors: name taken, invalid limits, missing image (pull never / no registry), unknown host", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}taken`;
    assert.equal((await createWorkspace(b, { name, stack: "custom", image: env.image })).error, undefined);
    const taken = await createWorkspace(b, { name, stack: "custom", image: env.image });
    assert.equal(taken.status, 409);
    assert.equal(taken.error?.code, "WORKSPACE_NAME_TAKEN");
    assert.ok(taken.error?.hint);

    const cpus = await createWorkspace(b, {
      name: `${P}cpu`,
      stack: "custom",
      image: env.image,
      limits: { cpus: 200 },
    });
    assert.equal(cpus.status, 400);
    assert.equal(cpus.error?.code, "INVALID_LIMITS");
    assert.match(cpus.error?.message ?? "", /at most \d+ \(the Docker host has/);
    const mem = await createWorkspace(b, {
      name: `${P}mem`,
      stack: "custom",
      image: env.image,
      limits: { memoryMb: 10 },
    });
    assert.equal(mem.status, 400);
    assert.match(mem.error?.message ?? "", /memoryMb must be at least 64/);

    const never = await createWorkspace(b, { name: `${P}never`, stack: "python-3.11", pull: "never" });
    assert.equal(never.error?.code, "IMAGE_NOT_FOUND");
    const t0 = Date.now();
    const pull = await createWorkspace(b, { name: `${P}pull`, stack: "python-3.11" });
    t.diagnostic(`pull without a registry failed in ${Date.now() - t0} ms: ${pull.error?.message}`);
    assert.equal(pull.error?.code, "REGISTRY_UNREACHABLE");
    assert.match(pull.error?.hint ?? "", /local image/);
    assert.ok(Date.now() - t0 < 20_000, "fails fast");
    assert.ok(
      pull.events.some((e) => e.type === "phase" && e.phase === "pulling"),
      "the pull phase was announced",
    );
    const leftovers = await docker.listContainers({ all: true, filters: { name: [`aicockpit-ws-${P}pull`] } });
    assert.equal(leftovers.length, 0, "nothing half-made is left behind");

    const custom = await createWorkspace(b, { name: `${P}x`, stack: "custom" });
    assert.equal(custom.error?.code, "BAD_REQUEST");
    const host = await createWorkspace(b, { name: `${P}x`, stack: "custom", image: env.image, host: "nowhere" });
    assert.equal(host.error?.code, "WORKSPACE_HOST_UNKNOWN");
    const badName = await createWorkspace(b, { name: "Bad Name", stack: "custom", image: env.image });
    assert.equal(badName.status, 400);
  });

  test("a missing image is pulled with streamed progress (from a registry on 127.0.0.1), then runs", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const reg = await startFakeRegistry(docker, env.image);
    try {
      const name = `${P}pulled`;
      const made = await createWorkspace(b, { name, stack: "custom", image: reg.image });
      assert.equal(made.error, undefined, JSON.stringify(made));
      const phases = made.events.filter((e) => e.type === "phase").map((e) => (e.type === "phase" ? e.phase : ""));
      assert.deepEqual(phases, ["pulling", "creating", "starting"]);
      const pulls = made.events.filter((e) => e.type === "pull");
      t.diagnostic(
        `${pulls.length} pull events: ${pulls
          .map((e) => (e.type === "pull" ? e.status : ""))
          .filter((v, i, a) => a.indexOf(v) === i)
          .join(" | ")}`,
      );
      assert.ok(
        pulls.some((e) => e.type === "pull" && /Pulling from/.test(e.status)),
        "progress was streamed",
      );
      assert.ok(
        pulls.some((e) => e.type === "pull" && /Downloaded newer image/.test(e.status)),
        "the pull finished",
      );
      assert.ok(
        reg.requests.some((r) => r.includes("/blobs/sha256:")),
        "blobs came from the registry",
      );
      assert.equal((await exec(name, ["echo", "pulled-ok"])).stdout, "pulled-ok\n");
      // a tag the registry does not have: IMAGE_NOT_FOUND, not "unreachable"
      const missing = await createWorkspace(b, {
        name: `${P}nosuchtag`,
        stack: "custom",
        image: `${reg.host}/aicockpit/pulltest:nope`,
      });
      assert.equal(missing.error?.code, "IMAGE_NOT_FOUND", JSON.stringify(missing));
    } finally {
      await reg.close();
      await docker
        .getImage(reg.image)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });

  test("/metrics counts workspaces by state; /ready reports Docker", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}metrics`;
    assert.equal((await createWorkspace(b, { name, stack: "custom", image: env.image })).error, undefined);
    await b.call("POST", `/api/workspaces/${name}/stop`);
    const list = (await b.call<WorkspaceList>("GET", "/api/workspaces")).body.workspaces;
    const count = (s: string) => list.filter((w) => w.state === s).length;
    const m = (await b.call<string>("GET", "/metrics")).body;
    assert.match(m, new RegExp(`aicockpit_workspaces\\{host="local",state="running"\\} ${count("running")}\\b`));
    assert.match(m, new RegExp(`aicockpit_workspaces\\{host="local",state="stopped"\\} ${count("stopped")}\\b`));
    assert.ok(count("stopped") >= 1);
    const ready = (await b.call<ReadyResponse>("GET", "/ready")).body;
    assert.equal(ready.docker.ok, true, ready.docker.reason);
  });

  test("a restarted backend finds every workspace and its state again (labels are the source of truth)", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const before = (await b.call<WorkspaceList>("GET", "/api/workspaces")).body.workspaces.filter((w) =>
      w.name.startsWith(P),
    );
    assert.ok(before.length >= 3);
    await b.stop();
    b = await startBackend({ dataDir, env: { DOCKER_HOST: env.dockerHost } });
    const afterList = (await b.call<WorkspaceList>("GET", "/api/workspaces")).body.workspaces.filter((w) =>
      w.name.startsWith(P),
    );
    const key = (w: WorkspaceView) => `${w.id}|${w.state}|${w.stack}|${JSON.stringify(w.limits)}|${w.volume}`;
    assert.deepEqual(afterList.map(key), before.map(key));
  });

  test("Docker not running → DOCKER_UNAVAILABLE at once, /ready says so", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const dir = tempDir();
    // A path that is not a listening socket: what a stopped dockerd leaves behind.
    const deadSock = join(dir, "docker.sock");
    writeFileSync(deadSock, "");
    for (const host of [`unix://${deadSock}`, `unix://${join(dir, "absent.sock")}`]) {
      const dead = await startBackend({ env: { DOCKER_HOST: host } });
      try {
        const t0 = Date.now();
        const r = await dead.call<Err>("GET", "/api/workspaces");
        assert.equal(r.status, 200, "listing reports unreachable hosts, it does not fail");
        const body = r.body as unknown as WorkspaceList;
        assert.equal(body.unreachable[0]?.code, "DOCKER_UNAVAILABLE");
        const c = await createWorkspace(dead, { name: `${P}dead`, stack: "custom", image: env.image });
        assert.equal(c.status, 503);
        assert.equal(c.error?.code, "DOCKER_UNAVAILABLE");
        assert.match(c.error?.message ?? "", /not reachable/);
        assert.match(c.error?.hint ?? "", /Start Docker/);
        const ins = await dead.call<Err>("GET", `/api/workspaces/${P}x`);
        assert.equal(ins.body.error.code, "DOCKER_UNAVAILABLE");
        assert.ok(Date.now() - t0 < 3_000, `no hang (${Date.now() - t0} ms)`);
        const ready = (await dead.call<ReadyResponse>("GET", "/ready")).body;
        assert.equal(ready.docker.ok, false);
        assert.equal(ready.docker.code, "DOCKER_UNAVAILABLE");
        assert.match(ready.docker.reason, /not running|not reachable/);
        const metrics = await dead.call<string>("GET", "/metrics");
        assert.equal(metrics.status, 200, "a dead engine does not break /metrics");
        assert.match(metrics.body, /aicockpit_workspaces\{host="local",state="running"\} 0/);
      } finally {
        await dead.stop();
      }
    }
  });

  test("permission denied on the Docker socket → DOCKER_PERMISSION_DENIED with the docker-group hint", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const nobody = await startBackendAsNobody(env.dockerHost);
    if (!nobody) return t.skip("needs root to run the backend as another user");
    try {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(nobody.url + path, {
          method,
          headers: { authorization: `Bearer ${nobody.token}`, ...(body ? { "content-type": "application/json" } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: (await res.json()) as Err & WorkspaceList & ReadyResponse };
      };
      const list = await call("GET", "/api/workspaces");
      assert.equal(list.body.unreachable[0]?.code, "DOCKER_PERMISSION_DENIED");
      const made = await call("POST", "/api/workspaces", { name: `${P}denied`, stack: "custom", image: env.image });
      assert.equal(made.status, 503);
      assert.equal(made.body.error.code, "DOCKER_PERMISSION_DENIED");
      assert.match(made.body.error.hint ?? "", /docker" group/);
      const ready = await call("GET", "/ready");
      assert.equal(ready.body.docker.ok, false);
      assert.equal(ready.body.docker.code, "DOCKER_PERMISSION_DENIED");
    } finally {
      nobody.stop();
    }
  });
});
