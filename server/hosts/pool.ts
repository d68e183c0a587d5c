/**
 * Pooled SSH connections, one per host (through its jump hosts), shared by every feature.
 * TODO(bodies land in the next commits): signatures are the published API.
 */
import type { ClientChannel } from "ssh2";
import type { CredentialsByHost, HostCredentials, TestHostResult } from "../api/hosts";
import { AppError } from "../http/errors";
import type { HostRegistry } from "./registry";
import type { ExecOptions, ExecResult, PoolOptions } from "./types";

export class SshPool {
  constructor(
    readonly registry: HostRegistry,
    readonly options: PoolOptions = {},
  ) {}

  /** Runs argv on the host (quoted for its POSIX shell, `exec`-prefixed, own process group). */
  async exec(hostId: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    void hostId, argv, opts;
    throw new AppError("INTERNAL", "SshPool.exec: not implemented yet");
  }

  /** A raw exec channel (e.g. `docker system dial-stdio` for workspaces); holds one of the 8 slots until it closes. */
  async channel(hostId: string, command: string, opts: { credentials?: CredentialsByHost | HostCredentials } = {}): Promise<ClientChannel> {
    void hostId, command, opts;
    throw new AppError("INTERNAL", "SshPool.channel: not implemented yet");
  }

  /** Handshake (+ login when the key is trusted): key status, fingerprint, whether auth works. */
  async test(hostId: string, credentials?: CredentialsByHost): Promise<TestHostResult> {
    void hostId, credentials;
    throw new AppError("INTERNAL", "SshPool.test: not implemented yet");
  }

  /** Closes the host's pooled connection (host changed or removed). */
  drop(hostId: string): void {
    void hostId;
  }

  /** Closes every connection (shutdown, tests). */
  close(): void {}
}
