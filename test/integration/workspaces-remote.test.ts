/**
 * A workspace on a remote Docker host: the real sshd from scripts/test-infra.sh, reached
 * with dockerode's ssh protocol (the remote runs `docker system dial-stdio`), host key
 * pinned by SHA256 fingerprint. A wrong fingerprint is refused, never accepted.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import Docker from "dockerode";
import type { ExecResult, WorkspaceHostView, WorkspaceList, WorkspaceView } from "../../server/api/workspaces";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startBackend, type Backend } from "./helpers/backend";
import { cleanupWorkspaces, createWorkspace, openTtyClient } from "./helpers/workspaces";

const P = `rm${process.pid % 10000}-`;
type Err = { error: { code: string; message: string; hint?: string } };

describe("Docker workspaces on a remote host over SSH", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let b: Backend;

  before(async () => {
    env = await requireInfraOrSkip("workspaces-remote.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, P);
    // The backend's own DOCKER_HOST points nowhere: whatever works below went over SSH.
    b = await startBackend({ env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  });

  after(async () => {
    if (!env) return;
    await b?.stop();
    await cleanupWorkspaces(docker, P);
  });

  test("create, list, exec, TTY and files on the sshd test host; the engine there holds the labels", async (t) => {
    if (!env) return t.skip("no infrastructure");
    // "trust once": the key's fingerprint is read without logging in, for the user to compare
    const probe = await b.call<{ fingerprint: string }>("POST", "/api/workspace-hosts/probe-key", {
      host: env.ssh.host,
      port: env.ssh.port,
    });
    assert.equal(probe.status, 200, JSON.stringify(probe.body));
    assert.equal(probe.body.fingerprint, env.ssh.hostFingerprint);
    const put = await b.call<WorkspaceHostView>("PUT", "/api/workspace-hosts/box", {
      host: env.ssh.host,
      port: env.ssh.port,
      username: env.ssh.user,
      privateKeyPath: env.ssh.keyPath,
      hostFingerprint: env.ssh.hostFingerprint,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const name = `${P}remote`;
    const t0 = Date.now();
    const made = await createWorkspace(b, {
      name,
      host: "box",
      stack: "custom",
      image: env.image,
      limits: { cpus: 0.5, memoryMb: 128 },
    });
    t.diagnostic(`remote create → running in ${Date.now() - t0} ms`);
    assert.equal(made.error, undefined, JSON.stringify(made));
    const created = made.events.at(-1);
    assert.ok(created?.type === "created");
    assert.equal(created.workspace.id, `${name}@box`);
    assert.equal(created.workspace.host, "box");

    // It really lives on the engine behind sshd, with our labels.
    const info = await docker.getContainer(`aicockpit-ws-${name}`).inspect();
    assert.equal(info.Config.Labels["aicockpit.workspace.name"], name);

    const list = (await b.call<WorkspaceList>("GET", "/api/workspaces")).body;
    assert.ok(
      list.workspaces.some((w) => w.id === `${name}@box` && w.state === "running"),
      JSON.stringify(list),
    );
    assert.equal(
      list.unreachable.find((u) => u.host === "local")?.code,
      "DOCKER_UNAVAILABLE",
      "the local engine is down, the remote one still lists",
    );

    const id = encodeURIComponent(`${name}@box`);
    const r = await b.call<ExecResult>("POST", `/api/workspaces/${id}/exec`, {
      cmd: ["sh", "-c", "echo remote-$((6*7)); echo e >&2; exit 4"],
    });
    assert.deepEqual([r.body.exitCode, r.body.stdout, r.body.stderr], [4, "remote-42\n", "e\n"]);

    const w = await b.call("POST", `/api/workspaces/${id}/files/write`, {
      path: "/workspace/r.txt",
      contentBase64: Buffer.from("over ssh").toString("base64"),
    });
    assert.equal(w.status, 200, JSON.stringify(w.body));
    const rd = await b.call<{ contentBase64: string }>("POST", `/api/workspaces/${id}/files/read`, {
      path: "/workspace/r.txt",
    });
    assert.equal(Buffer.from(rd.body.contentBase64, "base64").toString(), "over ssh");

    const tty = await openTtyClient(b, `${name}@box`);
    await tty.waitMessage("ready");
    tty.send("echo tty-$((2+3)); exit 0\r");
    await tty.waitFor(/tty-5/);
    assert.deepEqual(await tty.waitMessage("exit"), { type: "exit", exitCode: 0 });

    const stopped = await b.call<WorkspaceView>("POST", `/api/workspaces/${id}/stop`);
    assert.equal(stopped.body.state, "stopped");
    const del = await b.call("DELETE", `/api/workspaces/${id}`, { removeVolume: true });
    assert.equal(del.status, 200);
  });

  test("a wrong pinned fingerprint is refused with WORKSPACE_HOST_KEY_REJECTED", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const wrong = `SHA256:${createHash("sha256").update("someone else").digest("base64").replace(/=+$/, "")}`;
    const put = await b.call("PUT", "/api/workspace-hosts/mitm", {
      host: env.ssh.host,
      port: env.ssh.port,
      username: env.ssh.user,
      privateKeyPath: env.ssh.keyPath,
      hostFingerprint: wrong,
    });
    assert.equal(put.status, 200);
    const made = await createWorkspace(b, { name: `${P}mitm`, host: "mitm", stack: "custom", image: env.image });
    assert.equal(made.error?.code, "WORKSPACE_HOST_KEY_REJECTED", JSON.stringify(made));
    assert.match(made.error?.hint ?? "", /fingerprint/);
    const list = (await b.call<WorkspaceList>("GET", "/api/workspaces")).body;
    assert.equal(list.unreachable.find((u) => u.host === "mitm")?.code, "WORKSPACE_HOST_KEY_REJECTED");
    const bad = await b.call<Err>("PUT", "/api/workspace-hosts/bad", {
      host: "h",
      username: "u",
      privateKeyPath: "/k",
      hostFingerprint: "yes",
    });
    assert.equal(bad.status, 400);
  });
});
