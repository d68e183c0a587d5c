/**
 * GET /api/providers/discover against the real backend: the scripted AI service on one port
 * is found with its models, a key-protected one is found as "needs a key", and whatever
 * else listens on a probed port — a web page, a JSON API, a model list with a control
 * character in an id, a 5 MB answer, a server that never answers — is not reported.
 * The whole call stays within the probe time limit although one port hangs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DiscoveryResult } from "../../server/api/discovery";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { runUntilExit, startBackend, type Backend } from "./helpers/backend";

function listen(handler: RequestListener): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

/** A port with nothing listening on it (bound, then released). */
async function closedPort(): Promise<number> {
  const { server, port } = await listen(() => undefined);
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("local model server discovery", () => {
  let ai: ScriptedAI;
  let keyed: ScriptedAI;
  let be: Backend;
  const others: Server[] = [];
  const ports: Record<string, number> = {};

  before(async () => {
    ai = await startScriptedAI({ models: ["qwen2.5-coder:1.5b", "llama3.2:3b"] });
    keyed = await startScriptedAI({ apiKey: "sk-local-vllm-0123456789", models: ["hidden"] });
    const servers: Record<string, RequestListener> = {
      webPage: (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>"),
      jsonApi: (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}'),
      badIds: (_req, res) =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ object: "list", data: [{ id: "ok" }, { id: "evil\u001b[2Jid" }] })),
      huge: (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data: [{ id: "x".repeat(5 * 1024 * 1024) }] }));
      },
      hangs: () => undefined, // accepts the connection, never answers
    };
    for (const [name, handler] of Object.entries(servers)) {
      const { server, port } = await listen(handler);
      others.push(server);
      ports[name] = port;
    }
    ports.closed = await closedPort();
    const probed = [ai.port, keyed.port, ...Object.values(ports)];
    be = await startBackend({ env: { AICOCKPIT_DISCOVER_PORTS: probed.join(",") } });
  });

  after(async () => {
    await be?.stop();
    await ai?.close();
    await keyed?.close();
    for (const s of others) {
      s.closeAllConnections();
      s.close();
    }
  });

  it("reports the AI services with their models and nothing else, within the time limit", async () => {
    const t0 = Date.now();
    const r = await be.call<DiscoveryResult>("GET", "/api/providers/discover");
    const tookMs = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.servers, [
      {
        kind: "openai-compatible",
        name: "OpenAI-compatible server",
        port: ai.port,
        baseUrl: `http://127.0.0.1:${ai.port}/v1`,
        models: ["qwen2.5-coder:1.5b", "llama3.2:3b"],
        needsApiKey: false,
      },
      {
        kind: "openai-compatible",
        name: "OpenAI-compatible server",
        port: keyed.port,
        baseUrl: `http://127.0.0.1:${keyed.port}/v1`,
        models: [],
        needsApiKey: true,
      },
    ]);
    assert.equal(r.body.probed.length, 2 + Object.keys(ports).length, "every configured port was tried");
    // The probe limit is 1.5 s per request, all ports at once; the hanging port must not hold the answer longer.
    assert.ok(tookMs < 6_000, `discovery took ${tookMs} ms although one port never answers`);
    // The key-protected server was asked without any key (discovery never sends credentials).
    const asked = keyed.requests.filter((q) => q.path === "/v1/models");
    assert.ok(asked.length > 0 && asked.every((q) => q.headers.authorization === undefined));
  });

  it("needs the bearer token like every other route", async () => {
    const res = await fetch(`${be.url}/api/providers/discover`);
    assert.equal(res.status, 401);
  });

  it("refuses a malformed port list at startup", async () => {
    const r = await runUntilExit({ AICOCKPIT_TOKEN: "t".repeat(32), AICOCKPIT_DISCOVER_PORTS: "1234,http" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /AICOCKPIT_DISCOVER_PORTS must be up to 16 comma-separated ports/);
  });
});
