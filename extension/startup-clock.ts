/**
 * When VS Code started evaluating the extension bundle. extension.ts imports this module
 * first (esbuild keeps import order), so the time from here to the end of activate() is
 * what the extension itself costs at startup. Wall time and the process's CPU time are both
 * kept: on a loaded machine wall time is mostly waiting for a core, CPU time is our work.
 * The figures go to the E2E report's "activated" event and from there into
 * bench/vscode-activation.ts.
 */
export const bundleEvalStart = performance.now();
export const bundleEvalStartCpu = process.cpuUsage();

/** Milliseconds since `from` (a performance.now() value), rounded to 0.1 ms. */
export function since(from: number): number {
  return round(performance.now() - from);
}

/** CPU milliseconds (user + system) this process spent since `from`, rounded to 0.1 ms. */
export function cpuSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return round((d.user + d.system) / 1000);
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
