/**
 * What may be indexed, the same for every source: `.gitignore` files at any depth (a
 * deeper file's rules, negations included, win over a higher one's for paths below it),
 * the root `.aicockpitignore`, extra patterns, secret file names (never read), pruned
 * directory names. Content checks (binary, private-key blocks) happen after reading.
 *
 * Built incrementally while the index lists (`addGitignore`, `setAicockpitIgnore`), so a
 * source can be told not to enter an excluded directory (`dirVerdict`): as with git, nothing
 * below an excluded directory is listed or can be re-included by a deeper `.gitignore`.
 */
import ignore, { type Ignore } from "ignore";
import { IGNORE_FILE } from "../../common/ignore";
import { containsPrivateKey, isSecretPath } from "../../common/secrets";

export const GITIGNORE = ".gitignore";

export type Verdict = "ok" | "ignored" | "secret";

export function isIgnoreFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name === GITIGNORE || path === IGNORE_FILE;
}

export class IndexRules {
  /** Directory ("" for the root) → its .gitignore rules, relative to that directory. */
  private readonly byDir = new Map<string, Ignore>();
  private root!: Ignore;
  /** Directory → excluded (itself or an ancestor); cleared whenever rules are added. */
  private readonly dirCache = new Map<string, boolean>();

  /** Empty rules; the index adds each ignore file as it is listed. */
  constructor(
    private readonly extra: readonly string[],
    private readonly pruned: ReadonlySet<string>,
  ) {
    this.setAicockpitIgnore("");
  }

  /** The rules of the `.gitignore` in `dir` ("" for the root), replacing any earlier ones. */
  addGitignore(dir: string, text: string): void {
    this.byDir.set(dir, ignore({ ignorecase: false }).add(text));
    this.dirCache.clear();
  }

  /** The root `.aicockpitignore`'s text (the extra patterns always apply with it). */
  setAicockpitIgnore(text: string): void {
    this.root = ignore({ ignorecase: false }).add([text, ...this.extra].join("\n"));
    this.dirCache.clear();
  }

  /**
   * A file: secret by name, or ignored when a directory above it is excluded (`dirVerdict`: as in
   * git, nothing below it can be re-included, so a source that walks everything — a container,
   * a host — yields the same files as one that skips excluded directories), or by the rules for
   * the file itself (a deeper .gitignore's decision wins).
   */
  verdict(path: string): Verdict {
    if (isSecretPath(path)) return "secret";
    const slash = path.lastIndexOf("/");
    if (slash !== -1 && this.dirExcluded(path.slice(0, slash))) return "ignored";
    if (this.root.ignores(path)) return "ignored";
    return this.gitignored(path.split("/"), "") ? "ignored" : "ok";
  }

  /**
   * A directory (root-relative, no trailing slash): "ignored" when its name or an ancestor's is
   * pruned, or the rules exclude it or an ancestor (checked as `dir/`, same precedence as
   * `verdict`). Final once the .gitignore files of its ancestors have been added.
   */
  dirVerdict(dir: string): "ok" | "ignored" {
    return this.dirExcluded(dir) ? "ignored" : "ok";
  }

  private dirExcluded(dir: string): boolean {
    let excluded = this.dirCache.get(dir);
    if (excluded === undefined) {
      const slash = dir.lastIndexOf("/");
      const name = dir.slice(slash + 1);
      excluded =
        (slash !== -1 && this.dirExcluded(dir.slice(0, slash))) ||
        this.pruned.has(name) ||
        this.root.ignores(`${dir}/`) ||
        this.gitignored(dir.split("/"), "/");
      this.dirCache.set(dir, excluded);
    }
    return excluded;
  }

  /** The .gitignore files of the directories above `parts` (a deeper file's decision wins). */
  private gitignored(parts: readonly string[], suffix: "" | "/"): boolean {
    let ignored = false;
    let dir = "";
    for (let i = 0; i < parts.length; i++) {
      const ig = this.byDir.get(dir);
      if (ig) {
        const r = ig.test(parts.slice(i).join("/") + suffix);
        if (r.ignored) ignored = true;
        else if (r.unignored) ignored = false;
      }
      dir = dir === "" ? parts[i]! : `${dir}/${parts[i]}`;
    }
    return ignored;
  }
}

/** Text of a file, or why it is not indexable (binary, a private key inside). */
export function decodeText(bytes: Uint8Array): { text: string } | { skip: "binary" | "secret" } {
  const probe = Math.min(bytes.length, 8192);
  for (let i = 0; i < probe; i++) if (bytes[i] === 0) return { skip: "binary" };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (containsPrivateKey(text)) return { skip: "secret" };
  // Mostly replacement characters: not UTF-8 text (images without NULs in the head, Latin-1 dumps…).
  let bad = 0;
  const n = Math.min(text.length, 4096);
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) === 0xfffd) bad++;
  if (bad > n / 10) return { skip: "binary" };
  return { text };
}
