/**
 * What may be indexed, the same for every source: `.gitignore` files at any depth (a
 * deeper file's rules, negations included, win over a higher one's for paths below it),
 * the root `.aicockpitignore`, extra patterns, secret file names (never read), pruned
 * directory names. Content checks (binary, private-key blocks) happen after reading.
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
  private readonly root: Ignore;

  constructor(
    gitignores: ReadonlyMap<string, string>,
    aicockpitignore: string,
    extra: readonly string[],
    private readonly pruned: ReadonlySet<string>,
  ) {
    for (const [dir, text] of gitignores) this.byDir.set(dir, ignore({ ignorecase: false }).add(text));
    this.root = ignore({ ignorecase: false }).add([aicockpitignore, ...extra].join("\n"));
  }

  verdict(path: string): Verdict {
    if (isSecretPath(path)) return "secret";
    const parts = path.split("/");
    for (let i = 0; i < parts.length - 1; i++) if (this.pruned.has(parts[i]!)) return "ignored";
    if (this.root.ignores(path)) return "ignored";
    let ignored = false;
    let dir = "";
    for (let i = 0; i < parts.length; i++) {
      const ig = this.byDir.get(dir);
      if (ig) {
        const r = ig.test(parts.slice(i).join("/"));
        if (r.ignored) ignored = true;
        else if (r.unignored) ignored = false;
      }
      dir = dir === "" ? parts[i]! : `${dir}/${parts[i]}`;
    }
    return ignored ? "ignored" : "ok";
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
