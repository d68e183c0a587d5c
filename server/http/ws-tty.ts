/**
 * Interactive shells over WebSocket for the extension's terminals:
 * `GET /api/workspaces/:id/tty` (a workspace) and `GET /api/hosts/:host/containers/:name/tty`
 * (any container on any host, the Remote Hosts view's Open Terminal). Binary frames are
 * terminal bytes both ways; text frames are JSON control messages (resize in,
 * ready/exit/error out). See server/api/workspaces.ts. Both routes share one session loop;
 * they differ only in how the TTY is opened and how a Docker error is named.
 */
import type { WebSocket } from "ws";
import type { TtyControl, TtyServerMessage } from "../api/workspaces";
import type { AppContext } from "../context";
import { log } from "../log";
import { AppError } from "../errors";
import { fromDockerError } from "../workspaces/errors";
import type { TtyOptions, TtySession } from "../workspaces/tty";
import { connectWithCredentials, credentialsFromHeaders } from "./host-credentials";
import type { WsRoute } from "./ws-upgrade";

const clampSize = (v: string | null, dflt: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : dflt;
};

function send(ws: WebSocket, msg: TtyServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

function parseCmd(raw: string | null): string[] | undefined {
  if (raw === null || raw === "") return undefined;
  const v: unknown = JSON.parse(raw);
  if (!Array.isArray(v) || v.length === 0 || v.length > 100 || !v.every((x) => typeof x === "string")) {
    throw new Error("cmd must be a JSON array of strings");
  }
  return v as string[];
}

interface TtyTarget {
  /** For logs and Docker error messages. */
  label: string;
  open(opts: TtyOptions): Promise<TtySession>;
  dockerError(err: unknown): AppError;
}

function serveTty(ws: WebSocket, url: URL, target: TtyTarget): void {
  const cols = clampSize(url.searchParams.get("cols"), 80);
  const rows = clampSize(url.searchParams.get("rows"), 24);
  // Input that arrives before the exec is attached is kept, not dropped.
  const early: Buffer[] = [];
  let write: ((b: Buffer) => void) | undefined;
  let resize: ((c: number, r: number) => void) | undefined;
  let closed = false;
  let end: (() => void) | undefined;
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      if (write) write(data);
      else early.push(data);
      return;
    }
    try {
      const c = JSON.parse(data.toString("utf8")) as TtyControl;
      if (c.type === "resize") resize?.(clampSize(String(c.cols), cols), clampSize(String(c.rows), rows));
    } catch {
      // ignore malformed control frames
    }
  });
  ws.on("close", () => {
    closed = true;
    end?.();
  });
  void (async () => {
    try {
      const cmd = parseCmd(url.searchParams.get("cmd"));
      const tty = await target.open({ cols, rows, ...(cmd ? { cmd } : {}) });
      end = () => void tty.hangup();
      if (closed) return end();
      if (!(await tty.started())) {
        // Docker could not start even the `sh` wrapper: 126/127 is "no such program".
        const code = await tty.exitCode();
        if (code === 126 || code === 127)
          throw new AppError(
            "CONTAINER_SHELL_NOT_FOUND",
            `${target.label} has no sh: a terminal needs a shell in the image.`,
            "Distroless and scratch images have none; use the container's logs, or exec a program it has.",
          );
      }
      write = (b) => tty.write(b);
      resize = (c, r) => void tty.resize(c, r);
      for (const b of early.splice(0)) write(b);
      tty.onData((chunk) => {
        if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
      });
      send(ws, { type: "ready", execId: tty.execId });
      const exitCode = await tty.exitCode();
      send(ws, { type: "exit", exitCode });
      ws.close(1000, "exit");
    } catch (err) {
      let e: AppError;
      if (err instanceof SyntaxError || (err instanceof Error && /cmd must/.test(err.message)))
        e = new AppError("BAD_REQUEST", `Invalid cmd: ${err.message}.`);
      else if (err instanceof AppError) e = err;
      else e = target.dockerError(err);
      if (e.code === "INTERNAL") log.error(`tty ${target.label}: ${String((err as Error)?.stack ?? err)}`);
      send(ws, { type: "error", code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
      ws.close(1011, e.code);
    }
  })();
}

export function ttyRoute(ctx: AppContext): WsRoute {
  return {
    pattern: /^\/api\/workspaces\/([^/]+)\/tty$/,
    handle(ws, match, url) {
      const id = decodeURIComponent(match[1] ?? "");
      serveTty(ws, url, {
        label: id,
        async open(opts) {
          const svc = await ctx.workspaces();
          const { openTty } = await import("../workspaces/tty.js");
          const { container } = await svc.running(id);
          return openTty(container, { ...opts, workingDir: "/workspace" });
        },
        dockerError: (err) => fromDockerError(err, { where: id, remote: id.includes("@") }, "terminal"),
      });
    },
  };
}

/** Any container on any host: the engine comes from the same place as the container routes'. */
export function containerTtyRoute(ctx: AppContext): WsRoute {
  return {
    pattern: /^\/api\/hosts\/([^/]+)\/containers\/([^/]+)\/tty$/,
    handle(ws, match, url, req) {
      const host = decodeURIComponent(match[1] ?? "");
      const name = decodeURIComponent(match[2] ?? "");
      serveTty(ws, url, {
        label: host === "local" ? name : `${name} on ${host}`,
        open: async (opts) => {
          await connectWithCredentials(ctx, host, credentialsFromHeaders(req.headers));
          return (await ctx.containers()).tty(host, name, opts);
        },
        dockerError: (err) => fromDockerError(err, { where: host, remote: host !== "local" }, "terminal"),
      });
    },
  };
}
