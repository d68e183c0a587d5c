/**
 * The rule for `auth.privateKeyPath` (issue 10 point 5): a path a client sends must not turn
 * the backend into a file reader. Accepted only when ALL hold, mirroring what OpenSSH itself
 * demands of an identity file plus a refusal of system trees:
 *  - absolute, and neither it nor its real path (symlinks followed) lies under /etc, /proc,
 *    /sys, /dev, /boot or /run — system files are never keys, whatever their content;
 *  - a regular file of at most 64 KiB (keys are a few KiB);
 *  - owned by the backend's own user and not readable/writable by group or others (mode &
 *    0o077 == 0: OpenSSH refuses such "UNPROTECTED PRIVATE KEY FILE"s too);
 *  - its text looks like a private key (a PEM/OpenSSH `-----BEGIN … PRIVATE KEY-----` block
 *    or a PuTTY key file).
 * Errors name the path and the rule broken, never the file's content.
 */
import { lstatSync, openSync, readSync, closeSync, realpathSync, statSync, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { AppError } from "../errors";

const FORBIDDEN_ROOTS = ["/etc", "/proc", "/sys", "/dev", "/boot", "/run"];
export const MAX_KEY_FILE_BYTES = 64 * 1024;
const KEY_HEADER = /^(-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----|PuTTY-User-Key-File-\d+:)/;

function refuse(path: string, why: string): AppError {
  return new AppError(
    "HOST_KEY_FILE_REJECTED",
    `The private key path ${JSON.stringify(path)} is not accepted: ${why}.`,
    "Point it at your own SSH private key (e.g. ~/.ssh/id_ed25519, mode 600).",
  );
}

const under = (p: string, root: string) => p === root || p.startsWith(`${root}/`);

/** Checks the rule; returns the real path. Throws HOST_KEY_FILE_REJECTED. */
export function checkKeyFile(path: string): string {
  if (!isAbsolute(path)) throw refuse(path, "it must be an absolute path");
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    throw refuse(path, `it cannot be opened (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  for (const p of [path, real]) {
    const root = FORBIDDEN_ROOTS.find((r) => under(p, r));
    if (root) throw refuse(path, `files under ${root} are never private keys`);
  }
  lstatSync(path); // exists (realpath already proved it)
  const st = statSync(real);
  if (!st.isFile()) throw refuse(path, "it is not a regular file");
  if (st.size > MAX_KEY_FILE_BYTES) throw refuse(path, `it is larger than ${MAX_KEY_FILE_BYTES} bytes`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw refuse(path, "it is not owned by the user the backend runs as");
  if ((st.mode & 0o077) !== 0)
    throw refuse(path, `its mode ${(st.mode & 0o777).toString(8)} lets group or others access it (use chmod 600)`);
  const fd = openSync(real, "r");
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    if (!KEY_HEADER.test(head.subarray(0, n).toString("latin1").trimStart()))
      throw refuse(path, "it does not look like a private key");
  } finally {
    closeSync(fd);
  }
  return real;
}

/** Checks the rule, then reads the key (bounded). */
export function readKeyFile(path: string): Buffer {
  const real = checkKeyFile(path);
  const data = readFileSync(real);
  if (data.length > MAX_KEY_FILE_BYTES) throw refuse(path, `it is larger than ${MAX_KEY_FILE_BYTES} bytes`);
  return data;
}
