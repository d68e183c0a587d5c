import { createHash } from "node:crypto";

/** `SHA256:<base64 without padding>` of a host key blob, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

export const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The key type named inside an SSH public key blob (first length-prefixed string). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return "unknown";
  const n = keyBlob.readUInt32BE(0);
  if (n <= 0 || n > 64 || 4 + n > keyBlob.length) return "unknown";
  return keyBlob.subarray(4, 4 + n).toString("latin1");
}
