/**
 * Per-request SSH secrets for the container routes and their terminal: the client sends the
 * key passphrase / password of the host and its jump hops (from its SecretStorage) in the
 * `X-AiCockpit-Host-Credentials` header as base64 JSON (`CredentialsByHost`), the same map
 * `POST /api/hosts/:id/test` and the gateway take in their bodies. A header works for GET
 * routes and WebSocket upgrades alike. The secrets only open the pooled SSH connection; they
 * are never logged, echoed in errors, or stored.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { CredentialsByHost } from "../api/hosts";
import { HOST_CREDENTIALS_HEADER } from "../api/containers";
import type { AppContext } from "../context";
import { AppError } from "../errors";
import { credentials as CredentialsSchema } from "./routes/hosts";

const MAX_HEADER_CHARS = 32_768;

export function credentialsFromHeaders(headers: IncomingHttpHeaders): CredentialsByHost | undefined {
  const raw = headers[HOST_CREDENTIALS_HEADER.toLowerCase()];
  if (raw === undefined || raw === "") return undefined;
  const bad = () =>
    new AppError(
      "BAD_REQUEST",
      `${HOST_CREDENTIALS_HEADER} must be base64 JSON {"<host id>": {"passphrase"?: string, "password"?: string}}.`,
    );
  if (typeof raw !== "string" || raw.length > MAX_HEADER_CHARS) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
  } catch {
    throw bad(); // never the parser's message: it may quote the secret
  }
  const parsed = CredentialsSchema.safeParse(value);
  if (!parsed.success || parsed.data === undefined) throw bad();
  return parsed.data;
}

/**
 * Opens (or reuses) the pooled SSH connection, with the request's secrets if any, so that the
 * engine behind it (dial-stdio over that same connection) needs none — and so that a missing
 * secret or an untrusted key answers with the host layer's own code (HOST_SECRET_REQUIRED,
 * HOST_KEY_UNKNOWN…) that the client acts on. Nothing to do for `local`.
 */
export async function connectWithCredentials(
  ctx: AppContext,
  host: string,
  credentials: CredentialsByHost | undefined,
): Promise<void> {
  if (host === "local") return;
  await (await ctx.hosts()).pool.connection(host, credentials);
}
