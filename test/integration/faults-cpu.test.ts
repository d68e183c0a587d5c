/**
 * Fault injection, CPU side: the worst inputs one client can send to the CPU-heavy routes,
 * malformed URLs (HTTP and WebSocket) and the transport details (HEAD /health, keep-alive).
 * While each heavy request runs, `GET /health` is probed back to back; the backend must keep
 * answering, stay under a memory bound, and be alive afterwards.
 *
 * Bounds asserted here, on a shared, loaded 2-core CI box:
 *   - `/health` p99 < 400 ms while any one of these requests is served (the 50 ms target
 *     is measured on a quiet machine by bench/health-under-load.ts). When the box is so busy
 *     that an idle backend alone answers slowly, the bound is 4× the idle p99 measured just
 *     before the test, but never above 1 s: scheduling noise passes, a stall (one request
 *     holding the loop for a second to minutes, as before the fix) fails. A round over the
 *     bound is measured once more (staysResponsive): a stall repeats, one slow probe from the
 *     scheduler rarely does;
 *   - backend RSS < 512 MiB throughout (inputs are up to the 4 MiB body limit).
 * Before the bounds existed, the worst-case diff froze the event loop for over ten minutes.
 *
 * The scripted AI runs in its own process so that streaming megabytes fast does not share
 * the probing process's event loop.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import WebSocket from "ws";
import type { ApiErrorBody } from "../../server/api/errors";
import type { DiffResponse, EditEvent, Hunk } from "../../server/api/edit";
import { startScriptedAIProcess } from "../fixtures/scripted-ai-process";
import type { ScriptedReply } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "./helpers/backend";
import { probeWhile, rssMiB, type ProbeResult } from "./helpers/health-probe";

// 400 ms: several engineers' test runs share the 2 cores (load averages of 10-20 are common);
// before the fixes the same requests held the loop for one second to over ten minutes.
const HEALTH_P99_MS = 400;
const HEALTH_P99_CEILING_MS = 1_000;
const RSS_MIB = 512;

function applyAll(oldLines: string[], hunks: Hunk[]): string[] {
  const out: string[] = [];
  let pos = 0;
  for (const h of hunks) {
    for (const l of oldLines.slice(pos, h.oldStart)) out.push(l);
    for (const l of h.newLines) out.push(l);
    pos = h.oldStart + h.oldLines.length;
  }
  for (const l of oldLines.slice(pos)) out.push(l);
  return out;
}

let p99Bound = HEALTH_P99_MS;

/** The bound for the next test, from the idle backend's p99 right now (see the header). */
async function measureBound(be: Backend): Promise<void> {
  const idle = await probeWhile(be.url, be.child.pid!, () => new Promise((r) => setTimeout(r, 1_000)));
  p99Bound = Math.min(HEALTH_P99_CEILING_MS, Math.max(HEALTH_P99_MS, 4 * idle.stats.p99));
  process.stderr.write(
    `  idle backend: /health p50 ${idle.stats.p50.toFixed(1)} ms, p99 ${idle.stats.p99.toFixed(1)} ms → bound ${p99Bound.toFixed(0)} ms\n`,
  );
}

function detailOf(what: string, r: ProbeResult<unknown>): string {
  const s = r.stats;
  return `${what}: /health p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms over ${s.n} probes (bound ${p99Bound.toFixed(0)} ms); peak RSS ${r.peakRssMiB.toFixed(0)} MiB`;
}

/**
 * Runs a heavy request while probing (`run` checks its own answer and returns the probes) and
 * asserts the backend stayed responsive. A round over the bound is measured once more: a stall
 * (a request holding the loop, as before the fixes) repeats on every run, while one slow probe
 * from the scheduler of a shared 2-core box (seen at 200–700 ms once in a while) rarely does
 * twice. Memory has no second chance.
 */
async function staysResponsive(be: Backend, what: string, run: () => Promise<ProbeResult<unknown>>): Promise<void> {
  for (let round = 1; ; round++) {
    await measureBound(be);
    const r = await run();
    const detail = detailOf(what, r);
    process.stderr.write(`  ${detail}\n`);
    assert.ok(r.peakRssMiB < RSS_MIB, `backend memory over ${RSS_MIB} MiB — ${detail}`);
    if (r.stats.p99 < p99Bound) return;
    assert.ok(round < 2, `backend stalled in two rounds — ${detail}`);
    process.stderr.write(`  ${what}: over the bound once; measuring a second round\n`);
  }
}

/** The events of an SSE response body (parsed after probing: it is megabytes). */
function sse<T>(text: string): T[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)) as T);
}

describe("faults: CPU-heavy and malformed requests", { timeout: 300_000 }, () => {
  let ai: { url: string; stop: () => void };
  let be: Backend;
  const enqueue = async (reply: ScriptedReply) => {
    // A reply left over by an earlier test (one that never reached the service) must not leak into this one.
    await fetch(`${ai.url}/__scripted/reset`, { method: "POST" });
    const res = await fetch(`${ai.url}/__scripted/enqueue`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(reply),
    });
    assert.equal(res.status, 200);
  };
  // Bodies are serialised before probing starts (and answers parsed after it ends) where they
  // are megabytes: the probes share this process's event loop and would measure our own work.
  const post = (path: string, body: unknown, timeoutMs = 120_000) =>
    fetch(be.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${be.token}`, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });

  before(async () => {
    ai = await startScriptedAIProcess("ok");
    be = await startBackend({ env: providerEnv(ai.url, { AICOCKPIT_LOG_LEVEL: "info" }) });
  });
  after(async () => {
    await be?.stop();
    ai?.stop();
  });

  it("a worst-case /api/edit/diff (49,000 fully different lines per side, ~1 MB each) answers exact hunks without stalling", async () => {
    const oldLines = Array.from({ length: 49_000 }, (_, i) => `old ${String(i).padStart(8, "0")} xxxxx`);
    const newLines = Array.from({ length: 49_000 }, (_, i) => `new ${String(i).padStart(8, "0")} yyyyy`);
    const body = JSON.stringify({ code: oldLines.join("\n"), proposed: newLines.join("\n") });
    await staysResponsive(be, "worst-case diff", async () => {
      const r = await probeWhile(be.url, be.child.pid!, async () => {
        const res = await post("/api/edit/diff", body);
        return { status: res.status, text: await res.text() };
      });
      assert.equal(r.value.status, 200);
      assert.deepEqual(applyAll(oldLines, (JSON.parse(r.value.text) as DiffResponse).hunks), newLines);
      return r;
    });
  });

  it("/api/edit/diff beyond its caps is refused with the limit named", async () => {
    const many = "x\n".repeat(60_000);
    const res = await post("/api/edit/diff", { code: many, proposed: "y" });
    assert.equal(res.status, 413);
    const e = ((await res.json()) as ApiErrorBody).error;
    assert.equal(e.code, "PAYLOAD_TOO_LARGE");
    assert.match(e.message, /50,000 lines/);

    const long = await post("/api/edit/diff", { code: "a".repeat(1_000_001), proposed: "" });
    assert.equal(long.status, 400);
    const e2 = ((await long.json()) as ApiErrorBody).error;
    assert.equal(e2.code, "BAD_REQUEST");
    assert.match(e2.message, /code: .*1,000,000 characters/);
  });

  it("/api/edit whose model rewrites 20,000 lines into 20,000 different ones streams and ends without stalling", async () => {
    const code = Array.from({ length: 20_000 }, (_, i) => `let a${i} = ${i};`).join("\n") + "\n";
    const answer = Array.from({ length: 20_000 }, (_, i) => `const b${i} = "${i}";`);
    // One line per chunk, no pause: as fast as the service can send.
    await staysResponsive(be, "edit with a 20,000-line rewrite", async () => {
      await enqueue({ chunks: ["```ts\n", ...answer.map((l) => `${l}\n`), "```\n"], chunkDelayMs: 0 });
      const body = JSON.stringify({ filepath: "/w/a.ts", languageId: "typescript", instruction: "rewrite", code });
      const r = await probeWhile(be.url, be.child.pid!, async () => {
        const res = await post("/api/edit", body);
        return res.text();
      });
      const events = sse<EditEvent>(r.value);
      const done = events.find((e) => e.type === "done");
      assert.ok(done && done.type === "done", `no done event: ${JSON.stringify(events.at(-1))}`);
      assert.equal(done.text, answer.join("\n") + "\n");
      return r;
    });
  });

  // The document is 150 KB a side here: what is tested is the runaway answer (before the fix,
  // re-reading it per chunk took minutes). Parsing a multi-megabyte JSON body is main-thread work
  // on every route but the diff (~10 ms per MB on a quiet machine).
  it("/api/complete with 150 KB around the cursor and a model that ignores max_tokens (1 MB of unclosed <think>) stays responsive", async () => {
    const prefix = "x = 1\n".repeat(25_000) + "def f():\n    ";
    const suffix = "\n" + "y = 2\n".repeat(25_000);
    const chunk = "<think> a".repeat(32); // 288 chars per chunk, ~3,600 chunks
    await staysResponsive(be, "completion with a runaway answer", async () => {
      await enqueue({ chunks: Array.from({ length: 3_600 }, () => chunk), chunkDelayMs: 0 });
      const body = JSON.stringify({
        filepath: "/w/a.py",
        languageId: "python",
        prefix,
        suffix,
        multiline: "always",
        timeoutMs: 30_000,
      });
      const r = await probeWhile(be.url, be.child.pid!, async () => {
        const res = await post("/api/complete", body);
        return { status: res.status, body: (await res.json()) as { completion: string | null } };
      });
      assert.equal(r.value.status, 200);
      assert.equal(r.value.body.completion, null, "nothing usable in an unfinished think block");
      return r;
    });
  });

  it("/api/chat with ~3.5 MB of context and a long fast answer stays responsive", async () => {
    const content = "const value = compute(input);\n".repeat(115_000); // ~3.45 MB
    const answerChunks = Array.from({ length: 20_000 }, (_, i) => `word${i} `);
    await staysResponsive(be, "chat with huge context", async () => {
      await enqueue({ chunks: answerChunks, chunkDelayMs: 0 });
      const body = JSON.stringify({
        messages: [{ role: "user", content: "explain @file" }],
        context: [{ kind: "file", label: "big.ts", path: "/w/big.ts", content }],
        contextBudgetTokens: 1_000_000,
      });
      const r = await probeWhile(be.url, be.child.pid!, async () => {
        const res = await post("/api/chat", body);
        return res.text();
      });
      const text = sse<{ type: string; text?: string }>(r.value)
        .filter((e) => e.type === "delta")
        .map((e) => e.text)
        .join("");
      assert.equal(text, answerChunks.join(""));
      return r;
    });
  });

  it("a long answer streamed fast through /v1/chat/completions leaves /health responsive", async () => {
    const chunks = Array.from({ length: 50_000 }, (_, i) => `tok${i} `);
    await staysResponsive(be, "long fast stream via /v1", async () => {
      await enqueue({ chunks, chunkDelayMs: 0 });
      const r = await probeWhile(be.url, be.child.pid!, async () => {
        const res = await post("/v1/chat/completions", {
          model: "gpt-4o-mini",
          stream: true,
          messages: [{ role: "user", content: "long" }],
        });
        return res.text();
      });
      const streamed = sse<{ choices: { delta: { content?: string } }[] }>(r.value)
        .map((e) => e.choices[0]?.delta.content ?? "")
        .join("");
      assert.equal(streamed, chunks.join(""));
      return r;
    });
  });

  it("/api/shell/assess on a 10,000-character command of 2,500 pipeline stages stays responsive", async () => {
    const command = Array.from({ length: 2_500 }, (_, i) => (i % 50 === 0 ? "rm -rf /" : "cat"))
      .join(" | ")
      .slice(0, 10_000);
    await staysResponsive(be, "assess of a huge pipeline", async () => {
      const r = await probeWhile(be.url, be.child.pid!, async () => {
        const statuses: number[] = [];
        // A few in a row: each is short, the stall would add up.
        for (let i = 0; i < 5; i++) statuses.push((await post("/api/shell/assess", { command })).status);
        return statuses;
      });
      assert.deepEqual(r.value, [200, 200, 200, 200, 200]);
      return r;
    });
  });

  it("a malformed percent-encoding in a path is a JSON 400, not a 500 with a stack trace", async () => {
    const before = be.stderr().length;
    for (const path of ["/api/providers/%E0%A4%A/models", "/api/workspaces/%zz", "/api/providers/%E0%A4%A"]) {
      const res = await fetch(be.url + path, { headers: { authorization: `Bearer ${be.token}` } });
      assert.equal(res.status, 400, path);
      const e = ((await res.json()) as ApiErrorBody).error;
      assert.equal(e.code, "BAD_REQUEST");
      assert.match(e.message, /percent-encoding|malformed/i);
    }
    const log = be.stderr().slice(before);
    assert.doesNotMatch(log, /URIError|\n\s+at /, `stack trace in the log:\n${log}`);
  });

  it("a malformed percent-encoding on the TTY WebSocket is refused with a 400 and a message, not accepted and closed 1011", async () => {
    const outcome = await new Promise<{ status?: number; body?: string; closed?: number }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${be.port}/api/workspaces/%E0%A4%A/tty`, {
        headers: { authorization: `Bearer ${be.token}` },
      });
      ws.on("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on("close", (code) => resolve({ closed: code }));
      ws.on("error", () => undefined);
    });
    assert.equal(outcome.status, 400, JSON.stringify(outcome));
    const e = (JSON.parse(outcome.body!) as ApiErrorBody).error;
    assert.equal(e.code, "BAD_REQUEST");
    assert.match(e.message, /percent-encoding|malformed/i);
  });

  it("HEAD /health is open like GET /health; other HEADs still need the token", async () => {
    const head = await fetch(`${be.url}/health`, { method: "HEAD" });
    assert.equal(head.status, 200);
    const other = await fetch(`${be.url}/ready`, { method: "HEAD" });
    assert.equal(other.status, 401);
  });

  it("keep-alive outlasts common client pools (65 s), so pooled sockets are not reset under them", async () => {
    const header = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: be.port, path: "/health", headers: { connection: "keep-alive" } },
        (res) => {
          res.resume();
          const h = res.headers["keep-alive"];
          resolve(Array.isArray(h) ? h.join(",") : h);
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.match(header ?? "", /timeout=65\b/);
  });

  it("the backend is alive and answering after all of the above", async () => {
    assert.equal(be.child.exitCode, null);
    assert.equal(be.child.signalCode, null);
    const res = await fetch(`${be.url}/health`);
    assert.equal(res.status, 200);
    assert.ok(rssMiB(be.child.pid!) < RSS_MIB);
  });
});
