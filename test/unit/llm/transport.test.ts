import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { createTransport, loadCa, matchesNoProxy, routeFor } from "../../../server/llm/transport";
import { ConfigError } from "../../../server/config/env";

const u = (s: string) => new URL(s);

describe("NO_PROXY matching", () => {
  it("matches exact hosts, subdomains, leading dots and wildcards", () => {
    assert.equal(matchesNoProxy(u("https://api.openai.com/v1"), "openai.com"), true);
    assert.equal(matchesNoProxy(u("https://api.openai.com/v1"), ".openai.com"), true);
    assert.equal(matchesNoProxy(u("https://api.openai.com/v1"), "*.openai.com"), true);
    assert.equal(matchesNoProxy(u("https://notopenai.com/v1"), "openai.com"), false);
    assert.equal(matchesNoProxy(u("http://localhost:11434/v1"), "example.com, localhost"), true);
    assert.equal(matchesNoProxy(u("http://127.0.0.1:1234/v1"), "localhost,127.0.0.1"), true);
    assert.equal(matchesNoProxy(u("https://anything.example"), "*"), true);
    assert.equal(matchesNoProxy(u("https://anything.example"), ""), false);
    assert.equal(matchesNoProxy(u("https://anything.example"), undefined), false);
  });

  it("respects ports, including the scheme's default", () => {
    assert.equal(matchesNoProxy(u("http://10.0.0.5:8000/v1"), "10.0.0.5:8000"), true);
    assert.equal(matchesNoProxy(u("http://10.0.0.5:9000/v1"), "10.0.0.5:8000"), false);
    assert.equal(matchesNoProxy(u("https://corp.example/v1"), "corp.example:443"), true);
    assert.equal(matchesNoProxy(u("http://corp.example/v1"), "corp.example:443"), false);
  });

  it("is case-insensitive and handles IPv6 literals", () => {
    assert.equal(matchesNoProxy(u("https://API.Example.COM"), "api.example.com"), true);
    assert.equal(matchesNoProxy(u("http://[::1]:8080/"), "::1"), true);
    assert.equal(matchesNoProxy(u("http://[::1]:8080/"), "[::1]:8080"), true);
  });
});

describe("routeFor", () => {
  it("uses the proxy for every target unless NO_PROXY matches", () => {
    const cfg = { httpsProxy: "http://proxy.corp:3128", noProxy: "localhost,.internal" };
    assert.deepEqual(routeFor("https://api.openai.com/v1", cfg), { via: "proxy", proxy: "http://proxy.corp:3128" });
    assert.deepEqual(routeFor("http://gpu.internal:8000/v1", cfg), { via: "direct" });
    assert.deepEqual(routeFor("http://localhost:11434/v1", cfg), { via: "direct" });
  });

  it("is direct without a proxy", () => {
    assert.deepEqual(routeFor("https://api.openai.com/v1", {}), { via: "direct" });
  });

  it("createTransport exposes the same choice", async () => {
    const t = createTransport({ httpsProxy: "http://127.0.0.1:9", noProxy: "127.0.0.1" });
    assert.equal(t.route("http://127.0.0.1:1/v1").via, "direct");
    assert.equal(t.route("https://api.openai.com/v1").via, "proxy");
    await t.close();
  });
});

describe("CA bundle", () => {
  const dir = mkdtempSync(join(tmpdir(), "aicockpit-ca-unit-"));

  it("adds the bundle to Node's roots instead of replacing them", () => {
    const pem = rootCertificates[0]!;
    const file = join(dir, "corp.pem");
    writeFileSync(file, pem);
    const ca = loadCa(file)!;
    assert.equal(ca.length, rootCertificates.length + 1);
    assert.equal(ca.at(-1), pem);
  });

  it("refuses a missing or non-PEM file as a ConfigError", () => {
    assert.throws(
      () => loadCa(join(dir, "missing.pem")),
      (e: unknown) => e instanceof ConfigError && /cannot be read \(ENOENT\)/.test(e.message),
    );
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "hello");
    assert.throws(
      () => loadCa(junk),
      (e: unknown) => e instanceof ConfigError && /not a PEM certificate bundle/.test(e.message),
    );
    assert.equal(loadCa(undefined), undefined);
  });
});
