/**
 * Remote hosts over SSH (server/hosts/): the registry every feature uses (workspaces, the
 * command gateway, host tasks, tickets). Running commands is NOT an HTTP route: features
 * call the hosts module; this contract only manages hosts and their trust.
 *
 * Secrets (key passphrases, passwords) live in the extension's SecretStorage and travel
 * per request in `credentials`; the backend keeps them in memory only for the handshake.
 */

/** How the backend authenticates to a host. */
export type HostAuth =
  /** A private key file on the backend's machine; an encrypted one needs `credentials.passphrase`. */
  | { kind: "key"; privateKeyPath: string }
  /** The backend's ssh-agent (`SSH_AUTH_SOCK`). Agent forwarding is always off. */
  | { kind: "agent" }
  /** A password sent per request (`credentials.password`). */
  | { kind: "password" };

export interface HostInput {
  /** Host name or address. */
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  auth: HostAuth;
  /** Jump hosts (ProxyJump), ids of other registered hosts, first hop first. Each hop's key is verified. */
  jump?: string[];
  /** Pinned host key, `SHA256:…` as `ssh-keygen -lf` prints it. Without it, known_hosts decides. */
  hostFingerprint?: string;
  /** List this host's Docker workspaces in the Workspaces view. */
  workspaces?: boolean;
}

export interface HostView extends HostInput {
  id: string;
  port: number;
  /** Where the entry came from. */
  source: "manual" | "ssh-config" | "workspace-hosts";
}

export interface HostList {
  hosts: HostView[];
}

/** `POST /api/hosts`: a new host with a client-chosen id (lowercase, `[a-z0-9_.-]`, ≤ 48; "local" is reserved). */
export interface AddHostRequest extends HostInput {
  id: string;
}

/** `PATCH /api/hosts/:id`: fields to change; `hostFingerprint: null` unpins. */
export type HostPatch = Partial<Omit<HostInput, "hostFingerprint">> & { hostFingerprint?: string | null };

/** Per-request secrets, per host id (jump hops have their own). Never stored, never logged. */
export interface HostCredentials {
  passphrase?: string;
  password?: string;
}
export type CredentialsByHost = Record<string, HostCredentials>;

export interface TestHostRequest {
  credentials?: CredentialsByHost;
}

/**
 * What a connection test saw. `trusted`: the key matches the pin or known_hosts; `unknown`:
 * nothing vouches for it (show `fingerprint` to the user, then `POST …/trust`); `changed`:
 * it differs from the pin/known_hosts (refused, never auto-accepted); `revoked`: `@revoked`.
 */
export type HostKeyStatus = "trusted" | "unknown" | "changed" | "revoked";

export interface TestHostResult {
  hostId: string;
  /** The hop the result is about (a jump host when the chain failed there). */
  at: string;
  keyStatus: HostKeyStatus;
  /** `SHA256:…` of the key the server presented. */
  fingerprint: string;
  keyType: string;
  /** Where the trust came from when `trusted`. */
  trustedBy?: "pinned" | "known_hosts" | "cert-authority";
  /** true when the login succeeded (only tried with a trusted key). */
  authenticated: boolean;
  latencyMs: number;
  /** Why login failed or was not tried (e.g. HOST_AUTH_FAILED, HOST_SECRET_REQUIRED). */
  error?: { code: string; message: string; hint?: string };
}

/** `POST /api/hosts/:id/trust`: pin the fingerprint the user saw. A key that CHANGED needs `replace: true`. */
export interface TrustHostRequest {
  fingerprint: string;
  replace?: boolean;
}

/** `POST /api/hosts/import-ssh-config`: candidates from `~/.ssh/config` (nothing is added). */
export interface SshConfigImportRequest {
  /** Only these `Host` aliases (default: every concrete alias). */
  aliases?: string[];
}

export interface HostCandidate extends AddHostRequest {
  /** The `Host` alias in the config. */
  alias: string;
  /** Fingerprint already known from known_hosts, if any (informational; trust still goes through test). */
  knownHostsFingerprint?: string;
}

export interface SshConfigImportResult {
  candidates: HostCandidate[];
  /** Files read (config + includes) and entries skipped, with why. */
  files: string[];
  warnings: string[];
}
