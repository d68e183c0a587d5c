/**
 * The guard in front of every route. A loopback server that can run commands is a target
 * for DNS rebinding (foreign Host) and browser CSRF (foreign Origin), so both are refused
 * before the bearer token is even looked at.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { AppError } from "../errors";

export interface SecurityOptions {
  token: string;
  allowedOrigins: readonly string[];
  /** Returns the port actually bound (known only after listen when configured as 0). */
  port: () => number;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

// The expected token's digest is computed once, not on every request (it sits on the hot path).
let expectedDigest: { token: string; digest: Buffer } | undefined;

export function tokenMatches(given: string, expected: string): boolean {
  if (expectedDigest?.token !== expected) expectedDigest = { token: expected, digest: digest(expected) };
  // Hash both so the comparison is constant-time regardless of length.
  return timingSafeEqual(digest(given), expectedDigest.digest);
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
  return allowed.includes(host.toLowerCase());
}

/**
 * The whole check, for any request: express routes (securityGuard) and WebSocket upgrades
 * (server/http/ws-upgrade.ts) go through this one function. Undefined means allowed.
 */
export function accessProblem(
  headers: { host?: string | undefined; origin?: string | undefined; authorization?: string | undefined },
  method: string,
  path: string,
  opts: SecurityOptions,
): AppError | undefined {
  if (!hostAllowed(headers.host, opts.port())) {
    return new AppError(
      "FORBIDDEN_HOST",
      "Host header is not this backend's loopback address.",
      "Call the backend at http://127.0.0.1:<port>.",
    );
  }
  const origin = headers.origin;
  if (origin !== undefined && !opts.allowedOrigins.includes(origin)) {
    return new AppError(
      "FORBIDDEN_ORIGIN",
      `Requests from origin ${JSON.stringify(origin)} are not allowed.`,
      "Add the origin to AICOCKPIT_ALLOWED_ORIGINS if it is trusted.",
    );
  }
  // Liveness is open to anyone on loopback (HEAD too: some monitors and load balancers probe with it).
  if ((method === "GET" || method === "HEAD") && path === "/health") return undefined;
  const auth = headers.authorization ?? "";
  const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
  if (bearer === undefined || !tokenMatches(bearer.trim(), opts.token)) {
    return new AppError(
      "UNAUTHORIZED",
      bearer !== undefined ? "Invalid bearer token." : "Missing bearer token.",
      "Send Authorization: Bearer <AICOCKPIT_TOKEN>.",
    );
  }
  return undefined;
}

/**
 * A path whose percent-encoding does not decode (`/api/providers/%E0%A4%A/models`) is the
 * client's mistake: a 400 that says so, not a URIError from deep in routing (a 500 with a
 * stack trace in the log, or a WebSocket closed 1011 without a word).
 */
export function malformedPath(path: string): AppError | undefined {
  try {
    decodeURIComponent(path);
    return undefined;
  } catch {
    return new AppError(
      "BAD_REQUEST",
      "The request path has a malformed percent-encoding.",
      "Encode path segments with encodeURIComponent.",
    );
  }
}

export function securityGuard(opts: SecurityOptions) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(accessProblem(req.headers, req.method, req.path, opts) ?? malformedPath(req.path));
  };
}
