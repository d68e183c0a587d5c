/** Helpers for the workspace suites: SSE create, WebSocket terminals, Docker cleanup. */
import WebSocket from "ws";
import Docker from "dockerode";
import type { CreateWorkspaceEvent, TtyServerMessage } from "../../../server/api/workspaces";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVER_JS, ensureBuilt, randomToken, type Backend } from "./backend";

export interface CreateOutcome {
  status: number;
  events: CreateWorkspaceEvent[];
  /** Error body: the JSON answer before any event, or the error event mid-stream. */
  error?: { code: string; message: string; hint?: string };
}

export async function createWorkspace(b: Backend, body: unknown): Promise<CreateOutcome> {
  const res = await fetch(`${b.url}/api/workspaces`, {
    method: "POST",
    headers: { authorization: `Bearer ${b.token}`, "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) {
    const parsed = JSON.parse(text) as { error: CreateOutcome["error"] };
    return { status: res.status, events: [], ...(parsed.error ? { error: parsed.error } : {}) };
  }
  const events: CreateWorkspaceEvent[] = [];
  let error: CreateOutcome["error"];
  for (const block of text.split("\n\n")) {
    const data = block
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => l.slice(6))
      .join("\n");
    if (data === "" || data === "[DONE]") continue;
    const v = JSON.parse(data) as CreateWorkspaceEvent | { error: CreateOutcome["error"] };
    if ("error" in v) error = v.error;
    else events.push(v);
  }
  return { status: res.status, events, ...(error ? { error } : {}) };
}

export interface TtyClient {
  ws: WebSocket;
  output(): string;
  messages: TtyServerMessage[];
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  waitMessage(type: TtyServerMessage["type"], timeoutMs?: number): Promise<TtyServerMessage>;
  send(text: string): void;
  resize(cols: number, rows: number): void;
  closed: Promise<{ code: number; reason: string }>;
}

export function openTtyClient(
  b: Backend,
  id: string,
  query = "cols=80&rows=24",
  headers: Record<string, string> = {},
): Promise<TtyClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${b.port}/api/workspaces/${encodeURIComponent(id)}/tty?${query}`, {
    headers: { authorization: `Bearer ${b.token}`, ...headers },
  });
  let out = "";
  const messages: TtyServerMessage[] = [];
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary) out += data.toString("utf8");
    else messages.push(JSON.parse(data.toString("utf8")) as TtyServerMessage);
  });
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on("close", (code, reason) => r({ code, reason: reason.toString() })),
  );
  const poll = async <T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; output so far: ${JSON.stringify(out)} messages: ${JSON.stringify(messages)}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const client: TtyClient = {
    ws,
    output: () => out,
    messages,
    waitFor: (re, timeoutMs = 10_000) => poll(() => (re.test(out) ? out : undefined), timeoutMs, String(re)),
    waitMessage: (type, timeoutMs = 10_000) => poll(() => messages.find((m) => m.type === type), timeoutMs, type),
    send: (text) => ws.send(Buffer.from(text, "utf8"), { binary: true }),
    resize: (cols, rows) => ws.send(JSON.stringify({ type: "resize", cols, rows })),
    closed,
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(client));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () =>
        reject(
          Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body }),
        ),
      );
    });
    ws.once("error", reject);
  });
}

/** Removes every workspace container and volume whose name starts with the prefix. */
export async function cleanupWorkspaces(docker: Docker, prefix: string): Promise<void> {
  const cs = await docker.listContainers({ all: true, filters: { label: ["aicockpit.workspace=1"] } });
  await Promise.all(
    cs
      .filter((c) => (c.Labels["aicockpit.workspace.name"] ?? "").startsWith(prefix))
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
  );
  const vs = await docker.listVolumes();
  await Promise.all(
    (vs.Volumes ?? [])
      .filter((v) => v.Name.startsWith(`aicockpit-ws-${prefix}`))
      .map((v) =>
        docker
          .getVolume(v.Name)
          .remove()
          .catch(() => undefined),
      ),
  );
}

/** Prints the CPU quota (as CPUs), memory limit (bytes) and pids limit from cgroup v1 or v2 files. */
export const CGROUP_LIMITS_SCRIPT = `
if [ -f /sys/fs/cgroup/cpu.max ]; then
  set -- $(cat /sys/fs/cgroup/cpu.max); echo "cpu=$1/$2"
  echo "mem=$(cat /sys/fs/cgroup/memory.max)"
  echo "pids=$(cat /sys/fs/cgroup/pids.max)"
else
  echo "cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)/$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
  echo "mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
  echo "pids=$(cat /sys/fs/cgroup/pids/pids.max)"
fi`;

/**
 * The backend as another user (uid/gid 65534 "nobody", not in group docker), for the
 * permission-denied path. Needs root to switch user; returns undefined otherwise.
 */
export async function startBackendAsNobody(
  dockerHost: string,
): Promise<{ url: string; token: string; stop(): void } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), "aicockpit-nobody-"));
  chmodSync(dataDir, 0o777);
  const token = randomToken();
  const child = spawn(process.execPath, [SERVER_JS], {
    uid: 65534,
    gid: 65534,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dataDir,
      AICOCKPIT_TOKEN: token,
      AICOCKPIT_PORT: "0",
      AICOCKPIT_DATA_DIR: dataDir,
      DOCKER_HOST: dockerHost,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`backend as nobody not ready: ${err}`)), 10_000);
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /AICOCKPIT_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve((JSON.parse(m[1]!) as { port: number }).port);
      }
    });
    child.once("exit", (code) => reject(new Error(`backend as nobody exited ${code}: ${err}`)));
  });
  return { url: `http://127.0.0.1:${port}`, token, stop: () => void child.kill("SIGTERM") };
}
