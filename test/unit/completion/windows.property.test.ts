/**
 * prefixWindow/suffixWindow split only the part of the document that could fit; the windows
 * must be exactly those of splitting it all (the reference below), for any text and budget.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { prefixWindow, suffixWindow } from "../../../server/completion/context";
import { estimateTokens } from "../../../common/tokens";

function refPrefix(prefix: string, tokens: number): string {
  if (estimateTokens(prefix) <= tokens) return prefix;
  const lines = prefix.split("\n");
  let start = lines.length - 1;
  let used = estimateTokens(lines[start]!);
  while (start > 0) {
    const cost = estimateTokens(lines[start - 1]!) + 1;
    if (used + cost > tokens) break;
    used += cost;
    start -= 1;
  }
  return lines.slice(start).join("\n");
}

function refSuffix(suffix: string, tokens: number): string {
  if (estimateTokens(suffix) <= tokens) return suffix;
  const lines = suffix.split("\n");
  let used = estimateTokens(lines[0]!);
  let end = 1;
  while (end < lines.length) {
    const cost = estimateTokens(lines[end]!) + 1;
    if (used + cost > tokens) break;
    used += cost;
    end += 1;
  }
  return lines.slice(0, end).join("\n");
}

const doc = fc
  .array(fc.oneof(fc.constantFrom("\n", "\n\n", "é", "日本", "x", " "), fc.string({ maxLength: 12 })), {
    maxLength: 80,
  })
  .map((p) => p.join(""));

test("windows equal the split-everything reference for any text and budget", () => {
  fc.assert(
    fc.property(doc, fc.integer({ min: 0, max: 40 }), (text, tokens) => {
      assert.equal(prefixWindow(text, tokens), refPrefix(text, tokens));
      assert.equal(suffixWindow(text, tokens), refSuffix(text, tokens));
    }),
    { numRuns: 5_000, seed: 5 },
  );
});

test("a 3 MB document is windowed without splitting it all", () => {
  const big = "x = 1\n".repeat(500_000);
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) {
    prefixWindow(big, 1536);
    suffixWindow(big, 512);
  }
  const ms = (performance.now() - t0) / 20;
  assert.ok(ms < 20, `${ms.toFixed(1)} ms per pair`);
  assert.equal(prefixWindow(big, 1536), refPrefix(big, 1536));
});
