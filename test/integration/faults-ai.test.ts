/**
 * A hostile or broken AI service against the real backend (the scripted AI's fault modes):
 * huge answers, huge error bodies, endless streams, one token then silence, one enormous
 * event, deeply nested JSON, slowloris headers; plus the key-redirection attempt and
 * deeply nested requests. For every fault and every route it reaches, the client gets the
 * right error quickly, and while the fault runs:
 *   - GET /health answers with p99 < 250 ms × max(1, load average / CPUs), sampled from a separate
 *     process every 20 ms (the CI box is shared: at a load of 17 on 2 cores an *idle* backend's
 *     /health p99 was 300-450 ms, so the bound scales with the contention; the issue's 50 ms target
 *     is for a quiet machine). Before the fix these faults crashed the backend or stalled it for
 *     minutes, far outside any such bound,
 *   - the backend's resident memory (VmRSS) stays < RSS_LIMIT_MB (300 MB; a 200 MB answer read
 *     whole pushed it past the heap limit and killed it),
 * and the backend is alive afterwards.
 *
 * Run against the code before the fix (201632b, with this file and the fixture copied in):
 * every test failed (crash/timeout instead of the error, minutes-long hangs, key sent to the
 * second server, deep nesting → PROVIDER_UNREACHABLE) except slow-headers (already ended by
 * the per-attempt timeout) and the deep JSON answer (V8's JSON.parse does not recurse); those
 * two stay as guards.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { startScriptedAI, type ScriptedAI, type ScriptedFault } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "./helpers/backend";

const HEALTH_P99_MS = 250;

/** The /health bound for this moment: 250 ms on a quiet machine, scaled by how contended the CPUs are. */
function healthBoundMs(): number {
  return HEALTH_P99_MS * Math.max(1, loadavg()[0]! / cpus().length);
}
const RSS_LIMIT_MB = 300;
const IDLE_MS = 1_500;
const TIMEOUT_MS = 3_000;

type Route =
  "shell" | "edit" | "chat" | "v1-chat" | "v1-chat-stream" | "v1-completions" | "v1-completions-stream" | "complete";

const BODIES: Record<Route, { path: string; body: unknown }> = {
  shell: { path: "/api/shell/suggest", body: { description: "list files", shell: "bash" } },
  edit: {
    path: "/api/edit",
    body: { filepath: "a.js", languageId: "javascript", instruction: "rename x", code: "let x = 1;\n" },
  },
  chat: { path: "/api/chat", body: { messages: [{ role: "user", content: "hello" }] } },
  "v1-chat": {
    path: "/v1/chat/completions",
    body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
  },
  "v1-chat-stream": {
    path: "/v1/chat/completions",
    body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true },
  },
  "v1-completions": { path: "/v1/completions", body: { model: "gpt-4o-mini", prompt: "a" } },
  "v1-completions-stream": { path: "/v1/completions", body: { model: "gpt-4o-mini", prompt: "a", stream: true } },
  complete: {
    path: "/api/complete",
    body: { filepath: "/w/a.ts", languageId: "typescript", prefix: "const a = ", suffix: ";\n", timeoutMs: 30_000 },
  },
};

interface Outcome {
  status: number;
  /** The error code from a JSON error body or from the stream's error event. */
  code?: string;
  message?: string;
  ms: number;
  text: string;
}

interface Watch {
  healthMs: number[];
  peakRssMb: number;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
}

/** argv: backend URL, backend pid. Polls until stdin closes, then prints {healthMs, peakRssMb}. */
const SAMPLER = `
const [url, pid] = process.argv.slice(1);
const fs = require("node:fs");
const rss = () => Number(/VmRSS:\\s+(\\d+) kB/.exec(fs.readFileSync("/proc/" + pid + "/status", "utf8"))?.[1] ?? 0) / 1024;
const healthMs = [];
let peakRssMb = rss();
let running = true;
process.stdin.on("end", () => (running = false)).resume();
(async () => {
  // The first fetch loads undici and opens the connection: not part of the backend's latency.
  await (await fetch(url + "/health")).arrayBuffer();
  process.stdout.write("started\\n");
  while (running) {
    const t0 = performance.now();
    const r = await fetch(url + "/health");
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error("/health answered " + r.status);
    healthMs.push(performance.now() - t0);
    peakRssMb = Math.max(peakRssMb, rss());
    await new Promise((r2) => setTimeout(r2, 20));
  }
  process.stdout.write(JSON.stringify({ healthMs, peakRssMb }));
})();
`;

/** The error in a response: JSON `{error}`, an SSE `data: {error}` (gateway) or `{type:"error",error}` event. */
function errorIn(text: string, contentType: string): { code?: string; message?: string } {
  const pick = (v: unknown) => {
    const e = (v as { error?: { code?: string; message?: string } } | null)?.error;
    return e && typeof e === "object"
      ? { ...(e.code ? { code: e.code } : {}), ...(e.message ? { message: e.message } : {}) }
      : undefined;
  };
  if (!contentType.startsWith("text/event-stream")) {
    try {
      return pick(JSON.parse(text)) ?? {};
    } catch {
      return {};
    }
  }
  for (const block of text.split(/\n\n/)) {
    const line = block.split("\n").find((l) => l.startsWith("data: {"));
    if (!line || !line.includes('"error"')) continue;
    try {
      const found = pick(JSON.parse(line.slice(6)));
      if (found) return found;
    } catch {
      /* a cut-off event of the service's, forwarded as it came */
    }
  }
  return {};
}

describe("a hostile AI service", () => {
  let ai: ScriptedAI;
  let be: Backend;

  before(async () => {
    ai = await startScriptedAI();
    be = await startBackend({
      env: {
        ...providerEnv(ai.url),
        AICOCKPIT_LLM_IDLE_TIMEOUT_MS: String(IDLE_MS),
        AICOCKPIT_LLM_TIMEOUT_MS: String(TIMEOUT_MS),
        AICOCKPIT_LOG_LEVEL: "warn",
      },
    });
  });
  after(async () => {
    await be?.stop();
    await ai?.close();
  });

  async function call(route: Route): Promise<Outcome> {
    const { path, body } = BODIES[route];
    const t0 = performance.now();
    const res = await fetch(be.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${be.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    return {
      status: res.status,
      ms,
      text: text.length > 2_000 ? `${text.slice(0, 500)}…${text.slice(-1_000)}` : text,
      ...errorIn(text, res.headers.get("content-type") ?? ""),
    };
  }

  /**
   * Runs `work` while a separate process samples /health latency and the backend's RSS (this
   * process is busy playing the hostile service and reading its answer: timing /health from
   * here would measure our own event loop); then checks the backend is alive.
   */
  async function watched<T>(work: () => Promise<T>): Promise<T & Watch> {
    const sampler = spawn(process.execPath, ["-e", SAMPLER, be.url, String(be.child.pid)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    sampler.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((r) => sampler.once("exit", () => r()));
    await new Promise<void>((r) => sampler.stdout.once("data", () => r())); // "started"
    try {
      const result = await work();
      sampler.stdin.end();
      await exited;
      const w = JSON.parse(out.slice(out.indexOf("{"))) as Watch;
      return { ...result, ...w };
    } finally {
      if (sampler.exitCode === null) sampler.kill();
      assert.equal(be.child.exitCode, null, `backend died: ${be.stderr().slice(-2_000)}`);
      assert.equal((await fetch(`${be.url}/health`)).status, 200, "backend alive afterwards");
    }
  }

  function assertBounded(w: Watch, what: string): void {
    const p99 = percentile(w.healthMs, 99);
    const bound = healthBoundMs();
    // The figures, for the record (the bounds below are what the test enforces).
    console.log(
      `# ${what}: /health p99 ${p99.toFixed(1)} ms (n=${w.healthMs.length}, bound ${bound.toFixed(0)} ms), backend RSS peak ${w.peakRssMb.toFixed(0)} MB`,
    );
    assert.ok(w.healthMs.length > 0, `${what}: /health was sampled`);
    assert.ok(
      p99 < bound,
      `${what}: /health p99 ${p99.toFixed(1)} ms ≥ ${bound.toFixed(0)} ms (n=${w.healthMs.length}, load ${loadavg()[0]!.toFixed(1)})`,
    );
    assert.ok(
      w.peakRssMb < RSS_LIMIT_MB,
      `${what}: backend RSS peaked at ${w.peakRssMb.toFixed(0)} MB ≥ ${RSS_LIMIT_MB} MB`,
    );
  }

  interface Case {
    fault: ScriptedFault;
    routes: Route[];
    code: string;
    message: RegExp;
    /** The client has its answer within this. */
    withinMs: number;
    /** The backend hung up on the service (proves the upstream request was aborted). */
    abortsUpstream: boolean;
  }

  const cases: Case[] = [
    {
      fault: { kind: "huge-body", bytes: 200_000_000 },
      routes: ["shell", "v1-chat", "v1-completions"],
      code: "PROVIDER_BAD_RESPONSE",
      message: /an answer larger than 8 MiB/,
      withinMs: 10_000,
      abortsUpstream: true,
    },
    {
      fault: { kind: "huge-error", bytes: 50_000_000, status: 400 },
      routes: ["chat", "v1-chat-stream", "shell"],
      code: "PROVIDER_ERROR",
      message: /rejected the request \(400\): the server is on fire/,
      withinMs: 5_000,
      abortsUpstream: true,
    },
    {
      fault: { kind: "endless-stream" },
      routes: ["edit", "chat", "v1-chat-stream", "v1-completions-stream"],
      code: "PROVIDER_BAD_RESPONSE",
      message: /a streamed answer larger than 16 MiB/,
      withinMs: 20_000,
      abortsUpstream: true,
    },
    {
      fault: { kind: "silence-after-first" },
      routes: ["chat", "edit", "v1-chat-stream", "v1-completions-stream", "complete"],
      code: "PROVIDER_TIMEOUT",
      message: /the model stopped sending/i,
      withinMs: IDLE_MS + 5_000,
      abortsUpstream: true,
    },
    {
      fault: { kind: "huge-event", bytes: 50_000_000 },
      routes: ["chat", "v1-chat-stream", "edit"],
      code: "PROVIDER_BAD_RESPONSE",
      message: /a single stream event larger than 1 MiB/,
      withinMs: 10_000,
      abortsUpstream: true,
    },
    {
      fault: { kind: "slow-headers", byteDelayMs: 20 },
      routes: ["shell", "v1-chat-stream"],
      code: "PROVIDER_TIMEOUT",
      message: /did not answer within 3\.0 s/,
      withinMs: TIMEOUT_MS + 5_000,
      abortsUpstream: true,
    },
  ];

  for (const c of cases) {
    for (const route of c.routes) {
      it(`${c.fault.kind} → ${route}: ${c.code} quickly, /health answers, memory bounded`, async () => {
        ai.reset();
        ai.setDefault({ fault: c.fault });
        try {
          const out = await watched(() => call(route));
          assert.equal(out.code, c.code, `status ${out.status}: ${out.text}`);
          assert.match(out.message ?? "", c.message);
          assert.ok(out.ms < c.withinMs, `answered after ${out.ms.toFixed(0)} ms (bound ${c.withinMs} ms)`);
          assertBounded(out, `${c.fault.kind} → ${route}`);
          if (c.abortsUpstream) {
            const gone = await ai.waitForDisconnect(5_000);
            assert.equal(gone.completed, false);
          }
        } finally {
          ai.setDefault({ echo: "last-user" });
        }
      });
    }
  }

  it("/api/complete ends a one-token-then-silent stream at the idle timeout, not at its own 30 s limit", async () => {
    // (Covered above for the error code; this pins the time: idle timeout, not the request's limit.)
    ai.reset();
    ai.setDefault({ fault: { kind: "silence-after-first" } });
    try {
      const out = await watched(() => call("complete"));
      assert.ok(out.ms < IDLE_MS + 3_000, `answered after ${out.ms.toFixed(0)} ms`);
      await ai.waitForDisconnect(5_000);
    } finally {
      ai.setDefault({ echo: "last-user" });
    }
  });

  it("a deeply nested JSON answer (100,000 levels) neither crashes nor stalls the backend", async () => {
    ai.reset();
    ai.setDefault({ fault: { kind: "deep-json", depth: 100_000 } });
    try {
      for (const route of ["shell", "v1-chat"] as const) {
        const out = await watched(() => call(route));
        // The shell route needs a string answer: a nested array is not one.
        if (route === "shell") assert.equal(out.code, "PROVIDER_BAD_RESPONSE", out.text);
        // The gateway forwards the service's JSON as it came; the client decides what to make of it.
        else assert.equal(out.status, 200, out.text);
        assert.ok(out.ms < 10_000);
        assertBounded(out, `deep-json → ${route}`);
      }
    } finally {
      ai.setDefault({ echo: "last-user" });
    }
  });

  it("JSON nested 5,000 levels deep in a request → 400 BAD_REQUEST at once, no upstream call", async () => {
    ai.reset();
    const deep = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    for (const path of ["/v1/chat/completions", "/v1/completions", "/api/chat", "/api/shell/suggest"]) {
      const field = path === "/v1/completions" ? "prompt" : path === "/api/shell/suggest" ? "description" : "messages";
      const out = await watched(async () => {
        const t0 = performance.now();
        const res = await fetch(be.url + path, {
          method: "POST",
          headers: { authorization: `Bearer ${be.token}`, "content-type": "application/json" },
          body: `{"model":"gpt-4o-mini","${field}":${deep}}`,
        });
        const text = await res.text();
        return { status: res.status, text, ms: performance.now() - t0 };
      });
      assert.equal(out.status, 400, `${path}: ${out.text}`);
      const err = (JSON.parse(out.text) as { error: { code: string; message: string } }).error;
      assert.equal(err.code, "BAD_REQUEST");
      assert.match(err.message, /deeper than 64 levels/);
      assert.ok(out.ms < 2_000, `${path}: ${out.ms} ms`);
    }
    // A request within the limit still works (nesting is refused, not JSON arrays).
    const ok = await be.call("POST", "/v1/chat/completions", {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    });
    assert.equal(ok.status, 200);
    assert.equal(ai.completionRequests().length, 1, "only the valid request reached the AI service");
  });
});

describe("the stored API key stays with the address it was entered for", () => {
  const KEY = "sk-bound-to-the-first-service-0123456789";
  let first: ScriptedAI;
  let second: ScriptedAI;
  let be: Backend;

  before(async () => {
    first = await startScriptedAI({ apiKey: KEY });
    second = await startScriptedAI();
    be = await startBackend({ env: { ...providerEnv(first.url), AICOCKPIT_LLM_API_KEY: KEY } });
  });
  after(async () => {
    await be?.stop();
    await first?.close();
    await second?.close();
  });

  it("PATCH baseUrl to another server drops the key; that server never sees it", async () => {
    const chat = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
    assert.equal(
      (await be.call("POST", "/v1/chat/completions", chat)).status,
      200,
      "the key works where it was entered",
    );
    assert.equal(first.completionRequests()[0]?.headers.authorization, `Bearer ${KEY}`);

    const patched = await be.call<{ hasApiKey: boolean; keyDropped: boolean; baseUrl: string }>(
      "PATCH",
      "/api/providers/default",
      { baseUrl: `${second.url}/v1` },
    );
    assert.equal(patched.status, 200);
    assert.deepEqual(
      [patched.body.keyDropped, patched.body.hasApiKey, patched.body.baseUrl],
      [true, false, `${second.url}/v1`],
    );

    await be.call("POST", "/v1/chat/completions", chat);
    await be.call("POST", "/api/shell/suggest", { description: "list files" });
    await be.call("GET", "/api/providers/default/models");
    assert.ok(second.requests.length >= 2, "the second server was called");
    for (const r of second.requests)
      assert.ok(!JSON.stringify(r.headers).includes(KEY), `the key reached the second server on ${r.path}`);

    // Pointing back does not resurrect it either: the user enters the key again for that address.
    const back = await be.call<{ hasApiKey: boolean; keyDropped: boolean }>("PATCH", "/api/providers/default", {
      baseUrl: `${first.url}/v1`,
    });
    assert.deepEqual([back.body.keyDropped, back.body.hasApiKey], [false, false]);
    // A PATCH that moves the provider and brings its own key keeps that key.
    const withKey = await be.call<{ hasApiKey: boolean; keyDropped: boolean }>("PATCH", "/api/providers/default", {
      baseUrl: `${second.url}/v1`,
      apiKey: "sk-other-key-for-the-second-one",
    });
    assert.deepEqual([withKey.body.keyDropped, withKey.body.hasApiKey], [false, true]);
    // Changes that do not move it (model, timeout) keep the key.
    const model = await be.call<{ hasApiKey: boolean; keyDropped: boolean }>("PATCH", "/api/providers/default", {
      model: "gpt-4o",
    });
    assert.deepEqual([model.body.keyDropped, model.body.hasApiKey], [false, true]);
  });

  it("changing the kind drops the key too", async () => {
    const res = await be.call<{ id: string; hasApiKey: boolean }>("POST", "/api/providers", {
      name: "Kind test",
      kind: "custom",
      baseUrl: `${first.url}/v1`,
      model: "m",
      apiKey: "sk-kind-test-key-1234567890",
    });
    assert.equal(res.body.hasApiKey, true);
    const moved = await be.call<{ hasApiKey: boolean; keyDropped: boolean }>("PATCH", `/api/providers/${res.body.id}`, {
      kind: "openai",
    });
    assert.deepEqual([moved.body.keyDropped, moved.body.hasApiKey], [true, false]);
  });
});
