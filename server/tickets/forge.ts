/**
 * Draft pull requests through the GitHub REST API (`POST /repos/{owner}/{repo}/pulls`); the
 * base URL is configurable for GitHub Enterprise (`https://host/api/v3`) and compatible
 * forges. A PR that already exists for the branch answers with its URL. The token goes in
 * the Authorization header only; answers are bounded and their messages quoted, never the
 * token.
 */
import { AppError } from "../errors";

export interface PullRequestInput {
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  head: string;
  base: string;
  title: string;
  body: string;
  signal?: AbortSignal;
}

export interface PullRequestResult {
  url: string;
  number?: number;
  created: boolean;
}

const TIMEOUT_MS = 30_000;
const MAX_BODY = 1024 * 1024;

async function call(
  method: "GET" | "POST",
  url: string,
  token: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${token}`,
        "x-github-api-version": "2022-11-28",
        "user-agent": "AiCockpit",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: "error",
    });
  } catch (e) {
    if (signal?.aborted) throw new AppError("CANCELLED", "Opening the pull request was cancelled.");
    throw new AppError(
      "FORGE_UNREACHABLE",
      `The forge API at ${new URL(url).origin} did not answer: ${(e as Error).message}.`,
    );
  }
  const text = (await res.text()).slice(0, MAX_BODY);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers };
}

/** GitHub's error body: `message` plus `errors[]` whose entries carry a `message` or a `field`/`code` pair. */
function messageOf(json: unknown): string {
  const j = json as
    { message?: unknown; errors?: { message?: unknown; field?: unknown; code?: unknown }[] } | undefined;
  const parts = [typeof j?.message === "string" ? j.message : ""];
  for (const e of Array.isArray(j?.errors) ? j.errors : []) {
    if (typeof e?.message === "string") parts.push(e.message);
    else if (typeof e?.field === "string" && typeof e.code === "string") parts.push(`${e.field}: ${e.code}`);
  }
  return parts
    .filter((p) => p !== "")
    .join("; ")
    .replace(/[\u0000-\u001f]/g, " ")
    .slice(0, 500);
}

/**
 * A 403 (or 429) means one of three things on GitHub, told apart by its headers and wording:
 * the rate limit (`x-ratelimit-remaining: 0`, or "rate limit" / `retry-after` for the secondary
 * limit), an organisation's SAML SSO not yet authorised for the token (`x-github-sso`), or a
 * token without the right scope or repository access.
 */
function forbidden(status: number, msg: string, headers: Headers, where: string): AppError {
  const detail = `${status}${msg ? `: ${msg}` : ""}`;
  const remaining = headers.get("x-ratelimit-remaining");
  const retryAfter = headers.get("retry-after");
  if (status === 429 || remaining === "0" || /rate limit/i.test(msg)) {
    const reset = Number(headers.get("x-ratelimit-reset"));
    const when =
      retryAfter !== null && /^\d{1,6}$/.test(retryAfter)
        ? `in ${retryAfter} s`
        : Number.isFinite(reset) && reset > 0
          ? `after ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`
          : "later";
    return new AppError(
      "FORGE_FORBIDDEN",
      `The forge's API rate limit is exhausted (${detail}).`,
      `Retry ${when} (run Dev again: it finds the pushed branch and opens the pull request).`,
    );
  }
  const sso = headers.get("x-github-sso");
  if (sso !== null || /SAML|SSO/.test(msg)) {
    const url = /url=(https:\/\/[^\s;,]+)/.exec(sso ?? "")?.[1];
    return new AppError(
      "FORGE_FORBIDDEN",
      `The organisation of ${where} enforces SAML single sign-on and the token is not authorised for it (${detail}).`,
      `Authorise the token for the organisation${url ? ` at ${url.slice(0, 300)}` : " (GitHub → Settings → Tokens → Configure SSO)"}, then run Dev again.`,
    );
  }
  return new AppError(
    "FORGE_FORBIDDEN",
    `The token may not open pull requests on ${where} (${detail}).`,
    "Give the token write access to pull requests (fine-grained: Pull requests → Read and write) for this repository.",
  );
}

export async function openDraftPullRequest(p: PullRequestInput): Promise<PullRequestResult> {
  const base = `${p.apiUrl.replace(/\/+$/, "")}/repos/${encodeURIComponent(p.owner)}/${encodeURIComponent(p.repo)}/pulls`;
  const r = await call(
    "POST",
    base,
    p.token,
    { title: p.title, head: p.head, base: p.base, body: p.body, draft: true },
    p.signal,
  );
  const json = r.json as { html_url?: unknown; number?: unknown } | undefined;
  if (r.status === 201 && typeof json?.html_url === "string")
    return { url: json.html_url, created: true, ...(typeof json.number === "number" ? { number: json.number } : {}) };
  const msg = messageOf(r.json);
  const where = `${p.owner}/${p.repo}`;
  if (r.status === 401)
    throw new AppError(
      "FORGE_AUTH_FAILED",
      `The forge rejected the token (401${msg ? `: ${msg}` : ""}).`,
      "Set a valid GitHub token (AiCockpit: Set GitHub Token); it needs the repo / pull requests scope.",
    );
  if (r.status === 403 || r.status === 429) throw forbidden(r.status, msg, r.headers, where);
  if (r.status === 404)
    throw new AppError(
      "FORGE_FORBIDDEN",
      `The forge does not show ${where} to this token (404${msg ? `: ${msg}` : ""}).`,
      "Check the repository's owner/name and that the token may see it (private repositories answer 404 without access).",
    );
  if (r.status === 422 && /already exists/i.test(msg)) {
    const q = `${base}?state=open&head=${encodeURIComponent(`${p.owner}:${p.head}`)}`;
    const found = await call("GET", q, p.token, undefined, p.signal);
    const first = Array.isArray(found.json) ? (found.json[0] as { html_url?: unknown; number?: unknown }) : undefined;
    if (typeof first?.html_url === "string")
      return {
        url: first.html_url,
        created: false,
        ...(typeof first.number === "number" ? { number: first.number } : {}),
      };
    throw new AppError(
      "FORGE_REJECTED",
      `A pull request for ${p.head} already exists, but it could not be found: ${msg}.`,
    );
  }
  if (r.status === 422)
    throw new AppError(
      "FORGE_REJECTED",
      `The forge refused the pull request (422 validation failed): ${msg || "unprocessable"}.`,
      "Check that the base branch exists on the forge and that the branch has commits it does not.",
    );
  throw new AppError("FORGE_REJECTED", `The forge answered ${r.status}${msg ? `: ${msg}` : ""}.`);
}
