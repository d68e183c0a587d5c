/**
 * Measures how responsive a backend stays while something else runs: `GET /health` is sent
 * back to back (a short pause between probes) until the action settles, each probe timed
 * from send to full answer, and the backend's resident memory is sampled on the way.
 * Shared by test/integration/faults-cpu.test.ts and bench/health-under-load.ts.
 */
import { Agent, request } from "node:http";
import { readFileSync } from "node:fs";

export interface LatencyStats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function latencyStats(xs: readonly number[]): LatencyStats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: at(50), p99: at(99), max: s[s.length - 1] ?? NaN };
}

/** Resident set size of a process in MiB (Linux), or NaN where /proc is unavailable. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** One `GET /health`; resolves with its latency in ms (a probe that times out counts as `timeoutMs`). */
export function healthOnce(baseUrl: string, agent: Agent, timeoutMs = 10_000): Promise<number> {
  const u = new URL("/health", baseUrl);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - t0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(Math.max(timeoutMs, performance.now() - t0)));
    req.end();
  });
}

export interface ProbeResult<T> {
  value: T;
  latencies: number[];
  stats: LatencyStats;
  /** Highest RSS of `pid` seen while the action ran, MiB. */
  peakRssMiB: number;
}

/**
 * Runs `action` while probing `/health` every `intervalMs`. The probes keep going at least
 * `minProbes` times so a quick action still yields a meaningful sample.
 */
export async function probeWhile<T>(
  baseUrl: string,
  pid: number,
  action: () => Promise<T>,
  opts: { intervalMs?: number; minProbes?: number; probeTimeoutMs?: number } = {},
): Promise<ProbeResult<T>> {
  const intervalMs = opts.intervalMs ?? 10;
  const minProbes = opts.minProbes ?? 20;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let peakRssMiB = rssMiB(pid);
  let done = false;
  const probing = (async () => {
    while (!done || latencies.length < minProbes) {
      latencies.push(await healthOnce(baseUrl, agent, opts.probeTimeoutMs));
      peakRssMiB = Math.max(peakRssMiB, rssMiB(pid) || 0);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  let value: T;
  try {
    value = await action();
  } finally {
    done = true;
    await probing;
    agent.destroy();
  }
  return { value, latencies, stats: latencyStats(latencies), peakRssMiB };
}
