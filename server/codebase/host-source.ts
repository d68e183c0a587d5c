/**
 * A folder on a registered SSH host (no Docker) as an @codebase `FileSource`: the listing
 * (gitignored trees pruned) and batched reads of shell-source.ts, run over the one SSH layer
 * (server/hosts/, pooled connection, host key checked, remote process group ended on cancel
 * or timeout).
 * The host needs a POSIX `sh`, `find`, `printf`, GNU/busybox `stat -c`, `readlink -f` and `head -c`.
 */
import { posix } from "node:path";
import { AppError } from "../errors";
import type { Hosts } from "../hosts";
import { createShellFileSource, resolveShellRoot, type ShellExec } from "./shell-source";
import type { FileSource } from "./types";

/** `sh -c` on the host over the pool (the login shell runs the quoted argv). */
function shellOn(hosts: Hosts, hostId: string): ShellExec {
  return async (script, args, run) => {
    const r = await hosts.pool.exec(hostId, ["sh", "-c", `cd / && ${script}`, "sh", ...args], {
      timeoutMs: run.timeoutMs,
      // The pool keeps at least one byte; reads take their bytes from onStdout.
      maxOutputBytes: Math.max(1, run.maxOutputBytes),
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onStdout ? { onStdout: run.onStdout } : {}),
    });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated.stdout };
  };
}

/** The factory CodebaseService takes for `host_id` roots: the known host, its real folder, a source over it. */
export function hostSourceFactory(hosts: () => Promise<Hosts>) {
  return async (hostId: string, root: string) => {
    const h = await hosts();
    h.registry.require(hostId); // HOST_UNKNOWN before any connection is tried
    if (!root.startsWith("/") || root.includes("\0"))
      throw new AppError("BAD_REQUEST", `The root must be an absolute folder on host ${hostId}, got ${root}.`);
    const exec = shellOn(h, hostId);
    const real = await resolveShellRoot(exec, posix.normalize(root), `host ${hostId}`, true);
    const source: FileSource = createShellFileSource({
      exec,
      root: real,
      description: `host ${hostId}:${real}`,
      where: `host ${hostId}`,
    });
    return { source, hostId, root: real };
  };
}
