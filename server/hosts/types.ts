/** What features see of the hosts module (server/hosts/index.ts re-exports it). */
import type { CredentialsByHost } from "../api/hosts";

export type {
  HostAuth,
  HostInput,
  HostView,
  HostCredentials,
  CredentialsByHost,
  HostKeyStatus,
  TestHostResult,
} from "../api/hosts";

export interface ExecOptions {
  /** For the whole call (a wait for a free channel included): then the remote process group is ended (TERM, KILL 5 s later) and it rejects with HOST_COMMAND_TIMEOUT. Default 30 000. */
  timeoutMs?: number;
  /** Aborting ends the remote process group the same way and rejects with CANCELLED. */
  signal?: AbortSignal;
  /** Streamed chunks as they arrive (also after the cap: the cap bounds only what is kept). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Bytes kept per stream in the result; beyond it `truncated.<stream>` is true. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Secrets for this call (the target and each jump hop), used only if a handshake is needed. */
  credentials?: CredentialsByHost;
  /** Bytes written to the command's stdin, then stdin is closed. Default: stdin closed at once. */
  stdin?: string | Buffer;
  /** Leave stdin open while the command runs (write through `onStarted`'s writer); ignored with `stdin`. */
  keepStdinOpen?: boolean;
  /** The command has started on the host (its process group exists); `write` feeds its stdin if kept open. */
  onStarted?: (write: (data: string | Buffer) => void) => void;
}

export interface ExecResult {
  /** null when the process ended by a signal. */
  exitCode: number | null;
  /** e.g. "TERM", "KILL" (SSH signal names, no SIG prefix); null when it exited. */
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  durationMs: number;
}

/** Pool tuning (defaults follow issue 12; tests shorten them). */
export interface PoolOptions {
  keepaliveIntervalMs?: number; // 15 000
  idleCloseMs?: number; // 60 000
  maxChannelsPerConnection?: number; // 8 (OpenSSH's MaxSessions is 10)
  readyTimeoutMs?: number; // 20 000
  /** TERM → KILL grace for cancelled / timed-out commands. Default 5 000. */
  killGraceMs?: number;
  /** Files consulted for host keys (default ~/.ssh/known_hosts). */
  knownHostsFiles?: string[];
  /** ssh-agent socket for `auth.kind === "agent"` (default process.env.SSH_AUTH_SOCK). */
  agentSocket?: string;
}
