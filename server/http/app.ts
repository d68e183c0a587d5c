/** The express app: guard → body limits → routes → JSON 404 → JSON errors. */
import express, { type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../context";
import { log } from "../log";
import { AppError, toAppError } from "../errors";
import { httpStatus } from "./errors";
import { securityGuard } from "./security";
import { assertJsonDepth } from "./json-body";
import { healthRouter } from "./routes/health";
import { providersRouter } from "./routes/providers";
import { discoveryRouter } from "./routes/discovery";
import { openaiRouter } from "./routes/openai";
import { diffRouter, editRouter } from "./routes/edit";
import { completionRouter } from "./routes/completion";
import { shellRouter } from "./routes/shell";
import { workspacesRouter } from "./routes/workspaces";
import { chatRouter } from "./routes/chat";
import { hostsRouter } from "./routes/hosts";
import { gatewayRouter } from "./routes/gateway";
import { containersRouter } from "./routes/containers";
import { tasksRouter } from "./routes/tasks";
import { localModelRouter } from "./routes/local-model";
import { ticketsRouter } from "./routes/tickets";
import { codeRouter } from "./routes/code";
import { codebaseRouter } from "./routes/codebase";

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

export function createApp(ctx: AppContext): express.Express {
  const app = express();
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
  // The /v1 gateway first, ahead of express.json(): it is the latency-sensitive path and reads
  // its own body (http/json-body.ts, same limit and error codes).
  app.use(openaiRouter(ctx));
  // Also ahead of express.json(): its large body is parsed in the CPU worker (routes/edit.ts).
  app.use(diffRouter(ctx));
  // verify runs on the raw bytes before parsing; its AppError (too deep) keeps its 400 BAD_REQUEST.
  app.use(
    express.json({
      limit: ctx.config.maxBodyBytes,
      type: ["application/json", "application/*+json"],
      verify: (_req, _res, buf) => assertJsonDepth(buf),
    }),
  );

  app.use(healthRouter(ctx));
  app.use(discoveryRouter(ctx));
  app.use(providersRouter(ctx));
  app.use(editRouter(ctx));
  app.use(completionRouter(ctx));
  app.use(shellRouter(ctx));
  app.use(workspacesRouter(ctx));
  app.use(chatRouter(ctx));
  app.use(hostsRouter(ctx));
  app.use(gatewayRouter(ctx));
  app.use(containersRouter(ctx));
  app.use(tasksRouter(ctx));
  app.use(localModelRouter(ctx));
  app.use(ticketsRouter(ctx));
  app.use(codeRouter());
  app.use(codebaseRouter(ctx));

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
