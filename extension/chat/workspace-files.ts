/**
 * The workspace's files for the @-picker: `findFiles` with files.exclude and search.exclude,
 * then the root's .gitignore and .aicockpitignore (gitignore syntax, same matcher the
 * completion engine uses) and the secret-file rules. Cached briefly: the picker asks on
 * every keystroke.
 */
import * as vscode from "vscode";
import { IGNORE_FILE, IgnoreMatcher } from "../../common/ignore";
import { isSecretPath } from "../../common/secrets";

const MAX_FILES = 20_000;
const TTL_MS = 15_000;

export class WorkspaceFiles implements vscode.Disposable {
  private cache: { at: number; paths: string[]; complete: boolean } | undefined;
  private matcher: { at: number; m: IgnoreMatcher } | undefined;
  private watching = false;
  private readonly subs: vscode.Disposable[] = [];

  /**
   * Drops the caches when files appear or go. Started with the first listing, not at
   * activation: a watcher on every file costs VS Code work for as long as it lives, and most
   * sessions never open the @-picker.
   */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    const watcher = vscode.workspace.createFileSystemWatcher("**/*", false, true, false);
    const drop = () => {
      this.cache = undefined;
      this.matcher = undefined;
    };
    this.subs.push(watcher, watcher.onDidCreate(drop), watcher.onDidDelete(drop));
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }

  root(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  private excludeGlob(): string {
    const globs = new Set<string>(["**/.git/**"]);
    for (const section of ["files.exclude", "search.exclude"]) {
      const obj = vscode.workspace.getConfiguration().get<Record<string, unknown>>(section) ?? {};
      for (const [glob, on] of Object.entries(obj)) if (on === true) globs.add(glob);
    }
    return `{${[...globs].join(",")}}`;
  }

  async ignoreMatcher(): Promise<IgnoreMatcher> {
    this.watch();
    if (this.matcher && Date.now() - this.matcher.at < TTL_MS) return this.matcher.m;
    const root = this.root();
    const texts: string[] = [];
    if (root) {
      for (const name of [".gitignore", IGNORE_FILE]) {
        try {
          texts.push(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, name))));
        } catch {
          // no such file: no rules from it
        }
      }
    }
    const m = new IgnoreMatcher(texts.join("\n"));
    this.matcher = { at: Date.now(), m };
    return m;
  }

  async list(): Promise<{ paths: string[]; complete: boolean }> {
    this.watch();
    if (this.cache && Date.now() - this.cache.at < TTL_MS) return this.cache;
    const root = this.root();
    if (!root) return { paths: [], complete: true };
    const uris = await vscode.workspace.findFiles(
      new vscode.RelativePattern(root, "**/*"),
      this.excludeGlob(),
      MAX_FILES,
    );
    const matcher = await this.ignoreMatcher();
    const paths = uris
      .map((u) => vscode.workspace.asRelativePath(u, false))
      .filter((p) => !isSecretPath(p) && !matcher.ignores(p))
      .sort();
    this.cache = { at: Date.now(), paths, complete: uris.length < MAX_FILES };
    return this.cache;
  }

  /** Ignored by the ignore files, or (when the listing is complete) hidden by the exclude settings. */
  async isIgnored(rel: string): Promise<boolean> {
    if ((await this.ignoreMatcher()).ignores(rel)) return true;
    const { paths, complete } = await this.list();
    if (!complete || paths.includes(rel)) return false;
    // Not listed: excluded by settings if it exists, otherwise the caller reports "not found".
    const root = this.root();
    if (!root) return false;
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(root, rel));
      return true;
    } catch {
      return false;
    }
  }
}
