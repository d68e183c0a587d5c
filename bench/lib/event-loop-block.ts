/**
 * How long the event loop was held while some async work ran: the longest stretch between
 * two turns of the loop, as CPU time of the MAIN THREAD and as wall time.
 *
 * Main-thread CPU is what "blocks the event loop" means. Process CPU (`process.cpuUsage`)
 * also counts V8's background threads — WebAssembly tier-up compiles, GC — and wall time
 * counts the turns other processes get on a busy machine; both overstate a block. On Linux
 * the main thread's own run time is read from /proc (schedstat, nanoseconds); elsewhere
 * process CPU stands in (and the figures say so).
 */
import { readFileSync } from "node:fs";

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;

function readSchedstat(): number | undefined {
  try {
    return Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** True when the CPU figures are the main thread's own (Linux), false when process-wide. */
export const MAIN_THREAD_CPU = readSchedstat() !== undefined;

/** CPU time in ms: the main thread's where the OS tells it, else the whole process's. */
export function mainThreadCpuMs(): number {
  const own = MAIN_THREAD_CPU ? readSchedstat() : undefined;
  if (own !== undefined) return own;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface Block {
  /** Longest main-thread CPU time between two turns of the event loop, ms. */
  cpu: number;
  /** Longest wall time between two turns, ms. */
  wall: number;
  /** Wall time of the whole work, ms. */
  total: number;
}

/** Runs `work` while a setImmediate probe records the longest gap between event-loop turns. */
export async function eventLoopBlock(work: () => Promise<unknown>): Promise<Block> {
  let maxCpu = 0;
  let maxWall = 0;
  let lastCpu = mainThreadCpuMs();
  let lastWall = performance.now();
  let running = true;
  const probe = () => {
    const c = mainThreadCpuMs();
    const w = performance.now();
    maxCpu = Math.max(maxCpu, c - lastCpu);
    maxWall = Math.max(maxWall, w - lastWall);
    lastCpu = c;
    lastWall = w;
    if (running) setImmediate(probe);
  };
  setImmediate(probe);
  const t0 = performance.now();
  await work();
  const total = performance.now() - t0;
  running = false;
  probe();
  return { cpu: maxCpu, wall: maxWall, total };
}
