import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BackendClient, BackendError } from "../../../../extension/backend/client";
import type { BackendConnection } from "../../../../extension/backend/supervisor";
import { nextEvent, realBackend } from "./real-backend";

const backend = realBackend();
let conn: BackendConnection;
let client: BackendClient;

before(async () => {
  const ready = nextEvent(backend.sup, "ready");
  await backend.sup.start();
  conn = (await ready).connection;
  client = new BackendClient(() => backend.sup.current());
});
after(() => backend.sup.stop());

test("typed calls against the real backend carry the bearer token", async () => {
  const health = await client.call("GET /health");
  assert.equal(health.status, "ok");
  const ready = await client.call("GET /ready");
  assert.equal(typeof ready.provider.ok, "boolean");
  assert.equal(typeof ready.docker.reason, "string");
});

test("a wrong token becomes BackendError UNAUTHORIZED with the backend's hint", async () => {
  const wrong = new BackendClient(() => ({ baseUrl: conn.baseUrl, token: "x".repeat(64) }));
  const err = await wrong.call("GET /ready").then(
    () => assert.fail("should reject"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BackendError);
  assert.equal(err.code, "UNAUTHORIZED");
  assert.equal(err.status, 401);
  assert.equal(err.message, "Invalid bearer token.");
  assert.match(err.hint ?? "", /Authorization: Bearer/);
});

test("path params are filled and encoded; backend errors keep their code", async () => {
  await assert.rejects(
    client.call("GET /api/providers/:id/models", { params: { id: "no such/provider" } }),
    (e: unknown) => {
      assert.ok(e instanceof BackendError);
      assert.equal(e.code, "NOT_FOUND");
      assert.equal(e.status, 404);
      return true;
    },
  );
});

test("no backend → BACKEND_NOT_RUNNING; refused port → BACKEND_UNREACHABLE", async () => {
  const none = new BackendClient(() => undefined);
  await assert.rejects(none.call("GET /health"), { name: "BackendError", code: "BACKEND_NOT_RUNNING" });
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const dead = new BackendClient(() => ({ baseUrl: `http://127.0.0.1:${port}`, token: "t" }));
  await assert.rejects(dead.call("GET /health"), (e: unknown) => {
    assert.ok(e instanceof BackendError);
    assert.equal(e.code, "BACKEND_UNREACHABLE");
    assert.match(e.message, /ECONNREFUSED/);
    return true;
  });
});

/** A server that accepts requests and answers only when told to — for timeouts and aborts. */
async function withServer(
  handler: Parameters<typeof createServer>[1],
  fn: (c: BackendClient) => Promise<void>,
): Promise<void> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    await fn(new BackendClient(() => ({ baseUrl: `http://127.0.0.1:${port}`, token: "tok" })));
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test("AbortSignal → CANCELLED; client deadline → BACKEND_TIMEOUT", async () => {
  await withServer(
    () => undefined, // never answers
    async (c) => {
      const ac = new AbortController();
      const p = c.call("GET /health", { signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(p, { code: "CANCELLED" });
      await assert.rejects(c.call("GET /health", { timeoutMs: 100 }), { code: "BACKEND_TIMEOUT" });
    },
  );
});

test("a non-JSON error body becomes BACKEND_BAD_RESPONSE with the status", async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(502, { "content-type": "text/html" }).end("<h1>bad gateway</h1>");
    },
    async (c) => {
      await assert.rejects(c.call("GET /health"), { code: "BACKEND_BAD_RESPONSE", status: 502 });
    },
  );
});

test("SSE: messages split across chunks, [DONE] ends the stream, token sent", async () => {
  let auth = "";
  let body = "";
  await withServer(
    (req, res) => {
      auth = req.headers.authorization ?? "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const wire =
          'data: {"n":1}\n\n: comment\r\nevent: delta\ndata: {"n":2}\ndata: more\n\ndata: [DONE]\n\ndata: {"n":99}\n\n';
        // Worst-case framing: one byte per write.
        let i = 0;
        const tick = setInterval(() => {
          if (i < wire.length) res.write(wire[i++]);
          else {
            clearInterval(tick);
            res.end();
          }
        }, 0);
      });
    },
    async (c) => {
      const got = [];
      for await (const m of c.stream("POST", "/v1/chat/completions", { body: { stream: true } })) got.push(m);
      assert.deepEqual(
        got.map((m) => [m.event, m.data]),
        [
          [undefined, '{"n":1}'],
          ["delta", '{"n":2}\nmore'],
        ],
      );
      assert.equal(auth, "Bearer tok");
      assert.deepEqual(JSON.parse(body), { stream: true });
    },
  );
});

test("SSE: an error body before the stream and an error event inside it become BackendErrors", async () => {
  let mode: "before" | "inside" = "before";
  await withServer(
    (_req, res) => {
      if (mode === "before") {
        res
          .writeHead(409, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "NO_PROVIDER", message: "No AI provider.", hint: "Configure one." } }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        'data: {"x":1}\n\nevent: error\ndata: {"error":{"code":"PROVIDER_RATE_LIMITED","message":"slow down"}}\n\n',
      );
    },
    async (c) => {
      await assert.rejects(consume(c.stream("POST", "/x")), {
        code: "NO_PROVIDER",
        hint: "Configure one.",
        status: 409,
      });
      mode = "inside";
      const seen: string[] = [];
      await assert.rejects(consume(c.stream("POST", "/x"), seen), {
        code: "PROVIDER_RATE_LIMITED",
        message: "slow down",
      });
      assert.deepEqual(seen, ['{"x":1}']);
    },
  );
});

test("SSE: aborting mid-stream ends the iteration with CANCELLED", async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: "first"\n\n'); // then silence, stream stays open
    },
    async (c) => {
      const ac = new AbortController();
      const seen: string[] = [];
      const p = consume(c.stream("GET", "/s", { signal: ac.signal }), seen, () => ac.abort());
      await assert.rejects(p, { code: "CANCELLED" });
      assert.deepEqual(seen, ['"first"']);
    },
  );
});

test("typed events(): JSON events from a StreamRoutes route; real backend errors before the stream", async () => {
  const body = { filepath: "a.py", languageId: "python", instruction: "rename", code: "x = 1\n" };
  // The real backend has no AI provider here, so the edit route refuses before streaming.
  const drain = async () => {
    for await (const ev of client.events("POST /api/edit", { body })) void ev;
  };
  await assert.rejects(drain(), (e: unknown) => {
    assert.ok(e instanceof BackendError);
    assert.equal(e.code, "NO_PROVIDER");
    return true;
  });
  await withServer(
    (req, res) => {
      assert.equal(req.url, "/api/edit");
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end('data: {"type":"a"}\n\ndata: not json\n\n');
    },
    async (c) => {
      const seen: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const ev of c.events("POST /api/edit", { body })) seen.push(ev);
        })(),
        { code: "BACKEND_BAD_RESPONSE" },
      );
      assert.deepEqual(seen, [{ type: "a" }]);
    },
  );
});

async function consume(it: AsyncIterable<{ data: string }>, seen: string[] = [], onFirst?: () => void): Promise<void> {
  for await (const m of it) {
    seen.push(m.data);
    if (seen.length === 1) onFirst?.();
  }
}

/** Compile-time contract checks: each line must fail to type-check. Never called. */
export function contractTypeChecks(c: BackendClient): void {
  // @ts-expect-error unknown route
  void c.call("GET /api/nope");
  // @ts-expect-error missing path params
  void c.call("GET /api/providers/:id/models");
  // @ts-expect-error wrong param name
  void c.call("POST /api/providers/:id/test", { params: { name: "x" } });
  // @ts-expect-error body required for POST /api/providers
  void c.call("POST /api/providers");
  // @ts-expect-error wrong body shape (kind is a closed union)
  void c.call("POST /api/providers", { body: { name: "n", kind: "anthropic", model: "m" } });
  // @ts-expect-error PATCH body fields are typed too
  void c.call("PATCH /api/providers/:id", { params: { id: "default" }, body: { model: 42 } });
  // @ts-expect-error GET routes take no body
  void c.call("GET /health", { body: { a: 1 } });
  // @ts-expect-error stream bodies are typed from StreamRoutes
  void c.events("POST /api/edit", { body: { instruction: 1 } });
  // and the response is typed: `models` is string[]
  void c
    .call("GET /api/providers/:id/models", { params: { id: "d" } })
    .then((r) => r.models.map((m) => m.toUpperCase()));
}
