/** git, judged per subcommand: force-pushes, hard resets and cleans destroy work. */
import { has, readArgs } from "../args";
import type { Command } from "../parse";
import { f, subcommand, type Finding, type Rule } from "./finding";

export const GIT_READ = new Set([
  "status",
  "log",
  "diff",
  "show",
  "blame",
  "grep",
  "ls-files",
  "ls-tree",
  "ls-remote",
  "rev-parse",
  "rev-list",
  "describe",
  "shortlog",
  "cat-file",
  "help",
  "version",
  "whatchanged",
  "cherry",
  "count-objects",
  "show-ref",
  "name-rev",
  "merge-base",
  "for-each-ref",
  "check-ignore",
  "var",
  "diff-tree",
  "diff-files",
  "diff-index",
  "show-branch",
  "annotate",
  "range-diff",
  "verify-commit",
  "fsck",
  "",
]);

/** Configuration keys whose value git runs as a command (`git -c core.pager='…' log`). */
const COMMAND_KEYS =
  /^(core\.(pager|editor|sshcommand|askpass|fsmonitor|hookspath)|alias\..*|pager\..*|sequence\.editor|diff\..*\.(textconv|command)|filter\..*\.(clean|smudge|process)|credential\.helper|gpg\.(program|.*\.program)|uploadpack\.packobjectshook)$/i;

export const git: Rule = (cmd, _a, ctx) => {
  // A one-off `-c key=value` can make even `git log` run an arbitrary command.
  const configured: Finding[] = [];
  const words = cmd.argv.slice(1);
  for (const [i, w] of words.entries()) {
    const setting = w.text === "-c" ? words[i + 1]?.literal : null;
    if (setting === undefined || setting === null) continue;
    const eq = setting.indexOf("=");
    const key = eq < 0 ? setting : setting.slice(0, eq);
    if (!COMMAND_KEYS.test(key)) continue;
    const value = eq < 0 ? "" : setting.slice(eq + 1).replace(/^!/, "");
    configured.push(
      f("review", cmd, `sets ${key}, which makes git run a command`),
      ...(value ? ctx.judgeScript(value) : []),
    );
  }
  const found = judgeSubcommand(cmd);
  return configured.length > 0 ? [...configured, ...found.filter((x) => x.risk !== "safe")] : found;
};

function judgeSubcommand(cmd: Command): Finding[] {
  const { sub, rest } = subcommand(cmd, ["-C", "-c", "--git-dir", "--work-tree", "--namespace"]);
  const a = readArgs(rest, ["-m", "-o", "--push-option", "-C", "-c", "-F", "--file"]);
  const ops = a.operands.map((w) => w.text);
  switch (sub) {
    case "push": {
      if (has(a, "f", "--force", "--force-with-lease", "--force-if-includes"))
        return [f("dangerous", cmd, "force-pushes, overwriting the history of the remote branch")];
      if (has(a, "--mirror"))
        return [
          f("dangerous", cmd, "mirrors every local ref onto the remote, overwriting and deleting remote branches"),
        ];
      if (has(a, "d", "--delete") || has(a, "--prune")) return [f("dangerous", cmd, "deletes branches on the remote")];
      if (ops.slice(1).some((r) => r.startsWith("+")))
        return [f("dangerous", cmd, "force-pushes a +refspec, overwriting the history of the remote branch")];
      if (ops.slice(1).some((r) => r.startsWith(":")))
        return [f("dangerous", cmd, "deletes a branch on the remote (:refspec)")];
      return [f("review", cmd, "publishes commits to a remote")];
    }
    case "reset":
      if (has(a, "--hard")) return [f("dangerous", cmd, "discards all uncommitted changes for good (--hard)")];
      return [f("review", cmd, "moves the current branch")];
    case "clean":
      if (has(a, "n", "--dry-run")) return [f("safe", cmd, "only lists what would be deleted (dry run)")];
      if (has(a, "f", "--force"))
        return [
          f(
            "dangerous",
            cmd,
            `deletes untracked${has(a, "x") ? " and ignored" : ""} files${has(a, "d") ? " and directories" : ""} for good`,
          ),
        ];
      return [f("review", cmd, "deletes untracked files")];
    case "checkout":
    case "restore":
      if (has(a, "f", "--force") || ops.some((o) => o === "." || o === ":/" || o === "*"))
        return [f("dangerous", cmd, "discards uncommitted changes in the whole work tree")];
      return [
        f(
          "review",
          cmd,
          sub === "checkout" ? "switches branches or restores files" : "restores files, discarding their changes",
        ),
      ];
    case "stash":
      if (ops[0] === "clear") return [f("dangerous", cmd, "deletes every stash for good")];
      if (ops[0] === "list" || ops[0] === "show") return [f("safe", cmd, "only lists stashes")];
      return [f("review", cmd, "changes the stash")];
    case "branch":
      if (
        ops.length === 0 ||
        has(
          a,
          "a",
          "r",
          "l",
          "--list",
          "v",
          "--show-current",
          "--contains",
          "--merged",
          "--no-merged",
          "--all",
          "--remotes",
        )
      ) {
        if (!has(a, "d", "D", "--delete", "m", "M", "--move", "c", "C", "--copy", "u", "--set-upstream-to"))
          return [f("safe", cmd, "only lists branches")];
      }
      return [f("review", cmd, has(a, "D") ? "force-deletes a branch" : "changes branches")];
    case "tag":
      if (ops.length === 0 || has(a, "l", "--list")) return [f("safe", cmd, "only lists tags")];
      return [f("review", cmd, "changes tags")];
    case "config":
      if (has(a, "l", "--list", "--get", "--get-all", "--get-regexp", "--show-origin") || ops.length === 1)
        return [f("safe", cmd, "only reads configuration")];
      return [f("review", cmd, "changes git configuration")];
    case "remote":
      if (ops.length === 0 || ["show", "get-url"].includes(ops[0] ?? "")) return [f("safe", cmd, "only lists remotes")];
      return [f("review", cmd, "changes remotes")];
    case "reflog":
      if (ops[0] === "expire" || ops[0] === "delete")
        return [f("dangerous", cmd, "erases reflog entries, the safety net for lost commits")];
      return [f("safe", cmd, "only shows the reflog")];
    case "filter-branch":
    case "filter-repo":
      return [f("dangerous", cmd, "rewrites the whole history of the repository")];
    case "worktree":
      return ops[0] === "list" ? [f("safe", cmd, "only lists worktrees")] : [f("review", cmd, "changes worktrees")];
    case "submodule":
      return ops[0] === "status" || ops.length === 0
        ? [f("safe", cmd, "only shows submodules")]
        : [f("review", cmd, "changes submodules")];
    default:
      if (GIT_READ.has(sub)) return [f("safe", cmd, "only reads the repository")];
      return [f("review", cmd, `changes the repository (git ${sub})`)];
  }
}
