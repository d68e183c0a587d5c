/**
 * An http.Agent that reaches a remote Docker Engine through the host layer's pooled SSH
 * connection (server/hosts/pool.ts): every HTTP connection is a new `docker system
 * dial-stdio` channel on it. dockerode's own ssh protocol does a full SSH handshake (key
 * exchange + auth) per request, which made each list/inspect cost a few hundred
 * milliseconds; a channel costs one round trip. Host keys, auth, jump hosts, keepalive and
 * reconnects are the pool's business.
 */
import { Agent, type ClientRequestArgs } from "node:http";
import type { Duplex } from "node:stream";
import type { SshPool } from "../hosts/pool";
import { AppError } from "../errors";

/** Host-layer errors in the workspace contract's codes (clients of /api/workspaces switch on them). */
export function asWorkspaceHostError(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  switch (err.code) {
    case "HOST_KEY_CHANGED":
    case "HOST_KEY_UNKNOWN":
    case "HOST_KEY_REVOKED":
      return new AppError(
        "WORKSPACE_HOST_KEY_REJECTED",
        err.message,
        err.hint ?? "Verify the host key out of band and update the host's fingerprint.",
      );
    case "HOST_UNKNOWN":
      return new AppError("WORKSPACE_HOST_UNKNOWN", err.message, err.hint);
    case "HOST_UNREACHABLE":
    case "HOST_AUTH_FAILED":
    case "HOST_SECRET_REQUIRED":
    case "HOST_CONNECTION_LOST":
      return new AppError("WORKSPACE_HOST_UNREACHABLE", err.message, err.hint);
    default:
      return err;
  }
}

export class SshDialAgent extends Agent {
  constructor(
    private readonly pool: SshPool,
    private readonly hostId: string,
  ) {
    // No keep-alive: an SSH channel is not a socket that can be parked; channels are cheap.
    super({ keepAlive: false });
  }

  override createConnection(
    _options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    const done = callback ?? (() => undefined);
    this.pool.channel(this.hostId, "docker system dial-stdio").then(
      (channel) => done(null, channel),
      (err: unknown) => done(asWorkspaceHostError(err) as Error, undefined as unknown as Duplex),
    );
    return undefined;
  }

  close(): void {
    this.destroy();
  }
}
