/**
 * Which local folders may be indexed. The backend listens on loopback behind a token (the same
 * trust as completion's `workspaceRoot`), so any absolute folder is allowed — except the
 * filesystem root and the user's home folder (or a folder above it): those hold credentials
 * that no secret-file rule lists (`.aws/credentials`, `.kube/config`) and are not a codebase.
 * The root is resolved once (symlinks included); the local source never follows links out of it.
 */
import { realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, parse, relative } from "node:path";
import { AppError } from "../errors";

function isAtOrAbove(dir: string, other: string): boolean {
  const rel = relative(dir, other);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

export async function resolveLocalRoot(root: string, home = homedir()): Promise<string> {
  if (!isAbsolute(root))
    throw new AppError(
      "CODEBASE_ROOT_INVALID",
      `The codebase root ${JSON.stringify(root)} is not an absolute path.`,
      "Give the workspace folder's absolute path on the backend's machine.",
    );
  let real: string;
  try {
    real = await realpath(root);
  } catch {
    throw new AppError("CODEBASE_ROOT_INVALID", `The codebase root ${root} does not exist.`);
  }
  if (!(await stat(real)).isDirectory())
    throw new AppError("CODEBASE_ROOT_INVALID", `The codebase root ${root} is not a folder.`);
  if (real === parse(real).root)
    throw new AppError(
      "CODEBASE_ROOT_REFUSED",
      `Refusing to index the whole filesystem (${real}).`,
      "Open a project folder and index that.",
    );
  let realHome: string | undefined;
  try {
    realHome = await realpath(home);
  } catch {
    realHome = undefined;
  }
  if (realHome !== undefined && isAtOrAbove(real, realHome))
    throw new AppError(
      "CODEBASE_ROOT_REFUSED",
      `Refusing to index ${real}: it holds your home folder, with credentials no ignore rule lists.`,
      "Open a project folder and index that.",
    );
  return real;
}
