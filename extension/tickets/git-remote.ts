/**
 * The current folder's git remote, read from `.git/config` (no git process, no VS Code git
 * extension needed): `origin` if present, else the first remote. A worktree's `.git` file
 * (`gitdir: …`) is followed to its common config.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";

/** `url` of `[remote "origin"]` (else the first remote) in a git config text. */
export function remoteFromConfig(text: string): string | undefined {
  const remotes = new Map<string, string>();
  let current: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[\s*remote\s+"([^"]*)"\s*\]$/.exec(line);
    if (section) {
      current = section[1];
      continue;
    }
    if (line.startsWith("[")) {
      current = undefined;
      continue;
    }
    const kv = /^url\s*=\s*(.*)$/.exec(line);
    if (current !== undefined && kv?.[1] && !remotes.has(current))
      remotes.set(current, kv[1].replace(/^"(.*)"$/, "$1"));
  }
  return remotes.get("origin") ?? remotes.values().next().value;
}

export async function folderRemote(folder: string): Promise<string | undefined> {
  const dotGit = join(folder, ".git");
  let configPath = join(dotGit, "config");
  try {
    if ((await stat(dotGit)).isFile()) {
      const gitdir = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, "utf8"))?.[1]?.trim();
      if (!gitdir) return undefined;
      const dir = isAbsolute(gitdir) ? gitdir : resolve(folder, gitdir);
      // A linked worktree's gitdir is <repo>/.git/worktrees/<name>; the remotes are in <repo>/.git/config.
      configPath = join(dirname(dirname(dir)), "config");
    }
    return remoteFromConfig(await readFile(configPath, "utf8"));
  } catch {
    return undefined;
  }
}
