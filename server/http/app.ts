/** The express app: guard → body limits → routes → JSON 404 → JSON errors. */
import express, { type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../context";
import { log } from "../log";
import { AppError, toAppError } from "../errors";
import { httpStatus } from "./errors";
import { securityGuard } from "./security";
import { assertJsonDepth } from "./json-body";
import { lazyRouter } from "./lazy";
import { healthRouter } from "./routes/health";
import { providersRouter } from "./routes/providers";
import { openaiHandlers, openaiRouter } from "./routes/openai";

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

export function createApp(ctx: AppContext): express.Express {
  const app = express();
  // Each domain's routes load on first use (http/lazy.ts): startup compiles only /health, the
  // provider routes and the /v1 gateway. A new route file goes here with the path prefixes it serves.
  const later = lazyRouter;
  const edit = () => import("./routes/edit.js");
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      // Route pattern, not the raw URL: keeps label cardinality bounded.
      const route = req.route?.path !== undefined ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      ctx.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      ctx.metrics.httpDuration.observe({ method: req.method, route }, seconds);
    });
    next();
  });

  app.use(securityGuard({ token: ctx.config.token, allowedOrigins: ctx.config.allowedOrigins, port: ctx.port }));
  // The /v1 gateway is served ahead of express (http/front.ts); its handlers are also mounted here,
  // ahead of express.json() (they read their own body: http/json-body.ts), for other spellings of its paths.
  app.use(openaiRouter(openaiHandlers(ctx)));
  // Also ahead of express.json(): its large body is parsed in the CPU worker (routes/edit.ts).
  app.use(later(["/api/edit/diff"], async () => (await edit()).diffRouter(ctx)));
  // verify runs on the raw bytes before parsing; its AppError (too deep) keeps its 400 BAD_REQUEST.
  app.use(
    express.json({
      limit: ctx.config.maxBodyBytes,
      type: ["application/json", "application/*+json"],
      verify: (_req, _res, buf) => assertJsonDepth(buf),
    }),
  );

  app.use(healthRouter(ctx));
  // Ahead of the provider routes: /api/providers/:id would take "discover" as an id.
  app.use(later(["/api/providers/discover"], async () => (await import("./routes/discovery.js")).discoveryRouter(ctx)));
  app.use(providersRouter(ctx));
  app.use(later(["/api/edit"], async () => (await edit()).editRouter(ctx)));
  app.use(later(["/api/complete"], async () => (await import("./routes/completion.js")).completionRouter(ctx)));
  app.use(later(["/api/shell"], async () => (await import("./routes/shell.js")).shellRouter(ctx)));
  app.use(
    later(["/api/workspaces", "/api/workspace-hosts"], async () =>
      (await import("./routes/workspaces.js")).workspacesRouter(ctx),
    ),
  );
  app.use(later(["/api/chat"], async () => (await import("./routes/chat.js")).chatRouter(ctx)));
  app.use(later(["/api/hosts"], async () => (await import("./routes/hosts.js")).hostsRouter(ctx)));
  app.use(later(["/api/gateway"], async () => (await import("./routes/gateway.js")).gatewayRouter(ctx)));
  app.use(later(["/api/hosts"], async () => (await import("./routes/containers.js")).containersRouter(ctx)));
  app.use(later(["/api/tasks"], async () => (await import("./routes/tasks.js")).tasksRouter(ctx)));
  app.use(later(["/api/local-model"], async () => (await import("./routes/local-model.js")).localModelRouter(ctx)));
  app.use(later(["/api/tickets"], async () => (await import("./routes/tickets.js")).ticketsRouter(ctx)));
  app.use(later(["/api/code"], async () => (await import("./routes/code.js")).codeRouter()));
  app.use(later(["/api/codebase"], async () => (await import("./routes/codebase.js")).codebaseRouter(ctx)));

  app.use((req, _res, next) => next(new AppError("NOT_FOUND", `No route for ${req.method} ${req.path}.`)));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const bpe = err as BodyParserError;
    let e: AppError;
    if (bpe?.type === "entity.too.large") {
      e = new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${ctx.config.maxBodyBytes} bytes.`);
    } else if (bpe?.type === "entity.parse.failed") {
      e = new AppError("BAD_REQUEST", "Request body is not valid JSON.");
    } else {
      e = toAppError(err);
      if (e.code === "INTERNAL")
        log.error(`unhandled error on ${req.method} ${req.path}`, { error: String((err as Error)?.stack ?? err) });
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(httpStatus(e)).json(e.toBody());
  });

  return app;
}
