/**
 * Files that must never reach an AI service, neither as the file being edited nor as a
 * context snippet. Matching is by base name (any directory), plus a content check for
 * private-key blocks so a key pasted into an innocent file name is not sent either.
 */

const SECRET_NAME_PATTERNS: readonly RegExp[] = [
  /^\.env(\..*)?$/i, // .env, .env.local, .env.production …
  /\.pem$/i,
  /\.key$/i,
  /^id_(rsa|dsa|ecdsa|ed25519)(\..*)?$/i, // SSH private (and public) keys
  /\.(p12|pfx|keystore|jks)$/i,
  /^\.(netrc|pgpass)$/i,
];

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

export function baseName(filepath: string): string {
  const parts = filepath.replace(/\\/g, "/").split("/");
  return parts[parts.length - 1] ?? "";
}

export function isSecretPath(filepath: string): boolean {
  const name = baseName(filepath);
  return SECRET_NAME_PATTERNS.some((re) => re.test(name));
}

export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY_BLOCK.test(text);
}
