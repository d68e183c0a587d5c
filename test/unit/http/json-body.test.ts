import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertJsonDepth, MAX_JSON_DEPTH } from "../../../server/http/json-body";
import { AppError } from "../../../server/errors";

const nested = (n: number) => Buffer.from(`{"a":${"[".repeat(n - 1)}${"]".repeat(n - 1)}}`);

describe("assertJsonDepth", () => {
  it("accepts up to the limit and refuses one level more, as BAD_REQUEST", () => {
    assert.doesNotThrow(() => assertJsonDepth(nested(MAX_JSON_DEPTH)));
    assert.throws(
      () => assertJsonDepth(nested(MAX_JSON_DEPTH + 1)),
      (e: unknown) => e instanceof AppError && e.code === "BAD_REQUEST" && /deeper than 64 levels/.test(e.message),
    );
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    const inString = Buffer.from(JSON.stringify({ text: `${"[".repeat(500)} \\" ${"{".repeat(500)}`, more: "\\\\" }));
    assert.doesNotThrow(() => assertJsonDepth(inString));
  });

  it("scans a million levels without recursion (no stack overflow) and quickly", () => {
    const t0 = performance.now();
    assert.throws(() => assertJsonDepth(Buffer.from("[".repeat(1_000_000))), AppError);
    assert.doesNotThrow(() => assertJsonDepth(Buffer.from(JSON.stringify({ s: "x".repeat(4_000_000) }))));
    assert.ok(performance.now() - t0 < 2_000);
  });
});
