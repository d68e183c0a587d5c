/**
 * The one way a route is registered: by its key in the contract tables (server/api/routes.ts),
 * "METHOD /path". A JSON handler returns the response body, so one of the wrong shape fails
 * to compile; a stream handler writes its own events.
 */
import type { NextFunction, Request, Response, Router } from "express";
import type { RouteKey, RouteResponse, StreamRoutes } from "../api/routes";
import { abortOnClose } from "./sse";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** `signal` aborts when the client goes away (closing the connection is how clients cancel). */
export type JsonHandler<K extends RouteKey> = (
  req: Request,
  signal: AbortSignal,
) => RouteResponse<K> | Promise<RouteResponse<K>>;
export type StreamHandler = (req: Request, res: Response, next: NextFunction) => Promise<void>;

function register(r: Router, key: string, fn: (req: Request, res: Response, next: NextFunction) => void): void {
  const [method, path] = key.split(" ") as [Method, string];
  switch (method) {
    case "GET":
      r.get(path, fn);
      break;
    case "POST":
      r.post(path, fn);
      break;
    case "PUT":
      r.put(path, fn);
      break;
    case "PATCH":
      r.patch(path, fn);
      break;
    case "DELETE":
      r.delete(path, fn);
      break;
    default:
      throw new Error(`unsupported method in route key ${key}`);
  }
}

export function route<K extends RouteKey>(r: Router, key: K, handler: JsonHandler<K>, status = 200): void {
  register(r, key, (req, res, next) => {
    const ac = abortOnClose(res);
    Promise.resolve()
      .then(() => handler(req, ac.signal))
      .then(
        (body) => {
          // A client that went away gets nothing; its work was aborted through `signal`.
          if (!ac.signal.aborted) res.status(status).json(body);
        },
        (err: unknown) => {
          if (res.headersSent || res.writableEnded || res.destroyed) return;
          next(err);
        },
      );
  });
}

export function streamRoute(r: Router, key: keyof StreamRoutes, handler: StreamHandler): void {
  register(r, key, (req, res, next) => {
    handler(req, res, next).catch((err: unknown) => {
      if (res.headersSent || res.writableEnded || res.destroyed) return;
      next(err);
    });
  });
}

export const idOf = (req: Request): string => String(req.params.id);

/** The path part of a route key, for the few routes that need their own middleware. */
export const pathOf = (key: RouteKey | keyof StreamRoutes): string => key.slice(key.indexOf(" ") + 1);
