/**
 * The host layer's pooled SSH connection (server/hosts/pool.ts) against the real sshd of
 * scripts/test-infra.sh: the same command (`true`) as
 *   (a) the first command of a fresh pool (TCP + key exchange + auth + channel),
 *   (b) a second command on the pooled connection (one channel),
 *   (c) OpenSSH's own `ssh host true` (a new process and connection each time),
 * interleaved a, b, c per round, ratios from the same run. Written into bench/RESULTS.md
 * (own section only).
 *
 *   set -a; . /tmp/aicockpit-infra/env; set +a; node --import tsx bench/ssh-pool.ts --runs 20
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HostRegistry, SshPool } from "../server/hosts";
import { loadInfraEnv } from "../test/fixtures/infra-env";
import { loadNote } from "./lib/load-note";

const ROOT = resolve(__dirname, "..");
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg("runs", 20);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function openssh(env: ReturnType<typeof loadInfraEnv>): Promise<void> {
  return new Promise((res, rej) =>
    execFile(
      "ssh",
      [
        "-i",
        env.ssh.keyPath,
        "-o",
        `UserKnownHostsFile=${env.ssh.knownHostsPath}`,
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "ControlMaster=no",
        "-o",
        "ControlPath=none",
        "-p",
        String(env.ssh.port),
        `${env.ssh.user}@${env.ssh.host}`,
        "true",
      ],
      (err) => (err ? rej(err) : res()),
    ),
  );
}

async function main(): Promise<void> {
  const env = loadInfraEnv();
  const reg = new HostRegistry(mkdtempSync(join(tmpdir(), "aicockpit-bench-ssh-")));
  reg.add("rig", {
    host: env.ssh.host,
    port: env.ssh.port,
    user: env.ssh.user,
    auth: { kind: "key", privateKeyPath: env.ssh.keyPath },
  });
  const opts = { knownHostsFiles: [env.ssh.knownHostsPath] };
  const first: number[] = [];
  const second: number[] = [];
  const ssh: number[] = [];
  const loads: number[] = [];
  // warm-up: JIT, sshd's first fork, ssh binary in the page cache
  for (let i = 0; i < 3; i++) {
    const p = new SshPool(reg, opts);
    await p.exec("rig", ["true"]);
    await p.exec("rig", ["true"]);
    p.close();
    await openssh(env);
  }
  for (let i = 0; i < RUNS; i++) {
    loads.push(loadavg()[0]!);
    const p = new SshPool(reg, opts);
    let t = performance.now();
    await p.exec("rig", ["true"]);
    first.push(performance.now() - t);
    t = performance.now();
    const r = await p.exec("rig", ["true"]);
    second.push(performance.now() - t);
    if (r.exitCode !== 0) throw new Error(`remote true exited ${r.exitCode}`);
    p.close();
    t = performance.now();
    await openssh(env);
    ssh.push(performance.now() - t);
  }
  const [f, s, o] = [median(first), median(second), median(ssh)];
  const load = median(loads);
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const rows = [
    `| first command, fresh pool (connect + key exchange + auth + channel) | ${ms(f)} | p90 ${ms(pct(first, 90))} | – |`,
    `| second command, pooled connection (one channel) | ${ms(s)} | p90 ${ms(pct(second, 90))} | – |`,
    `| OpenSSH \`ssh host true\` (new process + connection) | ${ms(o)} | p90 ${ms(pct(ssh, 90))} | – |`,
    `| first / second (what pooling saves) | ${(f / s).toFixed(1)}× | – | > 1 ${f / s > 1 ? "✅" : "❌"} |`,
    `| OpenSSH / second | ${(o / s).toFixed(1)}× | – | > 1 ${o / s > 1 ? "✅" : "❌"} |`,
  ];
  for (const l of rows) console.log(l);
  const section = [
    "<!-- ssh-pool:start -->",
    "## SSH pool (`bench/ssh-pool.ts`)",
    "",
    `Command: \`node --import tsx bench/ssh-pool.ts --runs ${RUNS}\` — ${when}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ${loadNote(load)}. Server: the test rig's OpenSSH sshd on 127.0.0.1 (ed25519 host and client keys).`,
    "",
    "| measure (remote command `true`) | p50 | spread | target |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    `${RUNS} rounds after 3 warm-up rounds; each round runs a, b, c in that order. Times are end to end as a feature sees them: \`SshPool.exec\` includes the pid handshake (\`echo $$; exec …\`) and the exit status.`,
    "<!-- ssh-pool:end -->",
  ].join("\n");
  const file = join(ROOT, "bench", "RESULTS.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
  const re = /<!-- ssh-pool:start -->[\s\S]*?<!-- ssh-pool:end -->/;
  writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.replace(/\s*$/, "")}\n\n${section}\n`);
  console.log("written to bench/RESULTS.md");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
