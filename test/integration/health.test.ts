/** `GET /health` from the built backend reports the version in package.json (compiled in by esbuild.config.mjs). */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { HealthResponse } from "../../server/api/health";
import { ROOT, startBackend, type Backend } from "./helpers/backend";

describe("GET /health", () => {
  let be: Backend;
  before(async () => {
    be = await startBackend();
  });
  after(async () => {
    await be?.stop();
  });

  it("reports package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await be.call<HealthResponse>("GET", "/health");
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "ok");
    assert.equal(r.body.version, version);
  });
});
