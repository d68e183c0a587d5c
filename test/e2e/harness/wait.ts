/** Small polling helpers the E2E suites share: facts on disk, not pixels, decide a test. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the file holds exactly `expected` (VS Code saves asynchronously). */
export async function waitForFile(path: string, expected: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = readFileSync(path, "utf8");
    if (last === expected) return;
    await sleep(200);
  }
  assert.equal(last, expected, `${path} on disk`);
}

export async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pred()) return;
    await sleep(200);
  }
  assert.fail(`timed out waiting: ${what}`);
}
