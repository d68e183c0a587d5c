/**
 * The backend's outer shell as a client (or an attacker) sees it: auth, Origin/Host checks,
 * body limits, JSON errors, no secret in any output, config validation, the ready line,
 * and loopback-only binding.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import type { ApiErrorBody } from "../../server/api/errors";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, randomToken, runUntilExit, startBackend, type Backend } from "./helpers/backend";

const PROVIDER_KEY = "sk-security-provider-key-9876543210";

/** Raw request: fetch() will not let us forge Host. */
function raw(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: opts.method ?? "GET", path: opts.path, headers: opts.headers },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

function errorOf(text: string): ApiErrorBody["error"] {
  const parsed = JSON.parse(text) as ApiErrorBody;
  assert.equal(typeof parsed.error.code, "string");
  assert.equal(typeof parsed.error.message, "string");
  return parsed.error;
}

describe("backend security", () => {
  let ai: ScriptedAI;
  let be: Backend;

  before(async () => {
    // The service accepts another key, so every provider call is an auth failure.
    ai = await startScriptedAI({ apiKey: "sk-the-right-one-0000000000" });
    be = await startBackend({
      env: { ...providerEnv(ai.url, { AICOCKPIT_LLM_API_KEY: PROVIDER_KEY }), AICOCKPIT_MAX_BODY_BYTES: "2048" },
    });
  });
  after(async () => {
    await be?.stop();
    await ai?.close();
  });

  it("no token → 401 UNAUTHORIZED", async () => {
    const r = await raw(be.port, { path: "/api/providers", headers: { host: `127.0.0.1:${be.port}` } });
    assert.equal(r.status, 401);
    assert.equal(errorOf(r.body).code, "UNAUTHORIZED");
  });

  it("wrong token → 401 UNAUTHORIZED, on /v1 too", async () => {
    for (const path of ["/api/providers", "/v1/models", "/ready", "/metrics"]) {
      const r = await raw(be.port, { path, headers: { authorization: `Bearer ${randomToken()}` } });
      assert.equal(r.status, 401, path);
      assert.equal(errorOf(r.body).code, "UNAUTHORIZED");
    }
  });

  it("/health needs no token", async () => {
    const r = await raw(be.port, { path: "/health" });
    assert.equal(r.status, 200);
  });

  it("a foreign Origin → 403 FORBIDDEN_ORIGIN even with the token", async () => {
    const r = await raw(be.port, {
      path: "/api/providers",
      headers: { authorization: `Bearer ${be.token}`, origin: "https://evil.example" },
    });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r.body).code, "FORBIDDEN_ORIGIN");
  });

  it("Host evil.example:PORT → 403 FORBIDDEN_HOST (DNS rebinding)", async () => {
    const r = await raw(be.port, {
      path: "/api/providers",
      headers: { authorization: `Bearer ${be.token}`, host: `evil.example:${be.port}` },
    });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r.body).code, "FORBIDDEN_HOST");
  });

  it("/v1 (served ahead of express, http/front.ts) has the same guard: foreign Host, foreign Origin, no token", async () => {
    const body = JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true });
    const json = { "content-type": "application/json" };
    const cases: [Record<string, string>, number, string][] = [
      [{ ...json, authorization: `Bearer ${be.token}`, host: `evil.example:${be.port}` }, 403, "FORBIDDEN_HOST"],
      [{ ...json, authorization: `Bearer ${be.token}`, origin: "https://evil.example" }, 403, "FORBIDDEN_ORIGIN"],
      [json, 401, "UNAUTHORIZED"],
    ];
    for (const [headers, status, code] of cases) {
      const r = await raw(be.port, { method: "POST", path: "/v1/chat/completions", body, headers });
      assert.equal(r.status, status, code);
      assert.equal(errorOf(r.body).code, code);
    }
    assert.equal(ai.completionRequests().length, 0, "nothing reached the AI service");
  });

  it("an oversized body → 413 PAYLOAD_TOO_LARGE", async () => {
    const body = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(4_000) }] });
    const r = await raw(be.port, {
      method: "POST",
      path: "/v1/chat/completions",
      body,
      headers: { authorization: `Bearer ${be.token}`, "content-type": "application/json" },
    });
    assert.equal(r.status, 413);
    assert.equal(errorOf(r.body).code, "PAYLOAD_TOO_LARGE");
    assert.equal(ai.completionRequests().length, 0);
  });

  it("an unknown route → 404 NOT_FOUND as JSON", async () => {
    const r = await be.call<ApiErrorBody>("GET", "/api/nothing-here");
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, "NOT_FOUND");
  });

  it("the provider key appears nowhere: error bodies, /metrics, stdout, stderr", async () => {
    const bodies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await raw(be.port, {
        method: "POST",
        path: "/v1/chat/completions",
        body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: i === 1 }),
        headers: { authorization: `Bearer ${be.token}`, "content-type": "application/json" },
      });
      assert.equal(errorOf(r.body).code, "PROVIDER_AUTH_FAILED");
      bodies.push(r.body);
    }
    bodies.push((await be.call<string>("POST", "/api/providers/default/test")).body as unknown as string);
    bodies.push(JSON.stringify((await be.call("GET", "/ready")).body));
    const metrics = (await be.call<string>("GET", "/metrics")).body;
    assert.match(metrics, /code="PROVIDER_AUTH_FAILED"/);
    const everything = [
      ...bodies.map((b) => (typeof b === "string" ? b : JSON.stringify(b))),
      metrics,
      be.stdout(),
      be.stderr(),
    ].join("\n");
    assert.ok(everything.includes("rejected the API key"), "sanity: the failures did happen");
    assert.ok(!everything.includes(PROVIDER_KEY), "the provider key leaked");
    assert.ok(!everything.includes(PROVIDER_KEY.slice(-8)), "a fragment of the provider key leaked");
    assert.ok(!everything.includes(be.token), "the bearer token leaked");
  });

  it("prints exactly one line on stdout: the ready line", () => {
    assert.equal(be.stdout(), `AICOCKPIT_READY {"port":${be.port}}\n`);
  });

  it("listens on 127.0.0.1 only", async () => {
    if (existsSync("/proc/net/tcp")) {
      const hexPort = be.port.toString(16).toUpperCase().padStart(4, "0");
      const listening = readFileSync("/proc/net/tcp", "utf8")
        .split("\n")
        .filter((l) => l.includes(`:${hexPort} `) && / 0A /.test(l))
        .map((l) => l.trim().split(/\s+/)[1]);
      assert.deepEqual(listening, [`0100007F:${hexPort}`]);
      const v6 = existsSync("/proc/net/tcp6")
        ? readFileSync("/proc/net/tcp6", "utf8")
            .split("\n")
            .filter((l) => l.includes(`:${hexPort} `) && / 0A /.test(l))
        : [];
      assert.deepEqual(v6, []);
    }
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal);
    if (external) {
      await assert.rejects(
        new Promise<void>((resolve, reject) => {
          const s = connect({ host: external.address, port: be.port }, () => {
            s.destroy();
            resolve();
          });
          s.on("error", reject);
        }),
        /ECONNREFUSED/,
      );
    }
  });
});

describe("invalid configuration", () => {
  const base = { AICOCKPIT_TOKEN: randomToken(), AICOCKPIT_PORT: "0" };

  it("missing token → non-zero exit, clear message, no ready line", async () => {
    const r = await runUntilExit({ AICOCKPIT_PORT: "0" });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AICOCKPIT_TOKEN is required/);
    assert.equal(r.stdout, "");
  });

  it("bad port → non-zero exit naming the variable", async () => {
    const r = await runUntilExit({ ...base, AICOCKPIT_PORT: "99999" });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AICOCKPIT_PORT must be between 0 and 65535/);
    assert.equal(r.stdout, "");
  });

  it("bad provider URL → non-zero exit naming the variable", async () => {
    const r = await runUntilExit({ ...base, AICOCKPIT_LLM_BASE_URL: "not a url", AICOCKPIT_LLM_MODEL: "m" });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AICOCKPIT_LLM_BASE_URL must be an http\(s\) URL/);
  });

  it("unreadable CA bundle → non-zero exit naming the file", async () => {
    const r = await runUntilExit({ ...base, AICOCKPIT_CA_FILE: "/nonexistent/ca.pem" });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AICOCKPIT_CA_FILE cannot be read \(ENOENT\): \/nonexistent\/ca\.pem/);
    assert.equal(r.stdout, "");
  });

  it("the key of a rejected config is not echoed", async () => {
    const r = await runUntilExit({
      ...base,
      AICOCKPIT_LLM_BASE_URL: "ftp://x",
      AICOCKPIT_LLM_MODEL: "m",
      AICOCKPIT_LLM_API_KEY: PROVIDER_KEY,
    });
    assert.notEqual(r.code, 0);
    assert.ok(!r.stderr.includes(PROVIDER_KEY));
  });
});
