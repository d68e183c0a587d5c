/**
 * Workspaces benchmark:  node --import tsx bench/workspaces.ts [--runs N] [--list-runs N]
 *
 * 1. create → running through the backend (POST /api/workspaces until the `created`
 *    event) vs `docker run -d` with the same image and options (init, named volume at
 *    /workspace, CPU/memory/pids limits, labels), interleaved in the same run, against the
 *    test engine from scripts/test-infra.sh (target: ≤ 1.2× the CLI).
 * 2. GET /api/workspaces with 100 workspaces on the engine (target ≤ 100 ms).
 * Figures are printed and written into bench/RESULTS.md (own section only).
 */
import { loadNote } from "./lib/load-note";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cpus, loadavg } from "node:os";
import Docker from "dockerode";
import { loadInfraEnv } from "../test/fixtures/infra-env";
import { ROOT, startBackend } from "../test/integration/helpers/backend";
import { cleanupWorkspaces, createWorkspace } from "../test/integration/helpers/workspaces";

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: "string" }, "list-runs": { type: "string" } } });
const RUNS = Number(values.runs ?? 10);
const LIST_RUNS = Number(values["list-runs"] ?? 30);
const PREFIX = "bench-";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const env = loadInfraEnv();
  const docker = new Docker({ socketPath: env.dockerSocketPath });
  await cleanupWorkspaces(docker, PREFIX);
  const b = await startBackend({ env: { DOCKER_HOST: env.dockerHost } });
  const dockerEnv = { ...process.env, DOCKER_HOST: env.dockerHost };
  const limits = { cpus: 1, memoryMb: 256, pids: 256 };
  const viaBackend: number[] = [];
  const viaCli: number[] = [];
  try {
    // warm-up: first use loads dockerode in the backend and the CLI binary into the page cache
    await createWorkspace(b, { name: `${PREFIX}warm`, stack: "custom", image: env.image, limits });
    await run("docker", ["run", "-d", "--rm", "--init", "--name", "aicockpit-ws-bench-warmcli", env.image, "true"], {
      env: dockerEnv,
    });
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0 ? ["api", "cli"] : ["cli", "api"];
      for (const which of order) {
        const name = `${PREFIX}${which}${i}`;
        const t0 = performance.now();
        if (which === "api") {
          const r = await createWorkspace(b, { name, stack: "custom", image: env.image, limits });
          if (r.error || r.events.at(-1)?.type !== "created") throw new Error(`create failed: ${JSON.stringify(r)}`);
          viaBackend.push(performance.now() - t0);
        } else {
          await run(
            "docker",
            [
              "run",
              "-d",
              "--init",
              "--name",
              `aicockpit-ws-${name}`,
              "--label",
              "aicockpit.workspace=1",
              "--label",
              `aicockpit.workspace.name=${name}`,
              "--cpus",
              "1",
              "--memory",
              "256m",
              "--memory-swap",
              "256m",
              "--pids-limit",
              "256",
              "--network",
              "bridge",
              "-v",
              `aicockpit-ws-${name}-data:/workspace`,
              "-w",
              "/workspace",
              env.image,
              "sh",
              "-c",
              "while sleep 3600; do :; done",
            ],
            { env: dockerEnv },
          );
          viaCli.push(performance.now() - t0);
        }
      }
      await cleanupWorkspaces(docker, PREFIX);
    }

    // 100 workspaces on the engine (created, not started: listing cost does not depend on it)
    const target = 100;
    for (let i = 0; i < target; i++) {
      await docker.createContainer({
        name: `aicockpit-ws-${PREFIX}list${i}`,
        Image: env.image,
        Cmd: ["true"],
        Labels: {
          "aicockpit.workspace": "1",
          "aicockpit.workspace.name": `${PREFIX}list${i}`,
          "aicockpit.workspace.stack": "custom",
          "aicockpit.workspace.limits": JSON.stringify(limits),
        },
        HostConfig: { Init: true, NetworkMode: "none" },
      });
    }
    const listTimes: number[] = [];
    let count = 0;
    for (let i = 0; i < LIST_RUNS + 5; i++) {
      const t0 = performance.now();
      const r = await b.call<{ workspaces: unknown[] }>("GET", "/api/workspaces");
      const dt = performance.now() - t0;
      count = r.body.workspaces.length;
      if (i >= 5) listTimes.push(dt);
    }
    // the engine's own share: the same listing straight from dockerode
    const engineTimes: number[] = [];
    for (let i = 0; i < LIST_RUNS; i++) {
      const t0 = performance.now();
      await docker.listContainers({ all: true, filters: { label: ["aicockpit.workspace=1"] } });
      engineTimes.push(performance.now() - t0);
    }
    const engineMed = median(engineTimes);
    const apiMed = median(viaBackend);
    const cliMed = median(viaCli);
    const ratio = apiMed / cliMed;
    const listMed = median(listTimes);
    const listP95 = pct(listTimes, 95);
    const load = loadavg()[0]!.toFixed(2);
    const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const lines = [
      `create → running, backend (median of ${RUNS}): ${ms(apiMed)} (min ${ms(Math.min(...viaBackend))}, max ${ms(Math.max(...viaBackend))})`,
      `create → running, docker run CLI (median of ${RUNS}): ${ms(cliMed)} (min ${ms(Math.min(...viaCli))}, max ${ms(Math.max(...viaCli))})`,
      `ratio backend / CLI: ${ratio.toFixed(2)}× (target ≤ 1.2×)`,
      `GET /api/workspaces with ${count} workspaces: p50 ${ms(listMed)}, p95 ${ms(listP95)} (target ≤ 100 ms)`,
      `same listing straight from the engine (dockerode): p50 ${ms(engineMed)}`,
      `load average ${load} on ${cpus().length} CPUs`,
    ];
    for (const l of lines) console.log(l);

    const section = [
      "<!-- workspaces:start -->",
      "## Docker workspaces (`bench/workspaces.ts`)",
      "",
      `Command: \`node --import tsx bench/workspaces.ts --runs ${RUNS} --list-runs ${LIST_RUNS}\` — ${when}, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ${loadNote(load)}. Engine: the test dockerd (${env.storageDriver}), image \`${env.image}\` imported locally.`,
      "",
      "| measure | p50 | spread | target |",
      "| --- | --- | --- | --- |",
      `| create → running via the backend (SSE until \`created\`) | ${ms(apiMed)} | min ${ms(Math.min(...viaBackend))}, max ${ms(Math.max(...viaBackend))} | – |`,
      `| \`docker run -d\` CLI, same image and options | ${ms(cliMed)} | min ${ms(Math.min(...viaCli))}, max ${ms(Math.max(...viaCli))} | – |`,
      `| backend / CLI | ${ratio.toFixed(2)}× | – | ≤ 1.2× ${ratio <= 1.2 ? "✅" : "❌"} |`,
      `| \`GET /api/workspaces\`, ${count} workspaces | ${ms(listMed)} | p95 ${ms(listP95)} | ≤ 100 ms ${listMed <= 100 ? "✅" : "❌"} |`,
      `| same listing straight from the engine (dockerode, no backend) | ${ms(engineMed)} | p95 ${ms(pct(engineTimes, 95))} | – |`,
      "",
      `Runs are interleaved (backend, CLI, CLI, backend, …) with cleanup outside the timed part. The backend path does more than \`docker run\`: engine info for the limit check, name and image checks, volume inspect/create, create, start and a final inspect for the answer.`,
      "<!-- workspaces:end -->",
    ].join("\n");
    const file = join(ROOT, "bench", "RESULTS.md");
    const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
    const re = /<!-- workspaces:start -->[\s\S]*?<!-- workspaces:end -->/;
    writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.replace(/\s*$/, "")}\n\n${section}\n`);
  } finally {
    await b.stop();
    await cleanupWorkspaces(docker, PREFIX);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
