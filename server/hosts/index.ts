/**
 * The host layer: every feature that reaches a machine over SSH goes through here.
 *
 *   const hosts = new HostRegistry(dataDir);          // hosts.json (migrates workspace-hosts.json)
 *   const pool = new SshPool(hosts, { knownHostsFiles });
 *   const r = await pool.exec("build-box", ["docker", "ps", "--format", "{{json .}}"],
 *     { timeoutMs: 30_000, signal, onStdout, onStderr, maxOutputBytes: 1 << 20 });
 *   // r: { exitCode, signal, stdout, stderr, truncated: {stdout, stderr}, durationMs }
 *
 * Errors are AppErrors with codes HOST_UNKNOWN, HOST_UNREACHABLE, HOST_AUTH_FAILED,
 * HOST_SECRET_REQUIRED, HOST_KEY_UNKNOWN (message carries the fingerprint), HOST_KEY_CHANGED,
 * HOST_KEY_REVOKED, HOST_CONNECTION_LOST (dropped mid-command: the gateway's CONNECTION_ERROR),
 * HOST_COMMAND_TIMEOUT (the gateway's TIMEOUT), CANCELLED. A non-zero exit is NOT an error.
 */
export type { ExecOptions, ExecResult, PoolOptions } from "./types";
export type {
  HostAuth,
  HostInput,
  HostView,
  HostCredentials,
  CredentialsByHost,
  HostKeyStatus,
  TestHostResult,
} from "./types";
export { HostRegistry, LOCAL_HOST, HOST_ID_PATTERN } from "./registry";
export { SshPool } from "./pool";
export { quoteArgv, quotePosix } from "./quote";
export { sshFingerprint } from "./fingerprint";
export { createHosts, type Hosts } from "./service";
