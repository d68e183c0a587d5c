/**
 * Process bookkeeping for E2E runs. Every process of a run carries the environment
 * variable TAG_VAR (code-server passes its environment on to the extension host, and the
 * extension on to the backend), so leftovers are found by that tag and ended by PID —
 * never by name — also after the test process itself crashed.
 *
 * The tag deliberately does not start with AICOCKPIT_: the extension strips those from
 * the backend's environment.
 */
import { readFileSync, readdirSync } from "node:fs";

export const TAG_VAR = "AIC_E2E_RUN_TAG";
const TAG_PREFIX = "aicockpit-e2e";

/** A tag naming this test process as owner: `aicockpit-e2e:<owner pid>:<run id>`. */
export function makeTag(runId: string): string {
  return `${TAG_PREFIX}:${process.pid}:${runId}`;
}

function readEnviron(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((p) => p !== process.pid);
}

/**
 * Whether `pid` still runs. A zombie counts as gone: orphans are reparented to PID 1,
 * and on some machines (this one's PID 1 is not an init) zombies are never reaped.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** PIDs of processes whose environment has TAG_VAR=<tag> (or any tag matching `filter`). */
export function taggedPids(filter: (tag: string) => boolean): number[] {
  const out: number[] = [];
  const needle = `${TAG_VAR}=`;
  for (const pid of allPids()) {
    const environ = readEnviron(pid);
    if (environ === undefined) continue;
    for (const entry of environ.split("\0")) {
      if (entry.startsWith(needle) && filter(entry.slice(needle.length))) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/** Children, grandchildren, … of `root` (from /proc/<pid>/stat's ppid field). */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const pid of allPids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      // "pid (comm) state ppid …" — comm may contain spaces and parentheses
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(pid, Number(rest[1]));
    } catch {
      // gone already
    }
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const p = frontier.pop()!;
    for (const [child, parent] of parentOf) {
      if (parent === p && !out.includes(child)) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

export function killAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/**
 * Ends processes left by earlier runs whose owning test process is gone (a crashed or
 * SIGKILLed run cannot clean up after itself).
 */
export function sweepOrphans(): number[] {
  const orphans = taggedPids((tag) => {
    const [prefix, owner] = tag.split(":");
    return prefix === TAG_PREFIX && owner !== undefined && !isAlive(Number(owner));
  });
  killAll(orphans, "SIGKILL");
  return orphans;
}
