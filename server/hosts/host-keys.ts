/**
 * The host key decision, one place for every connection and every hop:
 *   1. a key listed `@revoked` for the host (use the pattern `*` to revoke it everywhere) → revoked;
 *   2. a pinned fingerprint: equal → trusted; different → changed (never auto-accepted);
 *   3. known_hosts: a plain entry with this key → trusted; entries for the host with other
 *      keys of the SAME type → changed; otherwise → unknown (the user decides, then we pin).
 * `@cert-authority` lines are recognised but host certificates are not verified here: such a
 * host counts as unknown until its key is pinned.
 */
import { AppError } from "../errors";
import type { HostKeyStatus, HostView } from "../api/hosts";
import { keyTypeOf, sshFingerprint } from "./fingerprint";
import { lookupKnownHosts } from "./known-hosts";

export interface HostKeyVerdict {
  status: HostKeyStatus;
  fingerprint: string;
  keyType: string;
  trustedBy?: "pinned" | "known_hosts";
  /** The fingerprint that was expected (pin or known_hosts) when changed. */
  expected?: string;
  note?: string;
}

export function judgeHostKey(
  host: Pick<HostView, "host" | "port" | "hostFingerprint">,
  keyBlob: Buffer,
  knownHostsFiles: readonly string[],
): HostKeyVerdict {
  const fingerprint = sshFingerprint(keyBlob);
  const keyType = keyTypeOf(keyBlob);
  const entries = lookupKnownHosts(knownHostsFiles, host.host, host.port);
  if (entries.some((e) => e.marker === "revoked" && e.fingerprint === fingerprint))
    return { status: "revoked", fingerprint, keyType };
  if (host.hostFingerprint) {
    return host.hostFingerprint === fingerprint
      ? { status: "trusted", fingerprint, keyType, trustedBy: "pinned" }
      : { status: "changed", fingerprint, keyType, expected: host.hostFingerprint };
  }
  const plain = entries.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.fingerprint === fingerprint))
    return { status: "trusted", fingerprint, keyType, trustedBy: "known_hosts" };
  const sameType = plain.find((e) => e.keyType === keyType);
  if (sameType)
    return {
      status: "changed",
      fingerprint,
      keyType,
      expected: sameType.fingerprint,
      note: `${sameType.file}:${sameType.line}`,
    };
  const ca = entries.some((e) => e.marker === "cert-authority");
  return {
    status: "unknown",
    fingerprint,
    keyType,
    ...(ca ? { note: "a @cert-authority entry matches, but host certificates are not checked: pin the key" } : {}),
  };
}

/** An AppError for a refused host key, with the facts a client shows. */
export class HostKeyError extends AppError {
  constructor(
    readonly hostId: string,
    readonly verdict: HostKeyVerdict,
    where: string,
  ) {
    const v = verdict;
    if (v.status === "unknown") {
      super(
        "HOST_KEY_UNKNOWN",
        `The SSH host key of ${where} is not known: ${v.keyType} ${v.fingerprint}.`,
        `Compare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub there), then trust it (POST /api/hosts/${hostId}/trust).`,
      );
    } else if (v.status === "changed") {
      super(
        "HOST_KEY_CHANGED",
        `WARNING: the SSH host key of ${where} has CHANGED (now ${v.keyType} ${v.fingerprint}, expected ${v.expected ?? "another key"}${v.note ? ` from ${v.note}` : ""}). Someone may be intercepting the connection; it was refused.`,
        "If the host was really reinstalled, verify the new key out of band and replace the pinned fingerprint.",
      );
    } else {
      super(
        "HOST_KEY_REVOKED",
        `The SSH host key of ${where} (${v.fingerprint}) is marked @revoked in known_hosts; the connection was refused.`,
        "Ask the host's administrator for its current key.",
      );
    }
  }
}
