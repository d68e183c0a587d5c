/**
 * The SSH host layer (server/hosts/) against the real sshd rig (scripts/test-infra.sh):
 * auth kinds, host keys, jump hosts, the pool and remote process control. No mocks: every
 * connection is a real OpenSSH server on 127.0.0.1.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostRegistry, SshPool, type ExecResult } from "../../server/hosts";
import { AppError } from "../../server/errors";
import { HostKeyError } from "../../server/hosts/host-keys";
import { HostCommandError } from "../../server/hosts/exec";
import { importSshConfig } from "../../server/hosts/ssh-config-import";
import { requireSshExtrasOrSkip, type InfraEnv } from "../fixtures/infra-env";

type Env = InfraEnv & { sshExtras: NonNullable<InfraEnv["sshExtras"]> };

async function rejects(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SSH hosts against the real sshd", () => {
  let env: Env | undefined;
  let dir: string;
  let knownHosts: string;
  let reg: HostRegistry;
  let pool: SshPool;
  const pools: SshPool[] = [];

  const newPool = (o: ConstructorParameters<typeof SshPool>[1] = {}) => {
    const p = new SshPool(reg, {
      knownHostsFiles: [knownHosts],
      agentSocket: env!.sshExtras.agentSocket,
      killGraceMs: 1500,
      ...o,
    });
    pools.push(p);
    return p;
  };
  const target = (extra: Partial<Parameters<HostRegistry["add"]>[1]> = {}) => ({
    host: env!.ssh.host,
    port: env!.ssh.port,
    user: env!.ssh.user,
    auth: { kind: "key" as const, privateKeyPath: env!.ssh.keyPath },
    ...extra,
  });
  /** Remote processes whose command line contains `marker`, seen over a fresh connection. */
  const remotePs = async (marker: string): Promise<string[]> => {
    const fresh = newPool();
    const r = await fresh.exec("rig", ["ps", "-eo", "pid,pgid,args"]);
    fresh.close();
    // `pid pgid args`: only processes whose program line starts with the marker (not their `sh -c` parents)
    return r.stdout.split("\n").filter((l) => l.trim().split(/\s+/).slice(2).join(" ").startsWith(marker));
  };

  before(async () => {
    env = await requireSshExtrasOrSkip("hosts.test.ts");
    if (!env) return;
    dir = mkdtempSync(join(tmpdir(), "aicockpit-hosts-"));
    knownHosts = join(dir, "known_hosts");
    // the rig's known_hosts: `[127.0.0.1]:<port> ssh-ed25519 …` (plain)
    writeFileSync(knownHosts, readFileSync(env.ssh.knownHostsPath));
    reg = new HostRegistry(join(dir, "data"));
    reg.add("rig", target());
    pool = newPool();
  });

  after(() => {
    for (const p of pools) p.close();
  });

  test("key auth: argv reaches the remote program exactly (quoted), exit code and stderr come back", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const tricky = ["a b", "it's", "$(touch /tmp/pwned)", "`id`", "x;y", "*", "", "ünï"];
    const r = await pool.exec("rig", [
      "sh",
      "-c",
      'for a in "$@"; do printf "[%s]\\n" "$a"; done; echo oops >&2; exit 7',
      "sh",
      ...tricky,
    ]);
    assert.equal(r.exitCode, 7);
    assert.equal(r.signal, null);
    assert.equal(r.stdout, tricky.map((a) => `[${a}]\n`).join(""));
    assert.equal(r.stderr, "oops\n");
    assert.deepEqual(r.truncated, { stdout: false, stderr: false });
  });

  test("a key the host does not accept → HOST_AUTH_FAILED", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const wrong = join(dir, "wrong_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", wrong]);
    reg.add("wrongkey", target({ auth: { kind: "key", privateKeyPath: wrong } }));
    await rejects(pool.exec("wrongkey", ["true"]), "HOST_AUTH_FAILED");
  });

  test("encrypted key: passphrase required, a wrong one refused, the right one (per call, not stored) works", async (t) => {
    if (!env) return t.skip("no infrastructure");
    reg.add("enc", target({ auth: { kind: "key", privateKeyPath: env.sshExtras.encryptedKeyPath } }));
    const p = newPool();
    const need = await rejects(p.exec("enc", ["true"]), "HOST_SECRET_REQUIRED");
    assert.match(need.hint ?? "", /passphrase/);
    const bad = await rejects(
      p.exec("enc", ["true"], { credentials: { enc: { passphrase: "not-it" } } }),
      "HOST_AUTH_FAILED",
    );
    assert.doesNotMatch(bad.message, /not-it/);
    const ok = await p.exec("enc", ["echo", "decrypted"], {
      credentials: { enc: { passphrase: env.sshExtras.passphrase } },
    });
    assert.equal(ok.stdout, "decrypted\n");
    assert.doesNotMatch(readFileSync(join(dir, "data", "hosts.json"), "utf8"), new RegExp(env.sshExtras.passphrase));
    // after a drop, the pool reconnects only with the secret again: nothing was kept
    p.drop("enc");
    await rejects(p.exec("enc", ["true"]), "HOST_SECRET_REQUIRED");
  });

  test("ssh-agent: a key that exists only in the agent logs in; without an agent → HOST_AUTH_FAILED", async (t) => {
    if (!env) return t.skip("no infrastructure");
    reg.add("agent", target({ auth: { kind: "agent" } }));
    const r = await newPool().exec("agent", ["echo", "via-agent"]);
    assert.equal(r.stdout, "via-agent\n");
    const noAgent = new SshPool(reg, { knownHostsFiles: [knownHosts], agentSocket: "" });
    pools.push(noAgent);
    await rejects(noAgent.exec("agent", ["true"]), "HOST_AUTH_FAILED");
  });

  test("password auth (jump sshd only allows it): required per call, a wrong one refused, the right one logs in", async (t) => {
    if (!env) return t.skip("no infrastructure");
    reg.add(
      "pw",
      target({
        port: env.sshExtras.jumpPort,
        hostFingerprint: env.sshExtras.jumpHostFingerprint,
        auth: { kind: "password" },
      }),
    );
    const p = newPool();
    await rejects(p.exec("pw", ["true"]), "HOST_SECRET_REQUIRED");
    const bad = await rejects(
      p.exec("pw", ["true"], { credentials: { pw: { password: "wrong-password" } } }),
      "HOST_AUTH_FAILED",
    );
    assert.doesNotMatch(bad.message, /wrong-password/);
    const ok = await p.exec("pw", ["echo", "by-password"], {
      credentials: { pw: { password: env.sshExtras.password } },
    });
    assert.equal(ok.stdout, "by-password\n");
  });

  test("host keys: unknown → HOST_KEY_UNKNOWN with the fingerprint; pinned → trusted; changed → refused; revoked → refused", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const empty = join(dir, "empty_known_hosts");
    writeFileSync(empty, "");
    const strict = newPool({ knownHostsFiles: [empty] });
    const unknown = await rejects(strict.exec("rig", ["true"]), "HOST_KEY_UNKNOWN");
    assert.ok(unknown instanceof HostKeyError);
    assert.equal(unknown.verdict.fingerprint, env.ssh.hostFingerprint);
    assert.match(unknown.message, new RegExp(env.ssh.hostFingerprint.replace(/[+/]/g, "\\$&")));
    const probe = await strict.test("rig");
    assert.deepEqual(
      [probe.keyStatus, probe.fingerprint, probe.authenticated],
      ["unknown", env.ssh.hostFingerprint, false],
    );

    reg.add("pinned", target({ hostFingerprint: env.ssh.hostFingerprint }));
    assert.equal((await strict.exec("pinned", ["echo", "pinned"])).stdout, "pinned\n");
    assert.equal((await strict.test("pinned")).trustedBy, "pinned");

    const other = `SHA256:${"A".repeat(43)}`;
    reg.add("changed", target({ hostFingerprint: other }));
    const changed = await rejects(strict.exec("changed", ["true"]), "HOST_KEY_CHANGED");
    assert.match(changed.message, /CHANGED/);
    assert.equal((await strict.test("changed")).keyStatus, "changed");

    // known_hosts naming another ed25519 key for this host:port → changed, never accepted
    const liar = join(dir, "liar_known_hosts");
    const otherKey = join(dir, "other_host_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
    writeFileSync(
      liar,
      `[127.0.0.1]:${env.ssh.port} ${readFileSync(`${otherKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}\n`,
    );
    await rejects(newPool({ knownHostsFiles: [liar] }).exec("rig", ["true"]), "HOST_KEY_CHANGED");

    const revoked = join(dir, "revoked_known_hosts");
    const hostPub = readFileSync(env.ssh.knownHostsPath, "utf8").trim().split(" ").slice(1, 3).join(" ");
    writeFileSync(revoked, `${readFileSync(env.ssh.knownHostsPath, "utf8")}@revoked * ${hostPub}\n`);
    await rejects(newPool({ knownHostsFiles: [revoked] }).exec("rig", ["true"]), "HOST_KEY_REVOKED");
  });

  test("known_hosts: a hashed |1| entry for [host]:port is recognised (hashed by ssh-keygen -H)", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const hashed = join(dir, "hashed_known_hosts");
    writeFileSync(hashed, readFileSync(env.ssh.knownHostsPath));
    execFileSync("ssh-keygen", ["-H", "-f", hashed], { stdio: "ignore" });
    const text = readFileSync(hashed, "utf8");
    assert.match(text, /^\|1\|/m);
    assert.doesNotMatch(text, /127\.0\.0\.1/);
    const r = await newPool({ knownHostsFiles: [hashed] }).test("rig");
    assert.deepEqual([r.keyStatus, r.trustedBy, r.authenticated], ["trusted", "known_hosts", true]);
  });

  test("jump host: the connection goes through the second sshd (its log shows the forward); each hop's key is verified", async (t) => {
    if (!env) return t.skip("no infrastructure");
    reg.add("jump", target({ port: env.sshExtras.jumpPort, hostFingerprint: env.sshExtras.jumpHostFingerprint }));
    reg.add("behind", target({ jump: ["jump"] }));
    const forwards = () =>
      readFileSync(env!.sshExtras.jumpLog, "utf8")
        .split("\n")
        .filter((l) =>
          l.includes(
            `server_request_direct_tcpip: originator 127.0.0.1 port 0, target ${env!.ssh.host} port ${env!.ssh.port}`,
          ),
        ).length;
    const before = forwards();
    const p = newPool();
    const r = await p.exec("behind", ["sh", "-c", "echo $SSH_CONNECTION"]);
    assert.match(r.stdout, new RegExp(` ${env.ssh.port}\\n$`), "the target sshd served it");
    await sleep(200);
    assert.equal(forwards(), before + 1, "the jump sshd forwarded exactly one connection to the target");

    // the jump host's key is judged on its own: a wrong pin there stops the chain at the jump
    reg.update("jump", { hostFingerprint: `SHA256:${"B".repeat(43)}` });
    const res = await newPool().test("behind");
    assert.deepEqual([res.at, res.keyStatus, res.fingerprint], ["jump", "changed", env.sshExtras.jumpHostFingerprint]);
    await rejects(newPool().exec("behind", ["true"]), "HOST_KEY_CHANGED");
    reg.update("jump", { hostFingerprint: env.sshExtras.jumpHostFingerprint });
  });

  test("fast commands through a jump host keep their exit status (it can arrive before the channel is handed over)", async (t) => {
    if (!env) return t.skip("no infrastructure");
    reg.add("jump-fast", target({ port: env.sshExtras.jumpPort, hostFingerprint: env.sshExtras.jumpHostFingerprint }));
    reg.add("behind-fast", target({ jump: ["jump-fast"] }));
    const codes: (number | null)[] = [];
    for (let i = 0; i < 20; i++) {
      const p = newPool(); // a fresh chain each time: the race showed on the first command of a connection
      codes.push((await p.exec("behind-fast", ["sh", "-c", `exit ${i % 3}`])).exitCode);
      p.close();
    }
    assert.deepEqual(
      codes,
      Array.from({ length: 20 }, (_, i) => i % 3),
    );
  });

  test("~/.ssh/config import: Include, wildcards and ProxyJump resolved as OpenSSH does; the imported chain runs", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const home = join(dir, "home");
    mkdirSync(join(home, ".ssh", "conf.d"), { recursive: true });
    writeFileSync(
      join(home, ".ssh", "config"),
      [
        "Include conf.d/*.conf",
        "Host cfg-bastion",
        `  Port ${env.sshExtras.jumpPort}`,
        "Host cfg-target",
        "  ProxyJump cfg-bastion",
        "  User not-me", // loses: the Include above gave cfg-target its User first
        "Host cfg-*",
        "  HostName 127.0.0.1",
        `  IdentityFile ${env.ssh.keyPath}`,
        "  Port 1", // never used: Port was obtained earlier for both
        "Host *",
        `  User ${env.ssh.user}`,
      ].join("\n"),
    );
    writeFileSync(
      join(home, ".ssh", "conf.d", "10-target.conf"),
      `Host cfg-target\n  Port ${env.ssh.port}\n  User ${env.ssh.user}\n`,
    );
    const res = importSshConfig({ home, knownHostsFiles: [knownHosts] });
    assert.deepEqual(res.files, [join(home, ".ssh", "config"), join(home, ".ssh", "conf.d", "10-target.conf")]);
    const byAlias = new Map(res.candidates.map((c) => [c.alias, c]));
    const bastion = byAlias.get("cfg-bastion")!;
    const tgt = byAlias.get("cfg-target")!;
    assert.deepEqual([bastion.host, bastion.port, bastion.user], ["127.0.0.1", env.sshExtras.jumpPort, env.ssh.user]);
    assert.deepEqual([tgt.host, tgt.port, tgt.user, tgt.jump], ["127.0.0.1", env.ssh.port, env.ssh.user, [bastion.id]]);
    assert.deepEqual(tgt.auth, { kind: "key", privateKeyPath: env.ssh.keyPath });
    assert.equal(tgt.knownHostsFingerprint, env.ssh.hostFingerprint);
    const { id: bid, alias: _a, knownHostsFingerprint: _k, ...bIn } = bastion;
    reg.add(bid, { ...bIn, hostFingerprint: env.sshExtras.jumpHostFingerprint }, "ssh-config");
    const { id: tid, alias: _b, knownHostsFingerprint: _l, ...tIn } = tgt;
    reg.add(tid, tIn, "ssh-config");
    const r = await newPool().exec(tid, ["echo", "imported"]);
    assert.equal(r.stdout, "imported\n");
  });

  test("a connection dropped mid-command → HOST_CONNECTION_LOST; the next command reconnects", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const p = newPool();
    const seen: string[] = [];
    // the command kills its own sshd session process (its parent after `exec`): the TCP connection drops
    const err = await rejects(
      p.exec("rig", ["sh", "-c", "echo started; sleep 0.5; kill -9 $PPID; sleep 30"], {
        onStdout: (b) => seen.push(b.toString()),
        timeoutMs: 20_000,
      }),
      "HOST_CONNECTION_LOST",
    );
    assert.ok(err instanceof HostCommandError);
    assert.equal(err.partial.stdout, "started\n");
    assert.equal(seen.join(""), "started\n");
    const again = await p.exec("rig", ["echo", "back"]);
    assert.equal(again.stdout, "back\n");
  });

  test("closing a channel alone leaves the remote process running (why exec kills by process group)", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const marker = `${3000 + Math.floor(Math.random() * 999)}.${process.pid % 1000}`;
    const ch = await pool.channel("rig", `sleep ${marker}`);
    try {
      await sleep(300);
      ch.close();
      await sleep(500);
      const left = await remotePs(`sleep ${marker}`);
      assert.equal(left.length, 1, "still running after the channel closed");
    } finally {
      await pool.exec("rig", ["pkill", "-f", `sleep ${marker}`]);
    }
  });

  test("cancel and timeout end the whole remote process group, even children that ignore TERM", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const m1 = `${4000 + Math.floor(Math.random() * 999)}.1${process.pid % 100}`;
    const ac = new AbortController();
    const started = Date.now();
    const run = pool.exec("rig", ["sh", "-c", `trap '' TERM; sleep ${m1} & sleep ${m1}`], {
      signal: ac.signal,
      onStdout: () => undefined,
    });
    try {
      await sleep(700);
      assert.equal((await remotePs(`sleep ${m1}`)).length, 2, "both sleeps run before the cancel");
    } finally {
      ac.abort();
    }
    await rejects(run, "CANCELLED");
    t.diagnostic(`cancel → gone in ${Date.now() - started - 700} ms (TERM ignored: KILL after the 1.5 s grace)`);
    assert.deepEqual(await remotePs(`sleep ${m1}`), [], "gone from the remote process table");

    const m2 = `${5000 + Math.floor(Math.random() * 999)}.2${process.pid % 100}`;
    const err = await rejects(
      pool.exec("rig", ["sh", "-c", `echo before; sleep ${m2}`], { timeoutMs: 800 }),
      "HOST_COMMAND_TIMEOUT",
    );
    assert.ok(err instanceof HostCommandError);
    assert.equal(err.partial.stdout, "before\n");
    assert.deepEqual(await remotePs(`sleep ${m2}`), [], "gone from the remote process table");
  });

  test("output cap: kept bytes bounded, truncated flagged, every byte still streamed", async (t) => {
    if (!env) return t.skip("no infrastructure");
    let streamed = 0;
    const r = await pool.exec(
      "rig",
      ["sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x; head -c 5 /dev/zero | tr '\\0' e >&2"],
      {
        maxOutputBytes: 1000,
        onStdout: (b) => (streamed += b.length),
      },
    );
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, "x".repeat(1000));
    assert.equal(r.stderr, "eeeee");
    assert.deepEqual(r.truncated, { stdout: true, stderr: false });
    assert.equal(streamed, 300_000);
  });

  test("9 parallel commands share one pooled connection; the 8-channel budget queues the 9th", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const p = newPool();
    await p.exec("rig", ["true"]); // connected
    const runs: Promise<ExecResult & { endedAt: number }>[] = [];
    for (let i = 0; i < 9; i++)
      runs.push(
        p
          .exec("rig", ["sh", "-c", "echo $SSH_CONNECTION; sleep 1.5"], { timeoutMs: 30_000 })
          .then((r) => ({ ...r, endedAt: Date.now() })),
      );
    await sleep(300);
    assert.deepEqual(p.stats("rig"), { openChannels: 8, queued: 1 });
    const done = await Promise.all(runs);
    assert.equal(new Set(done.map((r) => r.stdout)).size, 1, "one TCP connection (same client port) for all nine");
    const firstEight = Math.max(...done.slice(0, 8).map((r) => r.endedAt));
    assert.ok(done[8]!.endedAt >= firstEight - 200, "the 9th ran after a slot freed");
  });

  test("the timeout covers a wait for a free channel: a queued command times out without ever starting", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const p = newPool({ maxChannelsPerConnection: 1 });
    const long = p.exec("rig", ["sleep", "2"]);
    await sleep(300);
    const t0 = Date.now();
    const err = await rejects(p.exec("rig", ["echo", "never"], { timeoutMs: 500 }), "HOST_COMMAND_TIMEOUT");
    assert.ok(Date.now() - t0 < 1900, "did not wait for the slot");
    assert.ok(!(err instanceof HostCommandError), "nothing ran, so there is no partial output");
    assert.equal((await long).exitCode, 0);
  });

  test("idle connections close; keepalive settings reach ssh2", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const p = newPool({ idleCloseMs: 400 });
    await p.exec("rig", ["true"]);
    assert.ok(p.stats("rig"));
    await sleep(1200);
    assert.equal(p.stats("rig"), undefined, "closed after the idle period");
    assert.equal(p.options.keepaliveIntervalMs, 15_000);
    assert.equal(p.options.maxChannelsPerConnection, 8);
  });

  test("privateKeyPath must be the user's own key file: /etc/shadow and loose modes are refused without echoing content", async (t) => {
    if (!env) return t.skip("no infrastructure");
    for (const path of ["/etc/shadow", "/proc/self/environ", "relative/key"]) {
      assert.throws(
        () =>
          reg.add(
            `bad${Math.random().toString(36).slice(2, 6)}`,
            target({ auth: { kind: "key", privateKeyPath: path } }),
          ),
        (e: unknown) => e instanceof AppError && e.code === "HOST_KEY_FILE_REJECTED",
      );
    }
    const loose = join(dir, "loose_key");
    writeFileSync(loose, readFileSync(env.ssh.keyPath));
    chmodSync(loose, 0o644);
    assert.throws(() => reg.add("loose", target({ auth: { kind: "key", privateKeyPath: loose } })), /mode 644/);
    const notKey = join(dir, "not_a_key");
    writeFileSync(notKey, "SECRET-CONTENT-123\n", { mode: 0o600 });
    assert.throws(
      () => reg.add("notkey", target({ auth: { kind: "key", privateKeyPath: notKey } })),
      (e: unknown) =>
        e instanceof AppError &&
        /does not look like a private key/.test(e.message) &&
        !e.message.includes("SECRET-CONTENT"),
    );
  });
});
