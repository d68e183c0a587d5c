/**
 * Proves the test rig from scripts/test-infra.sh: a real Docker Engine (reached with
 * dockerode) running the locally imported busybox image, and a real sshd (reached with
 * ssh2) that verifies by host-key fingerprint and hands its sessions a DOCKER_HOST.
 * Later suites (Docker workspaces, SSH remotes) rely on exactly these properties.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { once } from "node:events";
import { Readable, Writable } from "node:stream";
import Docker from "dockerode";
import { Client, utils, type ConnectConfig } from "ssh2";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";

const LABEL = "aicockpit.test=infra";

/** Docker's multiplexed (non-TTY) log stream split by dockerode's demultiplexer, as the backend does. */
async function demux(docker: Docker, buf: Buffer): Promise<{ stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const into = (parts: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        cb();
      },
    });
  const src = Readable.from([buf]);
  docker.modem.demuxStream(src, into(out), into(err));
  await once(src, "end");
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

function sshConfig(env: InfraEnv, expectedFingerprint: string): ConnectConfig {
  return {
    host: env.ssh.host,
    port: env.ssh.port,
    username: env.ssh.user,
    privateKey: readFileSync(env.ssh.keyPath),
    readyTimeout: 10_000,
    hostVerifier: (key: Buffer) => sha256Fingerprint(key) === expectedFingerprint,
  };
}

function sshConnect(cfg: ConnectConfig): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.once("ready", () => resolve(c));
    c.once("error", reject);
    c.connect(cfg);
  });
}

function sshExec(c: Client, command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = "";
      let stderr = "";
      stream.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
      stream.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      stream.on("close", (code: number | null) => resolve({ code, stdout, stderr }));
    });
  });
}

function httpGetText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

async function retry<T>(fn: () => Promise<T>, attempts: number, delayMs: number): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  throw last;
}

describe("test infrastructure (scripts/test-infra.sh)", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;

  before(async () => {
    env = await requireInfraOrSkip("infra.test.ts");
    if (env) docker = new Docker({ socketPath: env.dockerSocketPath });
  });

  after(async () => {
    if (!env) return;
    const leftovers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  describe("Docker Engine", () => {
    test("dockerode pings the isolated engine", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const pong = await docker.ping();
      assert.equal(pong.toString(), "OK");
      const info = await docker.info();
      t.diagnostic(`engine ${info.ServerVersion}, storage ${info.Driver}`);
      assert.equal(info.Driver, env.storageDriver);
    });

    test("runs a container from the local busybox image and reads its output", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const img = await docker.getImage(env.image).inspect();
      assert.ok(img.Id.startsWith("sha256:"));
      const c = await docker.createContainer({
        Image: env.image,
        Cmd: ["sh", "-c", 'echo "hello $((6 * 7))"; echo oops >&2; exit 3'],
        Labels: { "aicockpit.test": "infra" },
        HostConfig: { NetworkMode: "none", Init: true },
      });
      try {
        await c.start();
        const { StatusCode } = (await c.wait()) as { StatusCode: number };
        assert.equal(StatusCode, 3);
        const logs = await c.logs({ stdout: true, stderr: true, follow: false });
        const { stdout, stderr } = await demux(docker, logs);
        assert.equal(stdout, "hello 42\n");
        assert.equal(stderr, "oops\n");
      } finally {
        await c.remove({ force: true });
      }
    });

    test("bridge network with a port published on 127.0.0.1 works under --iptables=false", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const c = await docker.createContainer({
        Image: env.image,
        Cmd: [
          "sh",
          "-c",
          "mkdir -p /www && echo served-from-busybox > /www/index.html && exec httpd -f -p 8080 -h /www",
        ],
        Labels: { "aicockpit.test": "infra" },
        ExposedPorts: { "8080/tcp": {} },
        HostConfig: {
          NetworkMode: "bridge",
          Init: true,
          PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
        },
      });
      try {
        await c.start();
        const info = await c.inspect();
        const binding = info.NetworkSettings.Ports["8080/tcp"]?.[0];
        assert.ok(binding, "port 8080 was published");
        assert.ok(info.NetworkSettings.Networks.bridge?.IPAddress, "container has a bridge address");
        const body = await retry(() => httpGetText(`http://127.0.0.1:${binding.HostPort}/`), 20, 100);
        assert.equal(body, "served-from-busybox\n");
      } finally {
        await c.remove({ force: true });
      }
    });
  });

  describe("sshd", () => {
    test("the pinned fingerprint matches the host key file", (t) => {
      if (!env) return t.skip("no infrastructure");
      assert.match(env.ssh.hostFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      const known = readFileSync(env.ssh.knownHostsPath, "utf8").trim().split(/\s+/);
      assert.equal(known[0], `[${env.ssh.host}]:${env.ssh.port}`);
      assert.equal(sha256Fingerprint(Buffer.from(known[2] ?? "", "base64")), env.ssh.hostFingerprint);
    });

    test("ssh2 connects with host-key verification by SHA256 fingerprint and runs docker remotely", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const c = await sshConnect(sshConfig(env, env.ssh.hostFingerprint));
      try {
        const dh = await sshExec(c, "echo $DOCKER_HOST");
        assert.equal(dh.stdout.trim(), env.ssh.remoteDockerHost);
        const v = await sshExec(c, "docker version --format '{{.Server.APIVersion}}'");
        assert.equal(v.code, 0, v.stderr);
        assert.match(v.stdout.trim(), /^1\.\d+$/);
        const run = await sshExec(c, `docker run --rm --network none ${env.image} echo remote-ok`);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, "remote-ok\n");
      } finally {
        c.end();
      }
    });

    test("a wrong fingerprint fails the handshake", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const wrong = `SHA256:${createHash("sha256").update("not the host key").digest("base64").replace(/=+$/, "")}`;
      await assert.rejects(sshConnect(sshConfig(env, wrong)), (err: Error) => {
        assert.match(err.message, /verif/i);
        return true;
      });
    });

    test("an unknown client key is refused", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const stranger = utils.generateKeyPairSync("ed25519");
      const cfg = { ...sshConfig(env, env.ssh.hostFingerprint), privateKey: stranger.private };
      await assert.rejects(sshConnect(cfg), /authentication/i);
    });
  });
});
