/**
 * Quoting for the remote POSIX shell. SSH has no argv: the server hands one string to the
 * user's login shell (`$SHELL -c <string>`), so every argument is single-quoted unless it
 * is made only of characters no shell treats specially. A NUL byte cannot cross at all.
 */
import { AppError } from "../errors";

const SAFE = /^[A-Za-z0-9_/.,:=@%+^-]+$/;

export function quotePosix(arg: string): string {
  if (arg.includes("\0"))
    throw new AppError("BAD_REQUEST", "A command argument contains a NUL byte, which no remote shell can receive.");
  if (arg !== "" && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `exec 'a' 'b' …`: `exec` so the shell is replaced and its pid (the session's process group) is the command's. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new AppError("BAD_REQUEST", "An empty command cannot run.");
  return `exec ${argv.map(quotePosix).join(" ")}`;
}
