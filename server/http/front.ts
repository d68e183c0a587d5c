/**
 * The backend's HTTP server. The /v1 gateway's three routes (routes/openai.ts) are taken here,
 * in front of express, with the same guard (loopback Host, allowed Origin, bearer token:
 * security.ts#accessProblem), the same body limits and the same request metrics; everything
 * else goes to the express app. The gateway is the latency-sensitive path (time to first
 * token), and this keeps per-request work on it to the checks themselves.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Counter, Histogram } from "prom-client";
import type { AppContext } from "../context";
import { httpStatus } from "./errors";
import { accessProblem, type SecurityOptions } from "./security";
import { openaiHandlers, sendJson, type V1Handler } from "./routes/openai";

type App = (req: IncomingMessage, res: ServerResponse) => void;

interface FrontRoute {
  handle: V1Handler;
  method: string;
  path: string;
  /** The metrics' children for this route (per status for the counter), made once: label hashing is per-request work otherwise. */
  timed: ReturnType<Histogram<"method" | "route">["labels"]>;
  counted: Map<number, ReturnType<Counter<"method" | "route" | "status">["labels"]>>;
}

export function createHttpServer(ctx: AppContext, app: App): Server {
  const guard: SecurityOptions = {
    token: ctx.config.token,
    allowedOrigins: ctx.config.allowedOrigins,
    port: ctx.port,
  };
  const { httpRequests, httpDuration } = ctx.metrics;
  const routes = new Map<string, FrontRoute>();
  for (const [key, handle] of openaiHandlers(ctx)) {
    const [method, path] = key.split(" ") as [string, string];
    routes.set(key, { handle, method, path, timed: httpDuration.labels({ method, route: path }), counted: new Map() });
  }

  return createServer((req, res) => {
    // Exact paths only: another spelling ("/V1/…", a query string) takes express's routing, same handlers.
    const route = req.url?.startsWith("/v1/") ? routes.get(`${req.method ?? ""} ${req.url}`) : undefined;
    if (route === undefined) {
      app(req, res);
      return;
    }
    const timer = route.timed.startTimer();
    res.once("finish", () => {
      timer();
      let c = route.counted.get(res.statusCode);
      if (c === undefined) {
        c = httpRequests.labels({ method: route.method, route: route.path, status: String(res.statusCode) });
        route.counted.set(res.statusCode, c);
      }
      c.inc();
    });
    const problem = accessProblem(req.headers, route.method, route.path, guard);
    if (problem) {
      sendJson(res, httpStatus(problem), JSON.stringify(problem.toBody()));
      return;
    }
    void route.handle(req, res);
  });
}
