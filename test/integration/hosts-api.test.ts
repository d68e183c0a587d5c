/**
 * /api/hosts over HTTP with the real backend and the real sshd rig: trust on first use
 * (unknown → the user trusts the fingerprint → trusted), a changed key never replaced
 * implicitly, ~/.ssh/config import, and the migration of workspace-hosts.json.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HostList, HostView, SshConfigImportResult, TestHostResult } from "../../server/api/hosts";
import type { WorkspaceHostList } from "../../server/api/workspaces";
import { requireSshExtrasOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startBackend, tempDir, type Backend } from "./helpers/backend";

type Err = { error: { code: string; message: string; hint?: string } };

describe("/api/hosts with the real backend and sshd", () => {
  let env: (InfraEnv & { sshExtras: NonNullable<InfraEnv["sshExtras"]> }) | undefined;
  let b: Backend;
  let home: string;
  let dataDir: string;

  before(async () => {
    env = await requireSshExtrasOrSkip("hosts-api.test.ts");
    if (!env) return;
    home = tempDir("aicockpit-home-");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(home, ".ssh", "known_hosts"), ""); // nothing vouches for the rig yet
    writeFileSync(
      join(home, ".ssh", "config"),
      `Host rig-from-config\n  HostName ${env.ssh.host}\n  Port ${env.ssh.port}\n  User ${env.ssh.user}\n  IdentityFile ${env.ssh.keyPath}\nHost *\n  ProxyJump none\n`,
    );
    // an older backend's workspace hosts, to be migrated on first start
    dataDir = tempDir("aicockpit-data-");
    writeFileSync(
      join(dataDir, "workspace-hosts.json"),
      JSON.stringify({
        hosts: [
          {
            id: "old-box",
            host: env.ssh.host,
            port: env.ssh.port,
            username: env.ssh.user,
            privateKeyPath: env.ssh.keyPath,
            hostFingerprint: env.ssh.hostFingerprint,
          },
        ],
      }),
    );
    b = await startBackend({ dataDir, env: { HOME: home, SSH_AUTH_SOCK: env.sshExtras.agentSocket } });
  });

  after(async () => {
    await b?.stop();
  });

  test("workspace-hosts.json is migrated on first start: nothing lost, old routes still list it, the old file kept aside", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const list = await b.call<HostList>("GET", "/api/hosts");
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.hosts.find((h) => h.id === "old-box"),
      {
        id: "old-box",
        host: env.ssh.host,
        port: env.ssh.port,
        user: env.ssh.user,
        auth: { kind: "key", privateKeyPath: env.ssh.keyPath },
        hostFingerprint: env.ssh.hostFingerprint,
        workspaces: true,
        source: "workspace-hosts",
      },
    );
    const old = await b.call<WorkspaceHostList>("GET", "/api/workspace-hosts");
    assert.deepEqual(old.body.hosts, [
      {
        id: "old-box",
        host: env.ssh.host,
        port: env.ssh.port,
        username: env.ssh.user,
        privateKeyPath: env.ssh.keyPath,
        hostFingerprint: env.ssh.hostFingerprint,
      },
    ]);
    assert.ok(!existsSync(join(dataDir, "workspace-hosts.json")));
    assert.ok(existsSync(join(dataDir, "workspace-hosts.json.migrated")));
    assert.match(readFileSync(join(dataDir, "hosts.json"), "utf8"), /"old-box"/);
    // and it connects (pinned key from the old file)
    const tested = await b.call<TestHostResult>("POST", "/api/hosts/old-box/test", {});
    assert.deepEqual(
      [tested.body.keyStatus, tested.body.trustedBy, tested.body.authenticated],
      ["trusted", "pinned", true],
    );
  });

  test("trust on first use: unknown key shown with its fingerprint, trusted once, then pinned; a different key needs replace", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const add = await b.call<HostView>("POST", "/api/hosts", {
      id: "box",
      host: env.ssh.host,
      port: env.ssh.port,
      user: env.ssh.user,
      auth: { kind: "agent" },
    });
    assert.equal(add.status, 200, JSON.stringify(add.body));
    assert.equal(
      (await b.call<Err>("POST", "/api/hosts", { id: "box", host: "h", user: "u", auth: { kind: "agent" } })).body.error
        .code,
      "HOST_ID_TAKEN",
    );

    const first = await b.call<TestHostResult>("POST", "/api/hosts/box/test", {});
    assert.equal(first.status, 200);
    assert.deepEqual(
      [first.body.keyStatus, first.body.fingerprint, first.body.keyType, first.body.authenticated],
      ["unknown", env.ssh.hostFingerprint, "ssh-ed25519", false],
    );
    assert.equal(first.body.error?.code, "HOST_KEY_UNKNOWN");

    const trust = await b.call<HostView>("POST", "/api/hosts/box/trust", { fingerprint: first.body.fingerprint });
    assert.equal(trust.body.hostFingerprint, env.ssh.hostFingerprint);
    const second = await b.call<TestHostResult>("POST", "/api/hosts/box/test", {});
    assert.deepEqual(
      [second.body.keyStatus, second.body.trustedBy, second.body.authenticated],
      ["trusted", "pinned", true],
      JSON.stringify(second.body),
    );

    const other = `SHA256:${"C".repeat(43)}`;
    const refused = await b.call<Err>("POST", "/api/hosts/box/trust", { fingerprint: other });
    assert.deepEqual([refused.status, refused.body.error.code], [409, "HOST_KEY_CHANGED"]);
    const replaced = await b.call<HostView>("POST", "/api/hosts/box/trust", { fingerprint: other, replace: true });
    assert.equal(replaced.body.hostFingerprint, other);
    const changed = await b.call<TestHostResult>("POST", "/api/hosts/box/test", {});
    assert.deepEqual(
      [changed.body.keyStatus, changed.body.fingerprint, changed.body.authenticated, changed.body.error?.code],
      ["changed", env.ssh.hostFingerprint, false, "HOST_KEY_CHANGED"],
    );
  });

  test("encrypted key over HTTP: the passphrase travels per request and is never stored", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const add = await b.call<HostView>("POST", "/api/hosts", {
      id: "enc",
      host: env.ssh.host,
      port: env.ssh.port,
      user: env.ssh.user,
      auth: { kind: "key", privateKeyPath: env.sshExtras.encryptedKeyPath },
      hostFingerprint: env.ssh.hostFingerprint,
    });
    assert.equal(add.status, 200, JSON.stringify(add.body));
    const without = await b.call<TestHostResult>("POST", "/api/hosts/enc/test", {});
    assert.deepEqual(
      [without.body.keyStatus, without.body.authenticated, without.body.error?.code],
      ["trusted", false, "HOST_SECRET_REQUIRED"],
    );
    const withIt = await b.call<TestHostResult>("POST", "/api/hosts/enc/test", {
      credentials: { enc: { passphrase: env.sshExtras.passphrase } },
    });
    assert.equal(withIt.body.authenticated, true, JSON.stringify(withIt.body));
    assert.doesNotMatch(readFileSync(join(dataDir, "hosts.json"), "utf8"), new RegExp(env.sshExtras.passphrase));
    assert.doesNotMatch(b.stderr(), new RegExp(env.sshExtras.passphrase));
  });

  test("import from ~/.ssh/config returns candidates; adding one is the user's explicit step", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const r = await b.call<SshConfigImportResult>("POST", "/api/hosts/import-ssh-config", {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = r.body.candidates.find((x) => x.alias === "rig-from-config");
    assert.ok(c, JSON.stringify(r.body));
    assert.deepEqual(
      [c.host, c.port, c.user, c.auth, c.jump],
      [env.ssh.host, env.ssh.port, env.ssh.user, { kind: "key", privateKeyPath: env.ssh.keyPath }, undefined],
    );
    assert.equal(
      (await b.call<HostList>("GET", "/api/hosts")).body.hosts.some((h) => h.id === c.id),
      false,
      "nothing added by the import itself",
    );
  });

  test("bad input: a system file as key, an unknown jump host, a bad fingerprint → 400; unknown host → 404", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const shadow = await b.call<Err>("POST", "/api/hosts", {
      id: "x1",
      host: "h",
      user: "u",
      auth: { kind: "key", privateKeyPath: "/etc/shadow" },
    });
    assert.deepEqual([shadow.status, shadow.body.error.code], [400, "HOST_KEY_FILE_REJECTED"]);
    assert.doesNotMatch(shadow.body.error.message, /root:/);
    const jump = await b.call<Err>("POST", "/api/hosts", {
      id: "x2",
      host: "h",
      user: "u",
      auth: { kind: "agent" },
      jump: ["nope"],
    });
    assert.equal(jump.status, 400);
    const fp = await b.call<Err>("POST", "/api/hosts/box/trust", { fingerprint: "yes" });
    assert.equal(fp.status, 400);
    const missing = await b.call<Err>("POST", "/api/hosts/nope/test", {});
    assert.deepEqual([missing.status, missing.body.error.code], [404, "HOST_UNKNOWN"]);
    const del = await b.call("DELETE", "/api/hosts/box");
    assert.equal(del.status, 200);
  });
});
