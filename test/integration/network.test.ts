/**
 * Corporate-network plumbing, for real: an HTTPS_PROXY that the AI traffic must cross
 * (a CONNECT proxy started here records what went through it), NO_PROXY, and a custom CA
 * bundle for a service whose certificate no public CA signed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import type { TestConnectionResult } from "../../server/api/providers";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, tempDir, type Backend } from "./helpers/backend";

interface TestProxy {
  url: string;
  /** CONNECT targets and forwarded absolute URLs, in order. */
  seen: string[];
  close(): Promise<void>;
}

async function startProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    // Forward-proxy mode is not what undici's ProxyAgent uses; refusing it keeps the test honest.
    seen.push(`FORWARD ${req.url ?? ""}`);
    res.writeHead(502).end();
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url ?? ""}`);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect({ host: host!, port: Number(port) }, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function makeCerts(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=AiCockpit Test Corporate CA",
  );
  run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(
    "x509",
    "-req",
    "-in",
    "srv.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "srv.pem",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  );
  return {
    ca: join(dir, "ca.pem"),
    key: readFileSync(join(dir, "srv.key"), "utf8"),
    cert: readFileSync(join(dir, "srv.pem"), "utf8"),
  };
}

async function chatOnce(be: Backend): Promise<string | null | undefined> {
  const client = new OpenAI({ apiKey: be.token, baseURL: `${be.url}/v1`, maxRetries: 0 });
  const r = await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "via proxy?" }],
  });
  return r.choices[0]?.message.content;
}

describe("HTTPS_PROXY and NO_PROXY", () => {
  let ai: ScriptedAI;
  let proxy: TestProxy;
  const backends: Backend[] = [];

  before(async () => {
    ai = await startScriptedAI();
    proxy = await startProxy();
  });
  after(async () => {
    for (const b of backends) await b.stop();
    await proxy?.close();
    await ai?.close();
  });

  it("sends AI traffic through the proxy", async () => {
    const be = await startBackend({ env: providerEnv(ai.url, { HTTPS_PROXY: proxy.url }) });
    backends.push(be);
    assert.equal(await chatOnce(be), "via proxy?");
    assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.1:${ai.port}`]);
    assert.equal(ai.completionRequests().length, 1);
  });

  it("bypasses the proxy for NO_PROXY hosts", async () => {
    proxy.seen.length = 0;
    const be = await startBackend({
      env: providerEnv(ai.url, { HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" }),
    });
    backends.push(be);
    assert.equal(await chatOnce(be), "via proxy?");
    assert.deepEqual(proxy.seen, []);
  });
});

describe("custom CA bundle (AICOCKPIT_CA_FILE)", () => {
  let ai: ScriptedAI;
  let proxy: TestProxy;
  let certs: ReturnType<typeof makeCerts>;
  const backends: Backend[] = [];

  before(async () => {
    certs = makeCerts(tempDir("aicockpit-ca-"));
    ai = await startScriptedAI({ tls: { key: certs.key, cert: certs.cert } });
    proxy = await startProxy();
  });
  after(async () => {
    for (const b of backends) await b.stop();
    await proxy?.close();
    await ai?.close();
  });

  it("without the CA, the service's certificate is refused with a hint about AICOCKPIT_CA_FILE", async () => {
    const be = await startBackend({ env: providerEnv(ai.url) });
    backends.push(be);
    const r = await be.call<TestConnectionResult>("POST", "/api/providers/default/test");
    assert.equal(r.body.ok, false);
    assert.equal(r.body.error?.code, "PROVIDER_UNREACHABLE");
    assert.match(r.body.error?.message ?? "", /TLS certificate of the AI service at 127\.0\.0\.1:\d+ is not trusted/);
    assert.match(r.body.error?.hint ?? "", /AICOCKPIT_CA_FILE/);
  });

  it("with the CA bundle, HTTPS to the service works", async () => {
    const be = await startBackend({ env: providerEnv(ai.url, { AICOCKPIT_CA_FILE: certs.ca }) });
    backends.push(be);
    assert.equal(await chatOnce(be), "via proxy?");
  });

  it("with the CA bundle and a proxy, the TLS tunnel goes through the proxy", async () => {
    const be = await startBackend({
      env: providerEnv(ai.url, { AICOCKPIT_CA_FILE: certs.ca, HTTPS_PROXY: proxy.url }),
    });
    backends.push(be);
    assert.equal(await chatOnce(be), "via proxy?");
    assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.1:${ai.port}`]);
  });
});
