/**
 * Pooled SSH connections, one per host (through its jump hosts), shared by every feature:
 * keepalive every 15 s, closed after 60 s without an open channel, at most 8 channels at a
 * time (the 9th waits), and reconnected on next use after a drop. A host changed or removed
 * in the registry loses its connection at once.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { ClientChannel } from "ssh2";
import type { CredentialsByHost, HostView, TestHostResult } from "../api/hosts";
import { AppError } from "../errors";
import { log } from "../log";
import { PooledConnection } from "./connection";
import { notStarted, runOnConnection } from "./exec";
import { HostKeyError, type HostKeyVerdict } from "./host-keys";
import { connectChain, failedHop, ProbeDone } from "./jump";
import type { HostRegistry } from "./registry";
import type { ExecOptions, ExecResult, PoolOptions } from "./types";

type Resolved = Required<Omit<PoolOptions, "agentSocket">> & { agentSocket: string | undefined };

export class SshPool {
  private readonly conns = new Map<string, PooledConnection>();
  private readonly pending = new Map<string, Promise<PooledConnection>>();
  readonly options: Resolved;
  private readonly unsubscribe: () => void;

  constructor(
    readonly registry: HostRegistry,
    options: PoolOptions = {},
  ) {
    this.options = {
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
      idleCloseMs: options.idleCloseMs ?? 60_000,
      maxChannelsPerConnection: options.maxChannelsPerConnection ?? 8,
      readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
      killGraceMs: options.killGraceMs ?? 5_000,
      knownHostsFiles: options.knownHostsFiles ?? [join(homedir(), ".ssh", "known_hosts")],
      agentSocket: options.agentSocket ?? process.env.SSH_AUTH_SOCK,
    };
    this.unsubscribe = registry.onChange((c) => {
      this.drop(c.id);
      // a jump host changed: every connection through it goes too
      for (const h of registry.list()) if (h.jump?.includes(c.id)) this.drop(h.id);
    });
  }

  /** The pooled connection to a host, opened (or reopened) when needed. */
  async connection(hostId: string, credentials?: CredentialsByHost): Promise<PooledConnection> {
    const live = this.conns.get(hostId);
    if (live && !live.closed) return live;
    const inflight = this.pending.get(hostId);
    if (inflight) return inflight;
    const chain = this.registry.chain(hostId);
    const p = connectChain(chain, { ...this.common(), credentials })
      .then((ch) => {
        const conn = new PooledConnection(
          hostId,
          ch,
          this.options.maxChannelsPerConnection,
          this.options.idleCloseMs,
          (c) => {
            if (this.conns.get(hostId) === c) this.conns.delete(hostId);
          },
        );
        this.conns.set(hostId, conn);
        log.debug("ssh connection opened", { host: hostId, hops: chain.length });
        return conn;
      })
      .finally(() => this.pending.delete(hostId));
    this.pending.set(hostId, p);
    return p;
  }

  private common() {
    return {
      knownHostsFiles: this.options.knownHostsFiles,
      agentSocket: this.options.agentSocket,
      readyTimeoutMs: this.options.readyTimeoutMs,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs,
    };
  }

  /** Runs argv on the host (quoted for its POSIX shell, `exec`-prefixed, own process group). */
  async exec(hostId: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.connection(hostId, opts.credentials);
      try {
        return await runOnConnection(conn, argv, {
          ...opts,
          killGraceMs: this.options.killGraceMs,
          control: (script) => this.control(conn, script),
        });
      } catch (err) {
        // The pooled connection died before the command started (server restart, idle cut by
        // a firewall): nothing ran, so one retry on a fresh connection is safe.
        if (
          attempt === 0 &&
          notStarted.has(err as object) &&
          err instanceof AppError &&
          err.code === "HOST_CONNECTION_LOST"
        )
          continue;
        throw err;
      }
    }
  }

  /** A short command on a control channel (may exceed the channel budget). */
  private async control(conn: PooledConnection, script: string): Promise<void> {
    await conn.acquire(undefined, true);
    const ch = await conn.openExec(script);
    await new Promise<void>((resolve) => {
      ch.on("close", () => resolve());
      ch.resume();
      ch.stderr.resume();
      ch.end();
    });
  }

  /** A raw exec channel (e.g. `docker system dial-stdio` for workspaces); holds one of the 8 slots until it closes. */
  async channel(
    hostId: string,
    command: string,
    opts: { credentials?: CredentialsByHost; signal?: AbortSignal } = {},
  ): Promise<ClientChannel> {
    const conn = await this.connection(hostId, opts.credentials);
    await conn.acquire(opts.signal);
    return conn.openExec(command);
  }

  /**
   * Connection test: every hop's key is judged; with a trusted key the login is tried.
   * Nothing is pinned here (POST /api/hosts/:id/trust does that after the user agreed).
   */
  async test(hostId: string, credentials?: CredentialsByHost): Promise<TestHostResult> {
    const chain = this.registry.chain(hostId);
    const started = Date.now();
    const verdicts = new Map<string, HostKeyVerdict>();
    const onVerdict = (hop: HostView, v: HostKeyVerdict) => verdicts.set(hop.id, v);
    const report = (at: string, authenticated: boolean, error?: AppError): TestHostResult => {
      const v = verdicts.get(at);
      return {
        hostId,
        at,
        keyStatus: v?.status ?? "unknown",
        fingerprint: v?.fingerprint ?? "",
        keyType: v?.keyType ?? "",
        ...(v?.trustedBy ? { trustedBy: v.trustedBy } : {}),
        authenticated,
        latencyMs: Date.now() - started,
        ...(error ? { error: error.toApiError() } : {}),
      };
    };
    try {
      const c = await connectChain(chain, { ...this.common(), credentials, onVerdict });
      for (const cl of c.clients.reverse()) cl.end();
      return report(hostId, true);
    } catch (err) {
      if (err instanceof HostKeyError) return report(err.hostId, false, err);
      if (!(err instanceof AppError)) throw err;
      // Login impossible or refused: still show the key of the hop that failed, without logging in.
      const failedAt = failedHop.get(err) ?? hostId;
      if (!verdicts.has(failedAt) && err.code !== "HOST_UNREACHABLE") {
        const upTo = chain.slice(0, chain.findIndex((h) => h.id === failedAt) + 1);
        await connectChain(upTo, { ...this.common(), credentials, onVerdict, probeOnly: true }).then(
          (c) => c.clients.forEach((cl) => cl.end()),
          (e: unknown) => {
            if (!(e instanceof ProbeDone) && !(e instanceof HostKeyError))
              log.debug("host key probe failed", { host: failedAt, error: String(e) });
          },
        );
      }
      return report(failedAt, false, err);
    }
  }
  /** Open channels and waiting callers of a host's live connection (undefined: not connected). */
  stats(hostId: string): { openChannels: number; queued: number } | undefined {
    const c = this.conns.get(hostId);
    return c && !c.closed ? { openChannels: c.openChannels, queued: c.queued } : undefined;
  }

  /** Closes the host's pooled connection (host changed or removed). */
  drop(hostId: string): void {
    this.conns.get(hostId)?.close();
    this.conns.delete(hostId);
  }

  /** Closes every connection (shutdown, tests). */
  close(): void {
    this.unsubscribe();
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
