/**
 * Helpers for the ticket suites: a real bare repository as the remote (seeded through a real
 * clone), a local HTTP server playing the GitHub pulls API and checking its contract, and a
 * reader of a run's SSE stream that answers command confirmations like the VS Code view.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Backend } from "./backend";
import { followSse, type Follow as SseFollow } from "./sse";
import type { TicketRunEvent } from "../../../server/api/tickets";

export function sh(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "t@example.invalid",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "t@example.invalid",
    },
  }).trim();
}

/** `<dir>/acme/widget.git` (bare, default branch main) holding a tiny Node project whose test fails until add() adds. */
export function seedRemote(dir: string): string {
  const bare = join(dir, "acme", "widget.git");
  mkdirSync(bare, { recursive: true });
  sh(bare, "init", "--quiet", "--bare", "-b", "main");
  const work = join(dir, "seed");
  sh(dir, "clone", "--quiet", bare, work);
  writeFileSync(join(work, "lib.js"), "exports.add = (a, b) => a - b;\n");
  writeFileSync(
    join(work, "test.js"),
    'const { add } = require("./lib.js");\nif (add(2, 3) !== 5) { console.error(`add(2, 3) gave ${add(2, 3)}, expected 5`); process.exit(1); }\nconsole.log("ok");\n',
  );
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "widget", scripts: { test: "node test.js" } }));
  sh(work, "checkout", "--quiet", "-b", "main");
  sh(work, "add", ".");
  sh(work, "commit", "--quiet", "-m", "initial");
  sh(work, "push", "--quiet", "origin", "main");
  return bare;
}

export interface ForgeCall {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** An answer the forge gives instead of its normal one (GitHub's error shapes: status, JSON body, headers). */
export interface ForgeFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface Forge {
  url: string;
  calls: ForgeCall[];
  /** The next POSTs (after the contract checks pass) get these answers, in order. */
  failNext(...f: ForgeFailure[]): void;
  close(): Promise<void>;
}

/**
 * GitHub's pulls API as far as AiCockpit uses it: the first PR per head is created, the next
 * gets 422 "already exists". Requests that break the contract (no Bearer token, wrong path,
 * no JSON head/base/title) get GitHub's own 401/404/422.
 */
export async function startForge(): Promise<Forge> {
  const calls: ForgeCall[] = [];
  const failures: ForgeFailure[] = [];
  const open = new Map<string, { html_url: string; number: number }>();
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const body: unknown = raw ? JSON.parse(raw) : undefined;
      calls.push({ method: req.method ?? "", path: url.pathname + url.search, headers: req.headers, body });
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(json));
      };
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) return send(401, { message: "Bad credentials" });
      const m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
      if (!m) return send(404, { message: "Not Found" });
      if (req.method === "GET") {
        const head = url.searchParams.get("head") ?? "";
        const pr = open.get(head);
        return send(200, pr ? [pr] : []);
      }
      const b = body as { head?: string; base?: string; title?: string; draft?: boolean };
      if (!b.head || !b.base || !b.title) return send(422, { message: "Validation Failed" });
      const f = failures.shift();
      if (f) return send(f.status, f.json, f.headers);
      const key = `${m[1]}:${b.head}`;
      if (open.has(key))
        return send(422, {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${key}.` }],
        });
      const pr = { html_url: `https://github.example/${m[1]}/${m[2]}/pull/${open.size + 7}`, number: open.size + 7 };
      open.set(key, pr);
      send(201, { ...pr, draft: b.draft === true });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    failNext: (...f) => failures.push(...f),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export type Follow = SseFollow<TicketRunEvent>;

/** Reads a run's events from after `lastId`; answers every `confirm` with `answer` (default: run it). */
export function follow(
  b: Backend,
  ticket: string,
  run: string,
  opts: { lastId?: number; answer?: "run" | "reject" | "none" } = {},
): Follow {
  const answer = opts.answer ?? "run";
  return followSse<TicketRunEvent>(b, `/api/tickets/${ticket}/runs/${run}/events`, {
    ...(opts.lastId !== undefined ? { lastId: opts.lastId } : {}),
    onEvent: (ev) => {
      if (ev.type === "confirm" && answer !== "none")
        void b.call("POST", `/api/tickets/${ticket}/runs/${run}/confirm`, {
          confirmation_id: ev.pending.confirmation_id,
          action: answer,
          ...(ev.pending.risk === "dangerous" ? { confirmDangerous: true } : {}),
        });
    },
  });
}

export async function waitUntil<T>(what: string, get: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
