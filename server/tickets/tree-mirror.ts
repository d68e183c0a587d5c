/**
 * Checkpoints of edits without a git process. A checkpoint after `edit_file` differs from the
 * previous one only in the files the tool wrote, and the tool knows which. So the previous
 * checkpoint's tree is mirrored in memory (one `git ls-tree -r` when needed), the changed
 * files are hashed here, and the blob, the trees on their path and the commit are written as
 * loose objects in git's own format (`<type> <size>\0<body>`, SHA-1, zlib) — what
 * `hash-object -w`, `write-tree` and `commit-tree` would write, in microseconds instead of
 * three processes (most of a second each on a loaded machine). Anything else (a command
 * that may have changed any file, an unknown change) takes the full `git add --all` route
 * in repo.ts, after which the mirror is reloaded from that commit.
 *
 * SHA-1 repositories only: in a SHA-256 one `load` answers undefined and git does it all.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { randomUUID } from "node:crypto";

interface Entry {
  mode: string;
  oid: string;
}

interface Dir {
  files: Map<string, Entry>;
  dirs: Map<string, Dir>;
  /** The tree's id while nothing below it changed. */
  oid?: string;
}

const newDir = (): Dir => ({ files: new Map(), dirs: new Map() });

export interface Identity {
  name: string;
  email: string;
}

export class TreeMirror {
  private readonly root: Dir = newDir();

  private constructor(private readonly gitDir: string) {}

  /**
   * The tree of `commit`, from `git ls-tree -r -z --full-tree` output (`<mode> <type> <oid>\t<path>\0`).
   * Undefined when the repository does not use SHA-1 or the listing is not what git writes.
   */
  static fromListing(gitDir: string, listing: string): TreeMirror | undefined {
    const m = new TreeMirror(gitDir);
    for (const rec of listing.split("\0")) {
      if (rec === "") continue;
      const tab = rec.indexOf("\t");
      const [mode, , oid] = rec.slice(0, tab).split(" ");
      if (tab < 0 || !mode || !oid || !/^[0-9a-f]{40}$/.test(oid)) return undefined;
      const { dir, name } = m.walk(rec.slice(tab + 1), true);
      dir.files.set(name, { mode, oid });
    }
    return m;
  }

  private walk(path: string, create: boolean): { dir: Dir; name: string; trail: Dir[] } {
    const parts = path.split("/");
    const name = parts.pop()!;
    let dir = this.root;
    const trail = [dir];
    for (const p of parts) {
      let next = dir.dirs.get(p);
      if (!next) {
        next = newDir();
        if (create) dir.dirs.set(p, next);
      }
      dir = next;
      trail.push(dir);
    }
    return { dir, name, trail };
  }

  /** Takes the file at `path` (relative, `/`-separated) as it is on disk now, or its removal. */
  async update(workTree: string, path: string): Promise<void> {
    const { dir, name, trail } = this.walk(path, true);
    for (const d of trail) delete d.oid;
    let content: Buffer;
    try {
      content = await readFile(join(workTree, path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      dir.files.delete(name);
      return;
    }
    const old = dir.files.get(name);
    // A file the tool wrote keeps its mode (executable stays executable); a new one is 100644.
    const mode = old && (old.mode === "100755" || old.mode === "100644") ? old.mode : "100644";
    dir.files.set(name, { mode, oid: await this.write("blob", content) });
  }

  /** Writes the trees that changed and a commit of the whole tree; returns the commit's id. */
  async commit(parent: string, message: string, who: Identity, at = new Date()): Promise<string> {
    const tree = await this.writeTree(this.root);
    const stamp = `${Math.floor(at.getTime() / 1000)} +0000`;
    const sig = `${who.name} <${who.email}> ${stamp}`;
    const body = `tree ${tree}\nparent ${parent}\nauthor ${sig}\ncommitter ${sig}\n\n${message}\n`;
    return this.write("commit", Buffer.from(body, "utf8"));
  }

  private async writeTree(dir: Dir): Promise<string> {
    if (dir.oid) return dir.oid;
    const entries: { sortKey: string; mode: string; name: string; oid: string }[] = [];
    for (const [name, e] of dir.files) entries.push({ sortKey: name, mode: e.mode, name, oid: e.oid });
    for (const [name, sub] of dir.dirs) {
      if (isEmpty(sub)) continue; // git has no empty trees inside a tree
      entries.push({ sortKey: `${name}/`, mode: "40000", name, oid: await this.writeTree(sub) });
    }
    // git orders entries by name bytes, a directory's name as if it ended in '/'.
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
    const body = Buffer.concat(
      entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`, "utf8"), Buffer.from(e.oid, "hex")]),
    );
    dir.oid = await this.write("tree", body);
    return dir.oid;
  }

  /** A loose object, written atomically; one that exists already is left as it is. */
  private async write(type: "blob" | "tree" | "commit", body: Buffer): Promise<string> {
    const data = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
    const oid = createHash("sha1").update(data).digest("hex");
    const dir = join(this.gitDir, "objects", oid.slice(0, 2));
    const file = join(dir, oid.slice(2));
    if (existsSync(file)) return oid;
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `tmp_obj_${randomUUID()}`);
    await writeFile(tmp, deflateSync(data, { level: 1 }), { mode: 0o444 });
    await rename(tmp, file);
    return oid;
  }
}

function isEmpty(d: Dir): boolean {
  return d.files.size === 0 && [...d.dirs.values()].every(isEmpty);
}
