/**
 * Routes and WebSocket endpoints whose code loads on first use. The backend's spawn → ready
 * time is what the user waits for at every VS Code start; a domain's routes (their schemas,
 * the domain code, its libraries) are compiled only when a request for them arrives. The
 * bundle is split at each `import()` (scripts/server-bundle.mjs), so the loader passed here is
 * a separate file read on first use.
 */
import type { Server, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { NextFunction, Request, Response, Router } from "express";

/**
 * A router for the paths under `prefixes` ("/api/hosts" covers "/api/hosts" and "/api/hosts/…"),
 * built by `load` on the first such request. Other paths pass through untouched.
 */
export function lazyRouter(
  prefixes: readonly string[],
  load: () => Promise<Router>,
): (req: Request, res: Response, next: NextFunction) => void {
  let router: Promise<Router> | undefined;
  return (req, res, next) => {
    const p = req.path.toLowerCase(); // express matches paths case-insensitively
    if (!prefixes.some((x) => p === x || p.startsWith(`${x}/`))) {
      next();
      return;
    }
    (router ??= load()).then(
      (r) => r(req, res, next),
      (err: unknown) => {
        router = undefined; // a failed load (e.g. a missing chunk) is retried by the next request
        next(err);
      },
    );
  };
}

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * WebSocket handling (the `ws` library and the TTY endpoints) attached on the first upgrade
 * request. Upgrades that arrive while it loads are replayed to it in order.
 */
export function attachOnFirstUpgrade(server: Server, load: () => Promise<(server: Server) => void>): void {
  const waiting: [IncomingMessage, Duplex, Buffer][] = [];
  const first: UpgradeListener = (req, socket, head) => {
    waiting.push([req, socket, head]);
    if (waiting.length > 1) return;
    load().then(
      (attach) => {
        server.off("upgrade", first);
        attach(server);
        for (const [q, s, h] of waiting.splice(0)) server.emit("upgrade", q, s, h);
      },
      () => {
        for (const [, s] of waiting.splice(0)) s.destroy();
      },
    );
  };
  server.on("upgrade", first);
}
