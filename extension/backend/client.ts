/**
 * The extension's only way to the backend. Typed from the `ApiRoutes` table, so a route
 * called with the wrong body, missing path params or a misspelled name fails to compile.
 * Every failure — backend error body, refused connection, timeout, abort — becomes a
 * `BackendError` with a stable code, so callers switch on codes, never on strings.
 */
import type { ApiRoutes, Empty, RouteKey, RouteRequest, RouteResponse, StreamRoutes } from "../../server/api/routes";
import { isApiErrorBody, type ErrorCode } from "../../server/api/errors";
import { readSse, type SseMessage } from "./sse";

/** Codes the client adds for failures that never reached a route handler. */
export type ClientErrorCode =
  ErrorCode | "BACKEND_NOT_RUNNING" | "BACKEND_UNREACHABLE" | "BACKEND_TIMEOUT" | "BACKEND_BAD_RESPONSE";

export class BackendError extends Error {
  override readonly name = "BackendError";
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly hint?: string,
    /** HTTP status when the backend answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ClientConnection {
  baseUrl: string;
  token: string;
}

type PathOf<K extends string> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;
export type RouteParams<K extends RouteKey> = ParamNames<PathOf<K>>;

type ParamsPart<K extends RouteKey> = [RouteParams<K>] extends [never]
  ? { params?: undefined }
  : { params: Record<RouteParams<K>, string> };
type BodyPart<K extends RouteKey> = [RouteRequest<K>] extends [Empty]
  ? { body?: undefined }
  : { body: RouteRequest<K> };
export type CallOptions<K extends RouteKey> = ParamsPart<K> &
  BodyPart<K> & {
    signal?: AbortSignal;
    /** Client-side deadline; ends in BACKEND_TIMEOUT. */
    timeoutMs?: number;
    /** Extra request headers (e.g. X-AiCockpit-Host-Credentials for the container routes). */
    headers?: Record<string, string>;
  };
/** Options may be omitted only when the route has neither path params nor a body. */
type CallArgs<K extends RouteKey> =
  Record<string, never> extends CallOptions<K> ? [options?: CallOptions<K>] : [options: CallOptions<K>];

export interface StreamOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Deadline until the response headers arrive (the stream itself may run long). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export type StreamRouteKey = keyof StreamRoutes;

export interface TypedStreamOptions<K extends StreamRouteKey> {
  body: StreamRoutes[K][0];
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class BackendClient {
  constructor(
    private readonly connection: () => ClientConnection | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async call<K extends RouteKey>(route: K, ...[options]: CallArgs<K>): Promise<RouteResponse<K>> {
    const space = route.indexOf(" ");
    const method = route.slice(0, space);
    const path = fillPath(route.slice(space + 1), options?.params as Record<string, string> | undefined);
    const { response, timeout } = await this.send(
      method,
      path,
      options?.body,
      options?.signal,
      options?.timeoutMs,
      undefined,
      options?.headers,
    );
    try {
      return (await response.json()) as ApiRoutes[K][1];
    } catch (err) {
      throw transportError(err, options?.signal, timeout, path);
    }
  }

  /**
   * Server-sent events from a streaming route. Stops at the stream's end or OpenAI's
   * `[DONE]`; an `event: error` carrying an error body is thrown as a BackendError.
   */
  async *stream(method: "GET" | "POST", path: string, options: StreamOptions = {}): AsyncGenerator<SseMessage> {
    const { response, timeout } = await this.send(
      method,
      path,
      options.body,
      options.signal,
      options.timeoutMs,
      "text/event-stream",
      options.headers,
    );
    if (response.body === null) return;
    try {
      for await (const m of readSse(response.body, options.signal)) {
        if (m.data === "[DONE]") return;
        if (m.event === "error") throw errorFromEvent(m.data);
        yield m;
      }
    } catch (err) {
      if (err instanceof BackendError) throw err;
      throw transportError(err, options.signal, timeout, path);
    }
  }

  /** A typed streaming route from the `StreamRoutes` table: each `data:` line is one JSON event. */
  async *events<K extends StreamRouteKey>(
    route: K,
    options: TypedStreamOptions<K>,
  ): AsyncGenerator<StreamRoutes[K][1]> {
    const space = route.indexOf(" ");
    const method = route.slice(0, space) as "GET" | "POST";
    for await (const m of this.stream(method, route.slice(space + 1), options)) {
      let event: StreamRoutes[K][1];
      try {
        event = JSON.parse(m.data) as StreamRoutes[K][1];
      } catch {
        throw new BackendError("BACKEND_BAD_RESPONSE", `The backend's ${route} stream sent an event that is not JSON.`);
      }
      yield event;
    }
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    accept = "application/json",
    extraHeaders: Record<string, string> = {},
  ): Promise<{ response: Response; timeout: AbortSignal | undefined }> {
    const conn = this.connection();
    if (conn === undefined) {
      throw new BackendError(
        "BACKEND_NOT_RUNNING",
        "The AiCockpit backend is not running.",
        'Wait for it to start, or run "AiCockpit: Restart Backend".',
      );
    }
    const timeout = timeoutMs !== undefined ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const headers: Record<string, string> = { ...extraHeaders, authorization: `Bearer ${conn.token}`, accept };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetchImpl(`${conn.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
    } catch (err) {
      throw transportError(err, signal, timeout, path);
    }
    if (!response.ok) throw await errorFromResponse(response);
    return { response, timeout };
  }
}

function fillPath(pattern: string, params: Record<string, string> | undefined): string {
  return pattern.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new BackendError("BAD_REQUEST", `Missing path parameter "${name}" for ${pattern}.`);
    return encodeURIComponent(v);
  });
}

async function errorFromResponse(res: Response): Promise<BackendError> {
  const text = await res.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isApiErrorBody(parsed))
    return new BackendError(parsed.error.code, parsed.error.message, parsed.error.hint, res.status);
  return new BackendError(
    "BACKEND_BAD_RESPONSE",
    `The backend answered HTTP ${res.status} without an error body.`,
    undefined,
    res.status,
  );
}

function errorFromEvent(data: string): BackendError {
  try {
    const parsed: unknown = JSON.parse(data);
    if (isApiErrorBody(parsed)) return new BackendError(parsed.error.code, parsed.error.message, parsed.error.hint);
  } catch {
    // fall through: not JSON
  }
  return new BackendError("BACKEND_BAD_RESPONSE", "The backend's stream ended with an unreadable error event.");
}

function transportError(
  err: unknown,
  signal: AbortSignal | undefined,
  timeout: AbortSignal | undefined,
  path: string,
): BackendError {
  if (signal?.aborted) return new BackendError("CANCELLED", "The request was cancelled.");
  if (timeout?.aborted)
    return new BackendError(
      "BACKEND_TIMEOUT",
      `The backend did not answer ${path} in time.`,
      "See AiCockpit: Show Logs.",
    );
  if (err instanceof SyntaxError)
    return new BackendError("BACKEND_BAD_RESPONSE", `The backend's answer to ${path} is not valid JSON.`);
  const c = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const cause = c?.code ?? c?.message;
  return new BackendError(
    "BACKEND_UNREACHABLE",
    `Cannot reach the AiCockpit backend${cause !== undefined ? ` (${cause})` : ""}.`,
    'Run "AiCockpit: Restart Backend" or see AiCockpit: Show Logs.',
  );
}
