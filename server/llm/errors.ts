/**
 * Upstream failures → AppError with a stable code and a message a user can act on.
 * Upstream error text is quoted only where it helps (400s, 404s) and always redacted;
 * auth failures never quote it because OpenAI echoes a masked fragment of the key.
 */
import type { ProviderKind } from "../api/providers";
import { AppError } from "../errors";
import { redact } from "../log";

export interface ErrorContext {
  providerName: string;
  kind: ProviderKind;
  model: string;
  baseUrl: string;
  hasKey: boolean;
  timeoutMs: number;
}

export interface Classified {
  error: AppError;
  /** Worth another attempt before the first token (429, 5xx, connection failure). */
  retryable: boolean;
  /** From retry-after / retry-after-ms, when the service said how long to wait. */
  retryAfterMs?: number;
}

/** Raised by our own code when the service answered with something that is not OpenAI's shape. */
export class BadResponse extends Error {}
/** Our per-request timer fired (distinct from the caller going away). */
export class UpstreamTimeout extends Error {}

/** The service sent more than we read (see limits.ts); `what` names it for the user, e.g. "a streamed answer". */
export class ResponseTooLarge extends BadResponse {
  constructor(
    readonly what: string,
    readonly limit: string,
  ) {
    super(`${what} larger than ${limit}`);
  }
}

/** A stream went quiet after its first event for longer than the idle timeout. */
export class UpstreamIdle extends Error {
  constructor(readonly idleMs: number) {
    super(`no stream event for ${idleMs} ms`);
  }
}

/** The service answered with a non-2xx status; `body` is its parsed JSON (or text). */
export class UpstreamHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Headers,
  ) {
    super(`upstream HTTP ${status}`);
  }
}

/** No response at all (refused, DNS, TLS, proxy): the network error is the cause. */
export class UpstreamConnectionError extends Error {
  constructor(cause: unknown) {
    super("upstream connection failed", { cause });
  }
}

const SET_KEY_HINT = "Set a valid key with 'AiCockpit: Set API Key'.";

function host(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

export function parseRetryAfter(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const ra = headers.get("retry-after");
  if (ra === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.round(Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

interface UpstreamErrorBody {
  error?: unknown;
  message?: unknown;
  detail?: unknown;
  code?: unknown;
}

/**
 * OpenAI and Azure send {error:{message,code}}; Ollama {error:"…"}; vLLM and others put
 * message/code at the top level; FastAPI-style servers use `detail`; some send plain text.
 */
function upstreamDetail(body: unknown): { message: string; code: string } {
  if (typeof body === "string") return { message: redact(body).slice(0, 300), code: "" };
  const outer = (typeof body === "object" && body !== null ? body : {}) as UpstreamErrorBody;
  const inner = (typeof outer.error === "object" && outer.error !== null ? outer.error : outer) as UpstreamErrorBody;
  const message =
    typeof inner.message === "string"
      ? inner.message
      : typeof outer.error === "string"
        ? outer.error // Ollama: {"error":"model \"x\" not found, …"}
        : typeof outer.detail === "string"
          ? outer.detail
          : "";
  const code = typeof inner.code === "string" ? inner.code : "";
  return { message: redact(message).slice(0, 300), code };
}

/** Walks `cause` chains (fetch failed → ECONNREFUSED) for a system error code. */
export function causeCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 6 && cur; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === "string" && /^[A-Z_]+$/.test(c)) return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function unreachable(ctx: ErrorContext, err: unknown): Classified {
  const code = causeCode(err);
  const where = host(ctx.baseUrl);
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return {
      retryable: false,
      error: new AppError(
        "PROVIDER_UNREACHABLE",
        `The TLS certificate of the AI service at ${where} is not trusted (${code}).`,
        "Behind a corporate proxy? Point AICOCKPIT_CA_FILE at your company's CA bundle (PEM).",
      ),
    };
  }
  const why =
    code === "ECONNREFUSED"
      ? "connection refused"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "host name not found"
        : code === "ECONNRESET" || code === "UND_ERR_SOCKET"
          ? "connection reset"
          : code === "UND_ERR_CONNECT_TIMEOUT"
            ? "connection timed out"
            : (code ?? "network error");
  return {
    retryable: true,
    error: new AppError(
      "PROVIDER_UNREACHABLE",
      `Cannot reach the AI service at ${where} (${why}).`,
      "Check that the service is running and the base URL is right; behind a proxy, set HTTPS_PROXY.",
    ),
  };
}

export function classifyUpstreamError(err: unknown, ctx: ErrorContext): Classified {
  if (err instanceof AppError) return { error: err, retryable: false };
  if (err instanceof UpstreamTimeout) {
    return {
      retryable: false,
      error: new AppError(
        "PROVIDER_TIMEOUT",
        `The AI service at ${host(ctx.baseUrl)} did not answer within ${(ctx.timeoutMs / 1000).toFixed(1)} s.`,
        "The service may be overloaded or the model still loading; try again or raise the provider's timeout.",
      ),
    };
  }
  if (err instanceof UpstreamIdle) {
    return {
      retryable: false,
      error: new AppError(
        "PROVIDER_TIMEOUT",
        `The model stopped sending: no data from the AI service at ${host(ctx.baseUrl)} for ${(err.idleMs / 1000).toFixed(1)} s mid-answer.`,
        "The service may be overloaded or stuck; try again. The limit is AICOCKPIT_LLM_IDLE_TIMEOUT_MS (setting aicockpit.provider.idleTimeoutMs).",
      ),
    };
  }
  if (err instanceof ResponseTooLarge) {
    return {
      retryable: false,
      error: new AppError(
        "PROVIDER_BAD_RESPONSE",
        `The AI service at ${host(ctx.baseUrl)} sent ${err.what} larger than ${err.limit}; AiCockpit stopped reading it.`,
        "A real model never sends this much: check the base URL and the service. The limits are listed in the README's security section.",
      ),
    };
  }
  if (err instanceof BadResponse || err instanceof SyntaxError) {
    return {
      retryable: false,
      error: new AppError(
        "PROVIDER_BAD_RESPONSE",
        `The AI service at ${host(ctx.baseUrl)} sent a response that is not valid OpenAI-compatible output.`,
        "Check that the base URL points at an OpenAI-compatible API (usually ending in /v1).",
      ),
    };
  }
  const code = causeCode(err);
  if (code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT") {
    return {
      retryable: false,
      error: new AppError(
        "PROVIDER_TIMEOUT",
        `The AI service at ${host(ctx.baseUrl)} stopped sending data mid-response.`,
        "The service may be overloaded; try again.",
      ),
    };
  }
  if (err instanceof UpstreamConnectionError) return unreachable(ctx, err.cause ?? err);
  if (err instanceof UpstreamHttpError) return fromStatus(err, ctx);
  // undici raises TypeError("terminated") when the socket drops mid-body.
  if (
    code !== undefined ||
    (err instanceof TypeError && /terminated|fetch failed|other side closed/i.test(err.message))
  ) {
    const c = unreachable(ctx, err);
    return {
      ...c,
      error: new AppError(
        "PROVIDER_UNREACHABLE",
        `The connection to the AI service at ${host(ctx.baseUrl)} dropped before the response was complete.`,
        "Try again; if it keeps happening check the service's logs or your proxy.",
      ),
    };
  }
  return {
    retryable: false,
    error: new AppError(
      "PROVIDER_ERROR",
      `The AI service request failed unexpectedly: ${redact(String((err as Error)?.message ?? err)).slice(0, 200)}`,
    ),
  };
}

function fromStatus(err: UpstreamHttpError, ctx: ErrorContext): Classified {
  const status = err.status;
  const d = upstreamDetail(err.body);
  const quoted = d.message ? `: ${d.message}` : ".";
  const retryAfterMs = parseRetryAfter(err.headers);
  if (status === 401 || status === 403) {
    const message = !ctx.hasKey
      ? `The AI service requires an API key (${status}) and none is set for "${ctx.providerName}".`
      : status === 401
        ? `The AI service rejected the API key (401).`
        : `The AI service refused access with this API key (403).`;
    return {
      retryable: false,
      error: new AppError("PROVIDER_AUTH_FAILED", `${message} ${SET_KEY_HINT}`, SET_KEY_HINT),
    };
  }
  if (status === 404) {
    // "Invalid URL (GET /v1/models)" is OpenAI's 404 for a wrong path: not about a model.
    const aboutModel =
      /model|deployment/i.test(d.code) ||
      /\bmodel\b.*(not exist|not found|unknown|not available)|no such model|\bdeployment\b.*(not exist|not found)/i.test(
        d.message,
      );
    if (aboutModel) {
      return {
        retryable: false,
        error: new AppError(
          "PROVIDER_MODEL_NOT_FOUND",
          `The AI service does not know the ${ctx.kind === "azure" ? "deployment" : "model"} "${ctx.model}" (404).`,
          ctx.kind === "azure"
            ? "Use the deployment name from Azure AI Foundry as the model."
            : "Pick a model the service lists (GET /api/providers/<id>/models) and set it on the provider.",
        ),
      };
    }
    return {
      retryable: false,
      error: new AppError(
        "PROVIDER_ERROR",
        `The AI service has no such endpoint (404)${quoted}`,
        "Check the provider's base URL (OpenAI-compatible APIs usually end in /v1).",
      ),
    };
  }
  if (status === 429) {
    const quota = d.code === "insufficient_quota";
    return {
      retryable: !quota,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      error: new AppError(
        "PROVIDER_RATE_LIMITED",
        quota
          ? "The AI service account has no quota left (429 insufficient_quota)."
          : `The AI service is rate-limiting requests (429)${retryAfterMs !== undefined ? `; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s` : ""}.`,
        quota
          ? "Check the billing and quota of the account behind the API key."
          : "Wait a moment and try again, or use a provider with a higher limit.",
      ),
    };
  }
  if (status === 408 || status === 504) {
    return {
      retryable: true,
      error: new AppError(
        "PROVIDER_TIMEOUT",
        `The AI service timed out (${status}).`,
        "The service may be overloaded; try again.",
      ),
    };
  }
  if (status === 502 || status === 503) {
    return {
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      error: new AppError(
        "PROVIDER_UNREACHABLE",
        `The AI service is temporarily unavailable (${status}).`,
        "Try again shortly; the service or a proxy in front of it is down.",
      ),
    };
  }
  if (status >= 500) {
    return {
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      error: new AppError(
        "PROVIDER_ERROR",
        `The AI service failed with an internal error (${status}).`,
        "This is on the service's side; try again.",
      ),
    };
  }
  return {
    retryable: false,
    error: new AppError("PROVIDER_ERROR", `The AI service rejected the request (${status})${quoted}`),
  };
}
