/**
 * Files inside a workspace, for the extension's FileSystemProvider and the AI's context.
 * Reads and writes go through Docker's archive API (works on stopped containers too and
 * needs nothing in the image); listing, delete, mkdir and rename use a small exec.
 */
import { posix } from "node:path";
import type Docker from "dockerode";
import type { FileStat, FileType } from "../api/workspaces";
import { WORKSPACE_LIMITS } from "../api/workspaces";
import { AppError } from "../errors";
import { runExec } from "./exec";
import { firstTarEntry, tarOneFile } from "./tar";

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const GO_MODE_TYPE_MASK = 0xff000000 >>> 0; // bits above the permission bits

/** Absolute, normalised, no NUL: what every files route accepts. */
export function checkPath(p: string): string {
  if (typeof p !== "string" || !p.startsWith("/") || p.includes("\0") || p.length > 4096) {
    throw new AppError(
      "BAD_REQUEST",
      `Invalid path ${JSON.stringify(p)}: give an absolute path inside the workspace, e.g. /workspace/main.py.`,
    );
  }
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, "") : n;
}

interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

function fileType(mode: number): FileType {
  if (mode & GO_MODE_DIR) return "directory";
  if (mode & GO_MODE_SYMLINK) return "symlink";
  if (((mode >>> 0) & GO_MODE_TYPE_MASK) === 0) return "file";
  return "other";
}

function notFound(path: string): AppError {
  return new AppError("FILE_NOT_FOUND", `No such file or folder in the workspace: ${path}.`);
}

function isStatus(err: unknown, code: number): boolean {
  return (err as { statusCode?: number } | undefined)?.statusCode === code;
}

async function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit)
      throw new AppError(
        "FILE_TOO_LARGE",
        `The file is larger than ${limit} bytes.`,
        "Read it in the workspace's terminal instead.",
      );
    parts.push(c);
  }
  return Buffer.concat(parts);
}

export async function statPath(container: Docker.Container, path: string): Promise<FileStat & { mode: number }> {
  let res: { headers?: Record<string, string | string[] | undefined>; resume?: () => void };
  try {
    res = (await container.infoArchive({ path })) as typeof res;
  } catch (err) {
    if (isStatus(err, 404)) throw notFound(path);
    throw err;
  }
  res.resume?.();
  const raw = res.headers?.["x-docker-container-path-stat"];
  if (typeof raw !== "string") throw new AppError("DOCKER_ERROR", `Docker gave no file information for ${path}.`);
  const st = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as PathStat;
  return {
    name: st.name,
    type: fileType(st.mode),
    size: st.size,
    mtimeMs: Date.parse(st.mtime) || 0,
    mode: st.mode & 0o7777,
  };
}

const LIST_SCRIPT = `cd -- "$1" || exit 3
for f in * .[!.]* ..?*; do
  if [ -e "$f" ] || [ -L "$f" ]; then stat -c '%F|%s|%Y|%n' -- "$f"; fi
done`;

function typeFromStat(kind: string): FileType {
  if (kind.includes("directory")) return "directory";
  if (kind.includes("symbolic link")) return "symlink";
  if (kind.includes("regular")) return "file";
  return "other";
}

export async function listDir(container: Docker.Container, path: string): Promise<FileStat[]> {
  const st = await statPath(container, path);
  if (st.type !== "directory") throw new AppError("BAD_REQUEST", `${path} is not a folder.`);
  const r = await runExec(container, { cmd: ["sh", "-c", LIST_SCRIPT, "sh", path], cwd: "/", timeoutMs: 30_000 });
  if (r.exitCode !== 0)
    throw new AppError("DOCKER_ERROR", `Listing ${path} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}.`);
  const entries: FileStat[] = [];
  for (const line of r.stdout.split("\n")) {
    const parts = line.split("|");
    if (parts.length < 4) continue;
    const [kind, size, mtime] = parts;
    entries.push({
      name: parts.slice(3).join("|"),
      type: typeFromStat(kind ?? ""),
      size: Number(size),
      mtimeMs: Number(mtime) * 1000,
    });
  }
  return entries;
}

export async function readFile(container: Docker.Container, path: string): Promise<Buffer> {
  const st = await statPath(container, path);
  if (st.type === "directory") throw new AppError("FILE_IS_DIRECTORY", `${path} is a folder, not a file.`);
  if (st.size > WORKSPACE_LIMITS.maxFileBytes) {
    throw new AppError(
      "FILE_TOO_LARGE",
      `${path} is ${st.size} bytes; at most ${WORKSPACE_LIMITS.maxFileBytes} can be read at once.`,
      "Read it in the workspace's terminal instead.",
    );
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = await container.getArchive({ path });
  } catch (err) {
    if (isStatus(err, 404)) throw notFound(path);
    throw err;
  }
  const archive = await readAll(stream, WORKSPACE_LIMITS.maxFileBytes + 64 * 1024);
  const entry = await firstTarEntry(archive);
  if (!entry) throw notFound(path);
  return entry.content;
}

export interface WriteOptions {
  create: boolean;
  overwrite: boolean;
}

export async function writeFile(
  container: Docker.Container,
  path: string,
  content: Buffer,
  opts: WriteOptions,
): Promise<FileStat> {
  if (path === "/") throw new AppError("FILE_IS_DIRECTORY", "/ is a folder, not a file.");
  let mode = 0o644;
  let exists = true;
  try {
    const st = await statPath(container, path);
    if (st.type === "directory") throw new AppError("FILE_IS_DIRECTORY", `${path} is a folder, not a file.`);
    mode = st.mode || mode;
  } catch (err) {
    if (!(err instanceof AppError && err.code === "FILE_NOT_FOUND")) throw err;
    exists = false;
  }
  if (exists && !opts.overwrite) throw new AppError("FILE_EXISTS", `${path} already exists.`);
  if (!exists && !opts.create) throw notFound(path);
  const dir = posix.dirname(path);
  try {
    await container.putArchive(await tarOneFile(posix.basename(path), content, mode), { path: dir });
  } catch (err) {
    if (isStatus(err, 404))
      throw new AppError(
        "FILE_NOT_FOUND",
        `The folder ${dir} does not exist in the workspace.`,
        "Create the folder first.",
      );
    throw err;
  }
  const after = await statPath(container, path);
  return { name: after.name, type: after.type, size: after.size, mtimeMs: after.mtimeMs };
}

async function shell(container: Docker.Container, script: string, args: string[], what: string): Promise<void> {
  const r = await runExec(container, { cmd: ["sh", "-c", script, "sh", ...args], cwd: "/", timeoutMs: 60_000 });
  if (r.exitCode !== 0)
    throw new AppError("DOCKER_ERROR", `${what} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}.`);
}

export async function deletePath(container: Docker.Container, path: string, recursive: boolean): Promise<void> {
  if (path === "/") throw new AppError("BAD_REQUEST", "Refusing to delete /.");
  const st = await statPath(container, path);
  if (st.type === "directory") {
    await shell(container, recursive ? 'rm -rf -- "$1"' : 'rmdir -- "$1"', [path], `Deleting ${path}`);
  } else {
    await shell(container, 'rm -f -- "$1"', [path], `Deleting ${path}`);
  }
}

export async function makeDir(container: Docker.Container, path: string): Promise<void> {
  const exists = await statPath(container, path).then(
    () => true,
    (err: unknown) => {
      if (err instanceof AppError && err.code === "FILE_NOT_FOUND") return false;
      throw err;
    },
  );
  if (exists) throw new AppError("FILE_EXISTS", `${path} already exists.`);
  await statPath(container, posix.dirname(path)); // parent must exist (FILE_NOT_FOUND otherwise)
  await shell(container, 'mkdir -- "$1"', [path], `Creating ${path}`);
}

export async function renamePath(
  container: Docker.Container,
  from: string,
  to: string,
  overwrite: boolean,
): Promise<void> {
  await statPath(container, from);
  if (!overwrite) {
    const exists = await statPath(container, to).then(
      () => true,
      (err: unknown) => {
        if (err instanceof AppError && err.code === "FILE_NOT_FOUND") return false;
        throw err;
      },
    );
    if (exists) throw new AppError("FILE_EXISTS", `${to} already exists.`);
  }
  await shell(container, 'mv -f -- "$1" "$2"', [from, to], `Renaming ${from}`);
}
