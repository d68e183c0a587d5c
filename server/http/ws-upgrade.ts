/**
 * WebSocket endpoints on the backend's one HTTP server. An upgrade request passes exactly
 * the checks every HTTP route does (Host, Origin, bearer token: accessProblem in
 * security.ts) before the handshake is accepted; a refused one gets the usual JSON error.
 * Paths this module does not own are left alone for other upgrade listeners.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { AppContext } from "../context";
import { log } from "../log";
import { AppError, toAppError } from "../errors";
import { httpStatus } from "./errors";
import { accessProblem, malformedPath } from "./security";

export interface WsRoute {
  pattern: RegExp;
  handle(ws: WebSocket, match: RegExpExecArray, url: URL, req: IncomingMessage): void;
}

function refuse(socket: Duplex, e: AppError): void {
  const body = JSON.stringify(e.toBody());
  socket.end(
    `HTTP/1.1 ${httpStatus(e)} ${e.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function attachWebSockets(server: Server, ctx: AppContext, routes: WsRoute[]): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let match: RegExpExecArray | null = null;
    const route = routes.find((r) => (match = r.pattern.exec(url.pathname)) !== null);
    if (!route || !match) {
      // Someone else's path, if anyone else listens; otherwise the client would hang.
      if (server.listenerCount("upgrade") <= 1)
        refuse(socket, new AppError("NOT_FOUND", `No WebSocket endpoint at ${url.pathname}.`));
      return;
    }
    const problem = accessProblem(req.headers, req.method ?? "GET", url.pathname, {
      token: ctx.config.token,
      allowedOrigins: ctx.config.allowedOrigins,
      port: ctx.port,
    });
    const bad = problem ?? malformedPath(url.pathname);
    if (bad) {
      refuse(socket, bad);
      return;
    }
    const m: RegExpExecArray = match;
    wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        route.handle(ws, m, url, req);
      } catch (err) {
        const e = toAppError(err);
        log.warn(`websocket ${url.pathname}: ${e.message}`);
        ws.close(1011, e.code);
      }
    });
  });
  return wss;
}
