/**
 * A gitignore-syntax matcher for `.aicockpitignore`, written here because the subset we
 * need is small and a dependency is not worth it.
 *
 * Supported: blank lines and `#` comments, `!` negation (last matching rule wins),
 * trailing `/` (directories only), leading or inner `/` (anchored to the root),
 * `*`, `?`, `**` (any number of directories), `[abc]`/`[a-z]`/`[!a]` classes,
 * `\` escapes. As in git, a file under an ignored directory stays ignored even when a
 * later `!rule` names it. Not supported: trailing-space escapes (`\ `), per-directory
 * ignore files (only the workspace root file is read).
 */

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  re: RegExp;
}

function escapeRe(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

function globToRe(glob: string): string {
  let out = "";
  let i = 0;
  while (i < glob.length) {
    const ch = glob[i]!;
    if (ch === "\\" && i + 1 < glob.length) {
      out += escapeRe(glob[i + 1]!);
      i += 2;
    } else if (ch === "*" && glob[i + 1] === "*") {
      const before = i === 0 || glob[i - 1] === "/";
      const after = glob[i + 2];
      if (before && after === "/") {
        out += "(?:.*/)?";
        i += 3;
      } else if (before && after === undefined) {
        out += ".*";
        i += 2;
      } else {
        out += "[^/]*";
        i += 2;
      }
    } else if (ch === "*") {
      out += "[^/]*";
      i += 1;
    } else if (ch === "?") {
      out += "[^/]";
      i += 1;
    } else if (ch === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close === -1) {
        out += "\\[";
        i += 1;
      } else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        out += `[${body.replace(/\\/g, "\\\\")}]`;
        i = close + 1;
      }
    } else {
      out += escapeRe(ch);
      i += 1;
    }
  }
  return out;
}

export function parseIgnore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
      line = line.slice(1);
    }
    const dirOnly = line.endsWith("/");
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.includes("/");
    if (line.startsWith("/")) line = line.slice(1);
    if (line === "") continue;
    const body = globToRe(line);
    rules.push({ negate, dirOnly, re: new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`) });
  }
  return rules;
}

export class IgnoreMatcher {
  private readonly rules: Rule[];
  constructor(patterns: string | readonly string[]) {
    this.rules = parseIgnore(typeof patterns === "string" ? patterns : patterns.join("\n"));
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** `relPath` is workspace-relative with `/` or `\` separators; a leading `./` is ignored. */
  ignores(relPath: string): boolean {
    const segs = relPath.replace(/\\/g, "/").replace(/^\.\//, "").split("/").filter((s) => s !== "" && s !== ".");
    for (let i = 1; i <= segs.length; i++) {
      const sub = segs.slice(0, i).join("/");
      const isDir = i < segs.length;
      let ignored = false;
      for (const r of this.rules) {
        if (r.dirOnly && !isDir) continue;
        if (r.re.test(sub)) ignored = !r.negate;
      }
      // git cannot re-include a file whose parent directory is excluded.
      if (ignored) return true;
    }
    return false;
  }
}
