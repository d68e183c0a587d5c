/**
 * Every path an agent names is resolved inside the ticket's folder: relative to it, through
 * realpath (a symlink pointing out is caught), and never into `.git` (hooks and config there
 * would run or redirect git for us).
 */
import { realpathSync, existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

export class PathError extends Error {}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Deepest existing ancestor's realpath + the rest, so a file to be created is checked too. */
function realish(p: string): string {
  let cur = p;
  const rest: string[] = [];
  while (!existsSync(cur)) {
    const parent = dirname(cur);
    if (parent === cur) break;
    rest.unshift(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    cur = parent;
  }
  return resolve(realpathSync(cur), ...rest);
}

/** `root` must already be a realpath. Returns the absolute real path. */
export function resolveInTicket(root: string, given: string): string {
  if (given.includes("\0")) throw new PathError("The path contains a NUL byte.");
  const abs = resolve(root, given === "" ? "." : given);
  if (!inside(root, abs)) throw new PathError(`${given} is outside the ticket's folder.`);
  const real = realish(abs);
  if (!inside(root, real)) throw new PathError(`${given} leads outside the ticket's folder (a symbolic link).`);
  const rel = relative(root, real);
  if (rel === ".git" || rel.startsWith(`.git${sep}`)) throw new PathError("The .git folder is off limits.");
  return real;
}

export function relToTicket(root: string, abs: string): string {
  return relative(root, abs) || ".";
}
