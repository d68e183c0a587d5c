import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BadResponse,
  UpstreamConnectionError,
  UpstreamHttpError,
  UpstreamTimeout,
  causeCode,
  classifyUpstreamError,
  parseRetryAfter,
  type ErrorContext,
} from "../../../server/llm/errors";
import { AppError } from "../../../server/errors";
import { registerSecret } from "../../../server/log";

const ctx: ErrorContext = {
  providerName: "Work OpenAI",
  kind: "openai",
  model: "gpt-4o",
  baseUrl: "https://api.example.com/v1",
  hasKey: true,
  timeoutMs: 30_000,
};

/** An OpenAI-shaped error answer ({error:{…}}), or a bare one when `body` is undefined. */
function apiError(
  status: number,
  body: Record<string, unknown> | undefined,
  headers: Record<string, string> = {},
): UpstreamHttpError {
  return new UpstreamHttpError(status, body ? { error: body } : "", new Headers(headers));
}

describe("classifyUpstreamError", () => {
  it("401 → PROVIDER_AUTH_FAILED with the set-key hint, without quoting upstream text", () => {
    const c = classifyUpstreamError(
      apiError(401, { message: "Incorrect API key provided: sk-ab****wxyz.", code: "invalid_api_key" }),
      ctx,
    );
    assert.equal(c.error.code, "PROVIDER_AUTH_FAILED");
    assert.equal(
      c.error.message,
      "The AI service rejected the API key (401). Set a valid key with 'AiCockpit: Set API Key'.",
    );
    assert.equal(c.retryable, false);
    assert.ok(!c.error.message.includes("wxyz"));
  });

  it("401 without a configured key says so", () => {
    const c = classifyUpstreamError(apiError(401, { message: "no key" }), { ...ctx, hasKey: false });
    assert.match(c.error.message, /requires an API key \(401\) and none is set for "Work OpenAI"/);
  });

  it("403 → PROVIDER_AUTH_FAILED", () => {
    assert.equal(classifyUpstreamError(apiError(403, { message: "nope" }), ctx).error.code, "PROVIDER_AUTH_FAILED");
  });

  it("404 about a model or deployment → PROVIDER_MODEL_NOT_FOUND; a bare 404 → PROVIDER_ERROR about the URL", () => {
    const m = classifyUpstreamError(
      apiError(404, { message: "The model `gpt-4o` does not exist", code: "model_not_found" }),
      ctx,
    );
    assert.equal(m.error.code, "PROVIDER_MODEL_NOT_FOUND");
    assert.match(m.error.message, /does not know the model "gpt-4o" \(404\)/);
    const az = classifyUpstreamError(
      apiError(404, { code: "DeploymentNotFound", message: "The API deployment for this resource does not exist." }),
      { ...ctx, kind: "azure" },
    );
    assert.equal(az.error.code, "PROVIDER_MODEL_NOT_FOUND");
    assert.match(az.error.message, /deployment "gpt-4o"/);
    const ollama = classifyUpstreamError(
      new UpstreamHttpError(404, { error: 'model "llama3" not found, try pulling it first' }, new Headers()),
      ctx,
    );
    assert.equal(ollama.error.code, "PROVIDER_MODEL_NOT_FOUND");
    const wrongPath = classifyUpstreamError(
      apiError(404, { message: "Invalid URL (GET /v1/models)", type: "invalid_request_error" }),
      ctx,
    );
    assert.equal(wrongPath.error.code, "PROVIDER_ERROR");
    const bare = classifyUpstreamError(apiError(404, undefined), ctx);
    assert.equal(bare.error.code, "PROVIDER_ERROR");
    assert.match(bare.error.hint ?? "", /base URL/);
  });

  it("429 is retryable with its retry-after; insufficient_quota is not", () => {
    const c = classifyUpstreamError(
      apiError(429, { code: "rate_limit_exceeded", message: "slow down" }, { "retry-after": "2" }),
      ctx,
    );
    assert.equal(c.error.code, "PROVIDER_RATE_LIMITED");
    assert.equal(c.retryable, true);
    assert.equal(c.retryAfterMs, 2_000);
    const q = classifyUpstreamError(
      apiError(429, { code: "insufficient_quota", message: "You exceeded your current quota" }),
      ctx,
    );
    assert.equal(q.error.code, "PROVIDER_RATE_LIMITED");
    assert.equal(q.retryable, false);
    assert.match(q.error.message, /no quota left/);
  });

  it("5xx are retryable: 500 → PROVIDER_ERROR, 503 → PROVIDER_UNREACHABLE, 504 → PROVIDER_TIMEOUT", () => {
    const e500 = classifyUpstreamError(apiError(500, { message: "boom" }), ctx);
    assert.deepEqual([e500.error.code, e500.retryable], ["PROVIDER_ERROR", true]);
    const e503 = classifyUpstreamError(apiError(503, undefined), ctx);
    assert.deepEqual([e503.error.code, e503.retryable], ["PROVIDER_UNREACHABLE", true]);
    const e504 = classifyUpstreamError(apiError(504, undefined), ctx);
    assert.deepEqual([e504.error.code, e504.retryable], ["PROVIDER_TIMEOUT", true]);
  });

  it("400 quotes the (redacted) upstream message and is not retried", () => {
    registerSecret("sk-unit-secret-abcdef123456");
    const c = classifyUpstreamError(apiError(400, { message: "bad param near sk-unit-secret-abcdef123456" }), ctx);
    assert.equal(c.error.code, "PROVIDER_ERROR");
    assert.equal(c.retryable, false);
    assert.match(c.error.message, /rejected the request \(400\): bad param near \*\*\*/);
  });

  it("connection refused → PROVIDER_UNREACHABLE naming host and reason, retryable", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const c = classifyUpstreamError(new UpstreamConnectionError(new TypeError("fetch failed", { cause })), ctx);
    assert.equal(c.error.code, "PROVIDER_UNREACHABLE");
    assert.equal(c.error.message, "Cannot reach the AI service at api.example.com (connection refused).");
    assert.equal(c.retryable, true);
  });

  it("DNS failure and untrusted certificates get their own words", () => {
    const dns = classifyUpstreamError(
      new UpstreamConnectionError(Object.assign(new Error("x"), { code: "ENOTFOUND" })),
      ctx,
    );
    assert.match(dns.error.message, /host name not found/);
    const tls = classifyUpstreamError(
      new UpstreamConnectionError(Object.assign(new Error("x"), { code: "SELF_SIGNED_CERT_IN_CHAIN" })),
      ctx,
    );
    assert.match(tls.error.message, /not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/);
    assert.match(tls.error.hint ?? "", /AICOCKPIT_CA_FILE/);
    assert.equal(tls.retryable, false);
  });

  it("our timeout → PROVIDER_TIMEOUT with the limit in seconds; undici's idle-body timeout too", () => {
    const c = classifyUpstreamError(new UpstreamTimeout(), ctx);
    assert.equal(c.error.code, "PROVIDER_TIMEOUT");
    assert.match(c.error.message, /did not answer within 30\.0 s/);
    assert.equal(c.retryable, false);
    const idle = classifyUpstreamError(
      Object.assign(new Error("Body Timeout Error"), { code: "UND_ERR_BODY_TIMEOUT" }),
      ctx,
    );
    assert.equal(idle.error.code, "PROVIDER_TIMEOUT");
    assert.match(idle.error.message, /stopped sending data/);
  });

  it("reads error details from vLLM-style, FastAPI-style and plain-text bodies", () => {
    const vllm = classifyUpstreamError(
      new UpstreamHttpError(
        404,
        { object: "error", message: "The model `x` does not exist.", code: 404 },
        new Headers(),
      ),
      ctx,
    );
    assert.equal(vllm.error.code, "PROVIDER_MODEL_NOT_FOUND");
    const fastapi = classifyUpstreamError(
      new UpstreamHttpError(422, { detail: "field required: messages" }, new Headers()),
      ctx,
    );
    assert.match(fastapi.error.message, /\(422\): field required: messages/);
    const text = classifyUpstreamError(new UpstreamHttpError(400, "bad things", new Headers()), ctx);
    assert.match(text.error.message, /\(400\): bad things/);
  });

  it("bad JSON → PROVIDER_BAD_RESPONSE; mid-body drop → PROVIDER_UNREACHABLE", () => {
    assert.equal(classifyUpstreamError(new BadResponse("x"), ctx).error.code, "PROVIDER_BAD_RESPONSE");
    assert.equal(classifyUpstreamError(new SyntaxError("Unexpected token"), ctx).error.code, "PROVIDER_BAD_RESPONSE");
    const drop = classifyUpstreamError(
      new TypeError("terminated", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }),
      ctx,
    );
    assert.equal(drop.error.code, "PROVIDER_UNREACHABLE");
    assert.match(drop.error.message, /dropped before the response was complete/);
  });

  it("AppErrors pass through untouched", () => {
    const e = new AppError("NO_PROVIDER", "none");
    assert.equal(classifyUpstreamError(e, ctx).error, e);
  });
});

describe("parseRetryAfter / causeCode", () => {
  it("reads retry-after-ms, seconds, and HTTP dates", () => {
    assert.equal(parseRetryAfter(new Headers({ "retry-after-ms": "250" })), 250);
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "3" })), 3_000);
    const d = parseRetryAfter(new Headers({ "retry-after": new Date(Date.now() + 5_000).toUTCString() }));
    assert.ok(d !== undefined && d > 3_000 && d <= 5_000, String(d));
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "soon" })), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it("finds the system code deep in a cause chain", () => {
    assert.equal(
      causeCode(
        new Error("a", { cause: new Error("b", { cause: Object.assign(new Error("c"), { code: "ECONNRESET" }) }) }),
      ),
      "ECONNRESET",
    );
    assert.equal(causeCode(new Error("plain")), undefined);
  });
});
