/**
 * `.aicockpitignore` rules (gitignore syntax) for files that must not reach an AI service.
 * Backed by the `ignore` package, the matcher that implements git's rules (negation, `**`,
 * directory-only rules, a file under an ignored directory staying ignored). Only the
 * workspace root file is read; per-directory ignore files are not supported.
 */
import ignore, { type Ignore } from "ignore";

export const IGNORE_FILE = ".aicockpitignore";

export class IgnoreMatcher {
  private readonly ig: Ignore;
  readonly empty: boolean;

  constructor(patterns: string | readonly string[]) {
    const text = typeof patterns === "string" ? patterns : patterns.join("\n");
    // Case-sensitive, as git is on Linux: `*.log` does not hide `APP.LOG`.
    this.ig = ignore({ ignorecase: false }).add(text);
    this.empty = !text.split(/\r?\n/).some((l) => l.trim() !== "" && !l.startsWith("#"));
  }

  /** `relPath` is workspace-relative with `/` or `\` separators; a leading `./` is ignored. */
  ignores(relPath: string): boolean {
    const path = relPath
      .replace(/\\/g, "/")
      .split("/")
      .filter((s) => s !== "" && s !== "." && s !== "..")
      .join("/");
    return path !== "" && this.ig.ignores(path);
  }
}
