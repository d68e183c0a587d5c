/**
 * Git operations on a ticket's clone. What this file never does, by design: `git clean`,
 * `reset --hard`, a force push, deleting a branch, or touching anything outside the clone.
 * Checkpoints are commits made from a temporary index (the user's index, HEAD and working
 * tree stay as they are) and kept under `refs/aicockpit/<run>/<n>`, so any step can be
 * restored with `git checkout refs/aicockpit/<run>/<n> -- .`.
 */
import { existsSync, lstatSync, readdirSync, rmSync } from "node:fs";
import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { randomUUID } from "node:crypto";
import { AppError } from "../errors";
import { git, type GitOptions } from "./git";
import { TreeMirror } from "./tree-mirror";

/** A git failure with what the user can do about it (other errors pass through as they are). */
function withHint(e: unknown, hint: string): unknown {
  return e instanceof AppError && e.code === "TICKET_GIT_FAILED" ? new AppError(e.code, e.message, hint) : e;
}

/**
 * A clone in progress: `<parent>/.partial-<ticket id>-<pid>-<8 hex>`. The pid names the backend
 * cloning there, so a backend starting while another one clones into the same root (a second
 * VS Code window shares the data folder) leaves that clone alone.
 */
const PARTIAL_CLONE = /^\.partial-[A-Za-z0-9_-]{1,64}-(\d{1,10})-[0-9a-f]{8}$/;

function partialClonePath(path: string): string {
  return join(dirname(path), `.partial-${basename(path)}-${process.pid}-${randomUUID().slice(0, 8)}`);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/**
 * Removes the partial clones in `root` whose backend is gone (killed or stopped mid-clone; its
 * git may have died with it, and nothing else would ever remove them). Only real folders named
 * exactly as `clone` names them: a symbolic link or a file of that name, and everything else in
 * `root`, is left alone; the removal never follows a link. Returns the names removed, and those
 * that could not be (with why): the tickets service starts either way.
 */
export function removeLeftoverClones(root: string): { removed: string[]; failed: string[] } {
  const removed: string[] = [];
  const failed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (e) {
    return { removed, failed: [`${root}: ${e instanceof Error ? e.message : String(e)}`] };
  }
  for (const name of names) {
    const m = PARTIAL_CLONE.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const p = join(root, name);
    try {
      if (!lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) continue;
      rmSync(p, { recursive: true, force: true });
      removed.push(name);
    } catch (e) {
      failed.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { removed, failed };
}

/** Commits made for the user when git has no identity configured. */
const AGENT_IDENTITY = {
  GIT_AUTHOR_NAME: "AiCockpit agent",
  GIT_AUTHOR_EMAIL: "agent@aicockpit.invalid",
  GIT_COMMITTER_NAME: "AiCockpit agent",
  GIT_COMMITTER_EMAIL: "agent@aicockpit.invalid",
};

export class TicketRepo {
  constructor(
    readonly path: string,
    private readonly token?: string,
  ) {}

  private run(args: string[], extra: Partial<GitOptions> = {}) {
    return git(args, { cwd: this.path, ...(this.token !== undefined ? { token: this.token } : {}), ...extra });
  }

  /**
   * Clones beside the ticket's folder and renames it into place: git removes a failed clone's
   * folder itself, but not when it is killed (time limit, cancel) or the machine stops, and a
   * half-cloned folder would block the next try. So `path` appears whole or not at all.
   */
  static async clone(url: string, path: string, token: string | undefined, signal?: AbortSignal): Promise<TicketRepo> {
    await mkdir(dirname(path), { recursive: true });
    const partial = partialClonePath(path);
    try {
      await git(["clone", "--origin", "origin", "--", url, partial], {
        cwd: dirname(path),
        ...(token !== undefined ? { token } : {}),
        ...(signal ? { signal } : {}),
      });
      await rename(partial, path);
    } catch (e) {
      await rm(partial, { recursive: true, force: true });
      throw withHint(e, "Nothing was left behind: create the ticket again once the remote answers.");
    }
    return new TicketRepo(path, token);
  }

  async originUrl(): Promise<string> {
    return (await this.run(["remote", "get-url", "origin"])).stdout.trim();
  }

  async fetch(signal?: AbortSignal): Promise<void> {
    await this.run(["fetch", "--prune", "origin"], signal ? { signal } : {}).catch((e: unknown) => {
      throw withHint(e, "The clone was left as it was: create the ticket again once the remote answers.");
    });
  }

  /** The remote's default branch (origin/HEAD), else main/master, whichever exists. */
  async defaultBranch(): Promise<string> {
    const r = await this.run(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], { okCodes: [1, 128] });
    if (r.code === 0 && r.stdout.trim().startsWith("origin/")) return r.stdout.trim().slice("origin/".length);
    for (const b of ["main", "master"]) if (await this.hasRef(`refs/remotes/origin/${b}`)) return b;
    throw new AppError("TICKET_GIT_FAILED", "The repository has no default branch.", "Give base_branch explicitly.");
  }

  async hasRef(ref: string): Promise<boolean> {
    return (await this.run(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { okCodes: [1, 128] })).code === 0;
  }

  async currentBranch(): Promise<string> {
    return (await this.run(["rev-parse", "--abbrev-ref", "HEAD"])).stdout.trim();
  }

  async head(): Promise<string> {
    return (await this.run(["rev-parse", "HEAD"])).stdout.trim();
  }

  /** `git status --porcelain` lines (untracked files included). */
  async dirtyFiles(): Promise<string[]> {
    return (await this.run(["status", "--porcelain", "--untracked-files=all"])).stdout
      .split("\n")
      .filter((l) => l.trim() !== "");
  }

  /**
   * Puts the clone on `branch`: checks it out when it exists locally; else creates it from the
   * remote's branch of that name, else from origin/<base>. Fast-forwards to the remote branch
   * when possible; a local branch that has diverged is kept as it is (said in the message).
   */
  async checkoutTicketBranch(branch: string, base: string): Promise<string> {
    const remote = `refs/remotes/origin/${branch}`;
    if (await this.hasRef(`refs/heads/${branch}`)) {
      if ((await this.currentBranch()) !== branch) await this.run(["checkout", "--quiet", branch, "--"]);
      if (!(await this.hasRef(remote))) return `checked out ${branch}`;
      const ff = await this.run(["merge", "--ff-only", "--quiet", remote], { okCodes: [1, 128] });
      return ff.code === 0
        ? `checked out ${branch}, fast-forwarded to origin/${branch}`
        : `checked out ${branch}; it has diverged from origin/${branch} and was left as it is`;
    }
    if (await this.hasRef(remote)) {
      await this.run(["checkout", "--quiet", "-b", branch, "--track", `origin/${branch}`]);
      return `created ${branch} from origin/${branch}`;
    }
    if (!(await this.hasRef(`refs/remotes/origin/${base}`)))
      throw new AppError("BAD_REQUEST", `The remote has no branch ${JSON.stringify(base)}.`);
    await this.run(["checkout", "--quiet", "--no-track", "-b", branch, `origin/${base}`]);
    return `created ${branch} from origin/${base}`;
  }

  private identity: Promise<Record<string, string>> | undefined;
  private identityEnv(): Promise<Record<string, string>> {
    return (this.identity ??= this.run(["config", "user.email"], { okCodes: [1] }).then((r) =>
      r.code === 0 && r.stdout.trim() !== "" ? {} : AGENT_IDENTITY,
    ));
  }

  /** Stages everything and commits; undefined when there was nothing to commit. */
  async commitAll(message: string): Promise<string | undefined> {
    await this.run(["add", "--all"]);
    const staged = await this.run(["diff", "--cached", "--quiet"], { okCodes: [1] });
    if (staged.code === 0) return undefined;
    await this.run(["commit", "--quiet", "--no-verify", "-m", message], {
      env: await this.identityEnv(),
    });
    return this.head();
  }

  /** Commits only these paths (the plan file), leaving the rest of the index alone. */
  async commitPaths(paths: string[], message: string): Promise<string | undefined> {
    await this.run(["add", "--", ...paths]);
    const staged = await this.run(["diff", "--cached", "--quiet", "--", ...paths], { okCodes: [1] });
    if (staged.code === 0) return undefined;
    await this.run(["commit", "--quiet", "--no-verify", "-m", message, "--", ...paths], {
      env: await this.identityEnv(),
    });
    return this.head();
  }

  /** A commit of the working tree as it is, made from a temporary index; HEAD, index and files untouched. */
  async checkpoint(ref: string): Promise<string> {
    const index = join(tmpdir(), `aicockpit-index-${randomUUID()}`);
    try {
      const env = { GIT_INDEX_FILE: index, ...(await this.identityEnv()) };
      // Starting from a copy of the real index keeps its stat cache: only changed files are hashed.
      const real = join(this.path, ".git", "index");
      if (existsSync(real)) await copyFile(real, index);
      else await this.run(["read-tree", "HEAD"], { env });
      await this.run(["add", "--all"], { env });
      const tree = (await this.run(["write-tree"], { env })).stdout.trim();
      const commit = (
        await this.run(["commit-tree", tree, "-p", "HEAD", "-m", `AiCockpit checkpoint ${ref}`], { env })
      ).stdout.trim();
      await this.pointRef(ref, commit);
      return commit;
    } finally {
      await rm(index, { force: true });
    }
  }

  private mirror: { commit: string; tree: TreeMirror } | undefined;

  /**
   * A checkpoint from the previous one (`from`) with only `paths` taken from the working tree,
   * written in-process (tree-mirror.ts); its parent is `from`, so a run's checkpoints form a
   * chain. Falls back to the full checkpoint when the repository is not SHA-1.
   */
  async checkpointPaths(ref: string, from: string, paths: string[]): Promise<string> {
    if (this.mirror?.commit !== from) {
      const listing = (await this.run(["ls-tree", "-r", "-z", "--full-tree", from])).stdout;
      const tree = TreeMirror.fromListing(join(this.path, ".git"), listing);
      this.mirror = tree ? { commit: from, tree } : undefined;
    }
    if (!this.mirror) return this.checkpoint(ref);
    for (const p of paths) await this.mirror.tree.update(this.path, p);
    const commit = await this.mirror.tree.commit(from, `AiCockpit checkpoint ${ref}`, {
      name: AGENT_IDENTITY.GIT_AUTHOR_NAME,
      email: AGENT_IDENTITY.GIT_AUTHOR_EMAIL,
    });
    this.mirror.commit = commit;
    await this.pointRef(ref, commit);
    return commit;
  }

  /**
   * Writes a loose ref file directly: a git process per agent step costs tens of milliseconds
   * on a busy machine, a file write microseconds, and git reads loose refs first. Only our own
   * `refs/aicockpit/<run>/<n>` names come here (checked), written atomically (temp + rename).
   */
  async pointRef(ref: string, commit: string): Promise<void> {
    if (!/^refs\/aicockpit\/[A-Za-z0-9-]{1,64}\/\d{1,6}$/.test(ref) || !/^[0-9a-f]{40,64}$/.test(commit))
      throw new AppError("INTERNAL", `Refusing to write ref ${ref}.`);
    const file = join(this.path, ".git", ...ref.split("/"));
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, `${commit}\n`);
    await rename(tmp, file);
  }

  /** Patch of the working tree (untracked files included) against `base`. */
  async diffAgainst(base: string): Promise<{ files: string[]; patch: string }> {
    await this.run(["add", "--all", "--intent-to-add"]);
    const names = (await this.run(["diff", "--name-only", base, "--"])).stdout.split("\n").filter((l) => l !== "");
    const patch = (await this.run(["diff", "--no-color", "--no-ext-diff", base, "--"])).stdout;
    return { files: names, patch };
  }

  /** Never forced: a rejected push is an error the user sees. */
  async push(branch: string, signal?: AbortSignal): Promise<void> {
    await this.run(["push", "--porcelain", "origin", `refs/heads/${branch}:refs/heads/${branch}`], {
      ...(signal ? { signal } : {}),
    }).catch((e: unknown) => {
      throw withHint(e, `The commit is kept on ${branch} here; the next Dev run with a change pushes it.`);
    });
  }

  static exists(path: string): boolean {
    return existsSync(join(path, ".git"));
  }
}

/**
 * Uncommitted work found where an agent would start: named (the first five paths) so the user
 * knows what is theirs; never touched unless they ask for it to become their own commit.
 */
export function dirtyTreeError(dirty: string[]): AppError {
  const names = dirty.slice(0, 5).map((l) => l.slice(3));
  return new AppError(
    "TICKET_DIRTY_TREE",
    `The ticket's working tree has ${dirty.length} uncommitted change(s) (${names.join(", ")}${dirty.length > 5 ? ", …" : ""}); the agent will not start on top of them.`,
    'Commit or stash them, or run again with dirty: "commit" to commit them as your own commit first.',
  );
}
