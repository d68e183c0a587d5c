/**
 * Workspace containers are development containers, not a way around the host's defences:
 * no `host` network unless the user allowed it, Docker's default capabilities dropped down
 * to what development needs, `no-new-privileges`, and a same-named container that is not
 * ours is never treated as a workspace. Against the real engine from scripts/test-infra.sh.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import type { ExecResult, WorkspaceList } from "../../server/api/workspaces";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startBackend, tempDir, type Backend } from "./helpers/backend";
import { cleanupWorkspaces, createWorkspace } from "./helpers/workspaces";

const P = `hd${process.pid % 10000}-`;
type Err = { error: { code: string; message: string } };

// Bit numbers from linux/capability.h.
const CAP = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  FOWNER: 3,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  NET_BIND_SERVICE: 10,
  NET_RAW: 13,
  SYS_CHROOT: 18,
  SYS_ADMIN: 21,
  MKNOD: 27,
  AUDIT_WRITE: 29,
  SETFCAP: 31,
} as const;

describe("workspace hardening (real engine)", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let b: Backend;

  before(async () => {
    env = await requireInfraOrSkip("workspaces-hardening.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, P);
    b = await startBackend({ dataDir: tempDir(), env: { DOCKER_HOST: env.dockerHost } });
  });

  after(async () => {
    if (!env) return;
    await b?.stop();
    await cleanupWorkspaces(docker, P);
    await docker
      .getContainer(`aicockpit-ws-${P}foreign`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  const exec = async (id: string, script: string) => {
    const r = await b.call<ExecResult>("POST", `/api/workspaces/${id}/exec`, { cmd: ["sh", "-c", script] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test('network "host" is refused unless the user setting allows it', async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}hostnet`;
    const refused = await createWorkspace(b, { name, stack: "custom", image: env.image, network: "host" });
    assert.equal(refused.status, 400, JSON.stringify(refused));
    assert.equal(refused.error?.code, "BAD_REQUEST");
    assert.match(refused.error?.message ?? "", /host/);
    assert.equal(
      await docker
        .getContainer(`aicockpit-ws-${name}`)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
      false,
      "no container was made",
    );

    const allowing = await startBackend({
      dataDir: tempDir(),
      env: { DOCKER_HOST: env.dockerHost, AICOCKPIT_WORKSPACES_ALLOW_HOST_NETWORK: "1" },
    });
    try {
      const made = await createWorkspace(allowing, { name, stack: "custom", image: env.image, network: "host" });
      assert.equal(made.status, 200, JSON.stringify(made));
      const info = await docker.getContainer(`aicockpit-ws-${name}`).inspect();
      assert.equal(info.HostConfig.NetworkMode, "host");
    } finally {
      await allowing.stop();
    }
  });

  test("PID 1 runs without SYS_ADMIN, NET_RAW, MKNOD… and with no_new_privs; development still works", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}caps`;
    const made = await createWorkspace(b, { name, stack: "custom", image: env.image });
    assert.equal(made.status, 200, JSON.stringify(made));

    const status = (await exec(name, "cat /proc/1/status")).stdout;
    const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)![1]}`);
    const has = (bit: number) => (capEff >> BigInt(bit)) & 1n;
    for (const cap of ["SYS_ADMIN", "NET_RAW", "MKNOD", "SYS_CHROOT", "AUDIT_WRITE", "SETFCAP"] as const)
      assert.equal(has(CAP[cap]), 0n, `${cap} dropped`);
    for (const cap of ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL", "NET_BIND_SERVICE"] as const)
      assert.equal(has(CAP[cap]), 1n, `${cap} kept`);
    assert.match(status, /NoNewPrivs:\s*1/);

    // What installing packages and everyday development do as root: users, ownership, modes,
    // switching user, a privileged port, signalling another user's process.
    const dev = await exec(
      name,
      [
        "set -e",
        // (busybox has no adduser: write the account as a package's postinst would)
        "echo 'dev:x:1000:1000::/tmp:/bin/sh' >> /etc/passwd && echo 'dev:x:1000:' >> /etc/group",
        "mkdir -p /workspace/pkg && echo x > /workspace/pkg/f",
        "chown -R dev:dev /workspace/pkg && chmod 2755 /workspace/pkg",
        "su dev -c 'echo mine > /workspace/pkg/g && id -un'",
        "stat -c '%U %a' /workspace/pkg",
        "su dev -c 'exec sleep 30' & sleep 0.3; stat -c '%U' /proc/$!; kill $! && echo killed",
        "nc -l -p 80 & p=$!; sleep 0.2; kill $p && echo port80",
      ].join("\n"),
    );
    assert.equal(dev.exitCode, 0, JSON.stringify(dev));
    assert.match(dev.stdout, /^dev$/m);
    assert.match(dev.stdout, /^dev 2755$/m);
    assert.match(dev.stdout, /^killed$/m);
    assert.match(dev.stdout, /^port80$/m);
    // A device node needs MKNOD, which a workspace does not get.
    const mknod = await exec(name, "mknod /tmp/null2 c 1 3");
    assert.notEqual(mknod.exitCode, 0);
  });

  test("a same-named container without our label is not a workspace: not listed, not inspected, not deleted", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const name = `${P}foreign`;
    const foreign = await docker.createContainer({
      name: `aicockpit-ws-${name}`,
      Image: env.image,
      Cmd: ["sleep", "300"],
    });
    const list = await b.call<WorkspaceList>("GET", "/api/workspaces");
    assert.ok(!list.body.workspaces.some((w) => w.name === name));
    for (const [method, path] of [
      ["GET", `/api/workspaces/${name}`],
      ["POST", `/api/workspaces/${name}/stop`],
      ["DELETE", `/api/workspaces/${name}`],
    ] as const) {
      const r = await b.call<Err>(method, path);
      assert.equal(r.status, 404, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, "WORKSPACE_NOT_FOUND");
    }
    const still = await foreign.inspect();
    assert.equal(still.Id, foreign.id, "the foreign container is untouched");
  });
});
