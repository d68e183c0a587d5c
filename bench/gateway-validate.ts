/**
 * Command gateway: validation time per request, in process — what the gateway adds between
 * the model's answer and running (or refusing) the command: reading the answer, splitting
 * it into argv, validating it against the policy (with the shell risk assessment for
 * `exec`), and for state changes signing a confirm token and verifying + redeeming it on the
 * confirmed request. A fixed mix of realistic answers (legitimate, confirm, injections).
 *
 * Figures are printed and written into bench/RESULTS.md (own section only).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { readAnswer } from "../server/gateway/parse-answer";
import { validateCommand } from "../server/gateway/validate";
import { ConfirmTokens } from "../server/gateway/confirm-token";
import { loadNote } from "./lib/load-note";

const ROOT = resolve(__dirname, "..");
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg("--runs", 20_000);
const C = "market-predictor";

const MIX: { kind: string; answer: string }[] = [
  { kind: "allowed", answer: "```bash\ndocker logs --tail 20 market-predictor\n```" },
  { kind: "allowed", answer: "docker inspect --format '{{.State.Status}}' market-predictor" },
  { kind: "allowed", answer: "Here you go:\n```\ndocker ps --format '{{.Names}}'\n```\nThis lists it." },
  { kind: "allowed", answer: "docker stats --no-stream market-predictor" },
  { kind: "allowed (exec, risk-assessed)", answer: "docker exec market-predictor sh -c 'ps aux | head -n 5'" },
  { kind: "confirm + token", answer: "docker restart -t 5 market-predictor" },
  { kind: "confirm + token", answer: "docker exec market-predictor touch /tmp/ready" },
  { kind: "refused", answer: "docker ps; rm -rf /" },
  { kind: "refused", answer: "docker logs market-predictor && reboot" },
  { kind: "refused", answer: "docker -H tcp://10.0.0.1:2375 ps" },
  { kind: "refused", answer: "docker run -v /:/host busybox" },
  { kind: "refused (exec, risk-assessed)", answer: "docker exec market-predictor rm -rf /" },
];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function main(): void {
  const tokens = new ConfirmTokens();
  const target = { host: "local", container: C, purpose: "gateway" };
  const one = (answer: string): void => {
    const read = readAnswer(answer);
    if ("error" in read) return;
    const v = validateCommand(read.text, { container: C, resolveAlias: () => undefined });
    if (v.decision === "confirm") {
      const tok = tokens.sign({ ...target, argv: v.argv! });
      const r = tokens.redeem(tok, target);
      if (!r.ok) throw new Error(r.reason);
    }
  };
  for (let i = 0; i < 2_000; i++) one(MIX[i % MIX.length]!.answer); // warm-up (JIT)

  const all: number[] = [];
  const byKind = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i++) {
    const m = MIX[i % MIX.length]!;
    const t0 = process.hrtime.bigint();
    one(m.answer);
    const us = Number(process.hrtime.bigint() - t0) / 1_000;
    all.push(us);
    const list = byKind.get(m.kind) ?? [];
    list.push(us);
    byKind.set(m.kind, list);
  }
  all.sort((a, b) => a - b);
  const f = (us: number) => (us >= 1_000 ? `${(us / 1_000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const load = loadavg()[0]!.toFixed(2);
  const p50 = pct(all, 50);
  const p99 = pct(all, 99);
  const rows = [...byKind.entries()].map(([kind, xs]) => {
    xs.sort((a, b) => a - b);
    return `| ${kind} | ${f(pct(xs, 50))} | ${f(pct(xs, 99))} | – |`;
  });
  const lines = [
    `gateway validation per request over ${RUNS} requests: p50 ${f(p50)}, p99 ${f(p99)}`,
    ...[...byKind.entries()].map(([k, xs]) => `  ${k}: p50 ${f(pct(xs, 50))} p99 ${f(pct(xs, 99))}`),
  ];
  for (const l of lines) console.log(l);
  const section = [
    "<!-- gateway-validate:start -->",
    "## Command gateway validation (`bench/gateway-validate.ts`)",
    "",
    `Command: \`node --import tsx bench/gateway-validate.ts --runs ${RUNS}\` — ${when}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ${loadNote(load)}.`,
    "",
    "Per request, in process: read the model's answer, split it into argv, validate it (policy allow-lists; the shell risk assessment for `exec`), and for state changes sign a confirm token and verify + redeem it. A fixed mix of 12 answers (5 allowed, 2 needing confirmation, 5 refused), round-robin after 2 000 warm-up requests. The model call and the docker run are not included: they are the service's and Docker's time.",
    "",
    "| requests | p50 | p99 | target |",
    "| --- | --- | --- | --- |",
    `| **all (${RUNS})** | ${f(p50)} | ${f(p99)} | p50 ≤ 1 ms ${p50 <= 1_000 ? "✅" : "❌"} |`,
    ...rows,
    "",
    "The p99 column is the machine's scheduling as much as the code: on a loaded machine a request that gets preempted shows milliseconds; run it on a quiet machine for the code's own tail.",
    "<!-- gateway-validate:end -->",
  ].join("\n");
  const file = join(ROOT, "bench", "RESULTS.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
  const re = /<!-- gateway-validate:start -->[\s\S]*?<!-- gateway-validate:end -->/;
  writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.replace(/\s*$/, "")}\n\n${section}\n`);
}

main();
