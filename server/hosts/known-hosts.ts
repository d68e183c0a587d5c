/**
 * OpenSSH known_hosts files, read the way `ssh` reads them (sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT"): `[marker] hostpatterns keytype base64key [comment]`, where hostpatterns is a
 * comma list with `*`/`?` wildcards and `!` negation, `[host]:port` for a port other than 22,
 * or one hashed `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` entry; markers `@revoked`
 * and `@cert-authority`. Files are bounded (4 MiB) and unparseable lines are skipped.
 */
import { createHmac } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { sshFingerprint } from "./fingerprint";

export const MAX_KNOWN_HOSTS_BYTES = 4 * 1024 * 1024;

export interface KnownHostEntry {
  marker?: "revoked" | "cert-authority";
  /** The host field as written (a pattern list or one hashed name). */
  hosts: string;
  hashed: boolean;
  keyType: string;
  keyBlob: Buffer;
  fingerprint: string;
  file: string;
  line: number;
}

export function parseKnownHosts(text: string, file = "known_hosts"): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    const raw = line.trim();
    if (raw === "" || raw.startsWith("#")) continue;
    const f = raw.split(/[ \t]+/);
    let marker: KnownHostEntry["marker"];
    if (raw.startsWith("@")) {
      const m = f.shift();
      if (m === "@revoked") marker = "revoked";
      else if (m === "@cert-authority") marker = "cert-authority";
      else continue; // an unknown marker: OpenSSH ignores the line too
    }
    const [hosts, keyType, b64] = f;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const keyBlob = Buffer.from(b64, "base64");
    if (keyBlob.length < 16) continue;
    out.push({
      ...(marker ? { marker } : {}),
      hosts,
      hashed: hosts.startsWith("|1|"),
      keyType,
      keyBlob,
      fingerprint: sshFingerprint(keyBlob),
      file,
      line: i + 1,
    });
  }
  return out;
}

/** The name known_hosts uses for host:port. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return re.test(name);
}

function hashedMatch(field: string, name: string): boolean {
  const [, version, salt, want, ...extra] = field.split("|"); // "", "1", salt, hash
  if (version !== "1" || salt === undefined || want === undefined || extra.length > 0) return false;
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === want;
}

/** Whether an entry's host field names host:port (a negated pattern that matches excludes it). */
export function entryMatches(entry: Pick<KnownHostEntry, "hosts" | "hashed">, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hashed) return hashedMatch(entry.hosts, name);
  let hit = false;
  for (const p of entry.hosts.split(",")) {
    if (p.startsWith("!")) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) hit = true;
  }
  return hit;
}

/** Every entry of these files that names host:port (missing files are simply empty). */
export function lookupKnownHosts(files: readonly string[], host: string, port: number): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      if (statSync(file).size > MAX_KNOWN_HOSTS_BYTES) continue;
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const e of parseKnownHosts(text, file)) if (entryMatches(e, host, port)) out.push(e);
  }
  return out;
}
