/**
 * How many threads llama.cpp gets by default. Measured on a loaded 2-core machine (bench/RESULTS.md,
 * "local model"): with both cores busy, llama.cpp's spinning worker threads fight the other
 * processes and 32 tokens took ~17–36 s with 2 threads vs 0.6 s with 1. So: half the cores, at
 * least 1, at most 4 (a 0.5B model stops gaining beyond that and the editor needs the rest).
 */
import { availableParallelism } from "node:os";

export function defaultThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, Math.floor(cores / 2)));
}

export function effectiveThreads(configured: number): number {
  return configured > 0 ? configured : defaultThreads();
}
