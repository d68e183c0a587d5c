/**
 * Per-program judgements. Each rule looks at one simple command (wrappers already peeled)
 * and says what it does in words a user can check. Anything not listed is `review`:
 * a program we do not know is never `safe`.
 */
import type { Command, Script, Word } from "./parse";
import { splitWords } from "./parse";
import { programName } from "./wrappers";
import { findRoots, FIND_NARROWING } from "./wrappers";
import { BROAD, classifyPath, describeClass, type PathClass } from "./paths";
import { has, readArgs, value, type Args } from "./args";
import { staticOutput } from "./evaluate";
import {
  FETCHERS,
  INLINE_CODE_FLAGS,
  isDecoder,
  destructiveCallsIn,
  inlineFetchesAndRuns,
  inlineForkBomb,
  isInterpreter,
  pipedSource,
  shellStringsIn,
  wordSource,
} from "./code";

export type Risk = "safe" | "review" | "dangerous";

export interface Finding {
  risk: Risk;
  /** The command (or part of it) the finding is about, as written. */
  part: string;
  /** What it does, as a predicate: "deletes … recursively". */
  says: string;
}

export interface RuleContext {
  /** Files written earlier in the same command line from a download or a decoder (so `curl -o x.sh … && sh x.sh` is caught). */
  downloaded: Set<string>;
  /** Judges a script discovered while judging a command (piped code, inline `os.system("…")`). */
  judgeScript: (source: string) => Finding[];
}

type Rule = (cmd: Command, a: Args, ctx: RuleContext) => Finding[];

const f = (risk: Risk, cmd: Command, says: string): Finding => ({ risk, part: cmd.source, says });

// ---------------------------------------------------------------------------------------
// Read-only programs: they print, search or inspect and change nothing.
const READ_ONLY = new Set([
  "ls", "ll", "la", "dir", "vdir", "exa", "eza", "lsd", "tree", "cat", "tac", "bat", "batcat", "less", "more", "most", "view",
  "head", "tail", "grep", "egrep", "fgrep", "rg", "ag", "ack", "zgrep", "du", "df", "ncdu", "ps", "pstree", "pgrep", "top", "htop", "btop",
  "pwd", "echo", "printf", "which", "whereis", "whatis", "type", "man", "info", "tldr", "apropos", "stat", "file", "wc", "sort", "uniq",
  "cut", "tr", "diff", "colordiff", "sdiff", "cmp", "comm", "date", "cal", "uptime", "whoami", "id", "groups", "who", "w", "last", "uname",
  "printenv", "true", "false", ":", "test", "[", "[[", "basename", "dirname", "realpath", "readlink", "md5sum", "sha1sum", "sha256sum",
  "sha512sum", "shasum", "cksum", "b2sum", "md5", "base64", "base32", "xxd", "od", "hexdump", "strings", "nl", "fold", "fmt", "column",
  "paste", "join", "expand", "unexpand", "pr", "seq", "shuf", "yes", "sleep", "locate", "plocate", "mlocate", "lsof", "free", "vmstat",
  "iostat", "mpstat", "netstat", "ss", "ping", "ping6", "traceroute", "tracepath", "mtr", "dig", "nslookup", "host", "whois", "jq", "nproc",
  "arch", "lscpu", "lsusb", "lspci", "lsmod", "lsblk", "blkid", "findmnt", "tty", "clear", "tput",
  "exit", "return", "wait", "jobs", "fg", "bg", "getent", "locale",
  "sw_vers", "system_profiler", "uptime", "env", "expr", "factor", "bc", "dc", "rev", "zcat", "zless", "bzcat", "xzcat", "history",
  "dirs", "times", "logname", "users", "finger", "pinky", "id", "numfmt", "tsort", "look", "cal", "ncal", "watch-less", "fc-list",
  "lsattr", "getfacl", "namei", "pwdx", "pmap", "vdir", "printf", "nvidia-smi", "sensors", "timedatectl-status", "hostnamectl-status",
  "gitk", "tig", "ldd", "nm", "objdump", "readelf", "size", "fd", "fdfind", "find",
]);

/** Builtins that only change the running shell (directory, variables), nothing on disk. */
const SHELL_STATE = new Set(["cd", "pushd", "popd", "export", "unset", "set", "unalias", "shift", "read", "hash", "umask", "declare", "typeset", "local", "readonly", "shopt", "setopt", "unsetopt"]);

const EDITORS = new Set(["vi", "vim", "nvim", "nano", "pico", "emacs", "code", "subl", "gedit", "kate", "micro", "helix", "hx", "ed", "joe", "mcedit"]);

// ---------------------------------------------------------------------------------------
// Helpers.

function shown(w: Word): string {
  return w.text === "" ? "''" : w.text;
}

/** Severity-ordered judgement of one deleted/moved/changed path. */
function pathFindings(cmd: Command, targets: Word[], verb: string, recursive: boolean): Finding[] {
  const out: Finding[] = [];
  for (const t of targets) {
    const c: PathClass = classifyPath(t);
    const what = describeClass(c, shown(t));
    if (c === "root" || c === "system" || c === "device" || (BROAD.has(c) && (recursive || t.glob || c === "var-root"))) {
      out.push(f("dangerous", cmd, `${recursive ? "recursively " : ""}${verb} ${what}`));
    } else if (BROAD.has(c)) {
      out.push(f("dangerous", cmd, `${verb} ${what}`));
    } else if (c === "unknown") {
      out.push(f("review", cmd, `${recursive ? "recursively " : ""}${verb} ${shown(t)}, a path only known when it runs`));
    } else if (c !== "harmless-dev") {
      out.push(f("review", cmd, `${recursive ? "recursively " : ""}${verb} ${shown(t)}`));
    }
  }
  return out;
}

/** Judges a write into a file: devices and system paths are dangerous, anything else a review. */
function writeFinding(cmd: Command, target: Word, verb: string): Finding | null {
  const c = classifyPath(target);
  if (c === "harmless-dev") return null;
  if (c === "device") return f("dangerous", cmd, `${verb} the disk device ${shown(target)} directly, destroying its data`);
  if (c === "system" || c === "root") return f("dangerous", cmd, `${verb} the system path ${shown(target)}`);
  if (c === "network") return f("review", cmd, `connects to the network address ${shown(target)}`);
  return f("review", cmd, `${verb} ${shown(target)}`);
}

/** Words that `xargs` will append: known when the input is a literal `echo`/`printf`. */
function inputWords(cmd: Command, make: (s: string) => Word): Word[] | null {
  if (!cmd.argsFromInput) return null;
  if (cmd.stdinText?.literal != null) return splitWords(cmd.stdinText.literal).map(make);
  if (cmd.upstream.length === 0) return null;
  const out = staticOutput({ source: "", pipelines: [{ commands: cmd.upstream, background: false }], functions: [], problems: [], depth: 0 });
  return out === null ? null : splitWords(out).map(make);
}

const literalWord = (s: string): Word => ({ text: s, literal: s, pattern: s, glob: /[*?]/.test(s), subs: [] });

// ---------------------------------------------------------------------------------------
// Deleting, moving, writing.

const rm: Rule = (cmd, a) => {
  const recursive = has(a, "r", "R", "--recursive");
  const fromInput = inputWords(cmd, literalWord);
  const targets = [...a.operands, ...(fromInput ?? [])];
  const out: Finding[] = [];
  if (has(a, "--no-preserve-root")) out.push(f("dangerous", cmd, "uses --no-preserve-root, which turns off the protection of /"));
  out.push(...pathFindings(cmd, targets, "deletes", recursive));
  if (cmd.argsFromInput && fromInput === null) out.push(f("review", cmd, `${recursive ? "recursively " : ""}deletes paths read from its input`));
  if (out.length === 0) out.push(f("review", cmd, "deletes files"));
  return out;
};

const shred: Rule = (cmd, a) => [f("dangerous", cmd, `overwrites ${a.operands.map(shown).join(", ") || "files"} so the data can never be recovered`)];

const find: Rule = (cmd, a) => {
  const roots = findRoots(cmd.argv);
  const rootWords = roots.length > 0 ? roots : [literalWord(".")];
  const narrowed = cmd.argv.some((w) => FIND_NARROWING.has(w.text));
  const texts = a.texts;
  const deletes = texts.includes("-delete");
  const execs = cmd.argv.filter((w) => ["-exec", "-execdir", "-ok", "-okdir"].includes(w.text)).length > 0;
  const out: Finding[] = [];
  if (deletes) {
    for (const r of rootWords) {
      const c = classifyPath(r);
      const wide = c === "root" || c === "system" || c === "top" || (BROAD.has(c) && !narrowed);
      out.push(wide
        ? f("dangerous", cmd, narrowed ? `deletes matching files all over ${describeClass(c, shown(r))}` : `deletes ${describeClass(c, shown(r))}`)
        : f("review", cmd, `deletes the files it finds under ${shown(r)}`));
    }
  }
  if (execs) {
    const execProg = cmd.argv[cmd.argv.findIndex((w) => ["-exec", "-execdir", "-ok", "-okdir"].includes(w.text)) + 1];
    const destructive = ["rm", "shred", "unlink", "chmod", "chown", "chgrp", "mv", "truncate", "dd"].includes(programName(execProg));
    for (const r of rootWords) {
      const c = classifyPath(r);
      if (destructive && (c === "root" || c === "system")) out.push(f("dangerous", cmd, `runs ${programName(execProg)} on files all over ${describeClass(c, shown(r))}`));
    }
    // The -exec command itself is judged as its own part (see wrappers.ts).
  }
  if (texts.some((t) => ["-fprint", "-fprint0", "-fprintf", "-fls"].includes(t))) out.push(f("review", cmd, "writes its results to a file"));
  if (out.length === 0 && !execs) out.push(f("safe", cmd, "only searches"));
  return out;
};

const mv: Rule = (cmd, a) => {
  const ops = a.operands;
  const targetDir = value(a, "-t", "--target-directory");
  const dest = targetDir ?? ops[ops.length - 1];
  const sources = targetDir ? ops : ops.slice(0, -1);
  const out: Finding[] = [];
  if (dest && /^\/dev\/null\/?$/.test(dest.literal ?? "")) return [f("dangerous", cmd, "moves files onto /dev/null, which destroys them (and can break /dev/null itself)")];
  for (const s of sources) {
    const c = classifyPath(s);
    if (BROAD.has(c) && c !== "var-root") out.push(f("dangerous", cmd, `moves ${describeClass(c, shown(s))} away`));
  }
  if (dest) {
    const w = writeFinding(cmd, dest, "moves files into");
    if (w) out.push(w.risk === "dangerous" ? w : f("review", cmd, `moves ${sources.map(shown).join(", ") || "files"} to ${shown(dest)}, replacing what is there`));
  }
  return out.length > 0 ? out : [f("review", cmd, "moves files")];
};

const copyLike = (verb: string): Rule => (cmd, a) => {
  const ops = a.operands;
  const targetDir = value(a, "-t", "--target-directory");
  const dest = targetDir ?? (ops.length >= 2 ? ops[ops.length - 1] : undefined);
  const out: Finding[] = [];
  if (dest) {
    const w = writeFinding(cmd, dest, verb);
    if (w) out.push(w);
  }
  return out.length > 0 ? out : [f("review", cmd, `${verb} files`)];
};

const writesEachOperand = (verb: string, emptyIsSafe = false): Rule => (cmd, a) => {
  const out: Finding[] = [];
  for (const t of a.operands) {
    const w = writeFinding(cmd, t, verb);
    if (w) out.push(w);
  }
  if (out.length === 0) out.push(emptyIsSafe ? f("safe", cmd, "only passes its input through") : f("review", cmd, `${verb} files`));
  return out;
};

const sed: Rule = (cmd, a) => {
  if (!has(a, "i", "--in-place")) return [f("safe", cmd, "only prints the edited text")];
  const files = has(a, "e", "--expression", "f", "--file") ? a.operands : a.operands.slice(1);
  return writesEachOperand("edits")(cmd, { ...a, operands: files }, { downloaded: new Set(), judgeScript: () => [] });
};

const truncate: Rule = (cmd, a) => writesEachOperand("truncates (empties)")(cmd, a, { downloaded: new Set(), judgeScript: () => [] });

const dd: Rule = (cmd) => {
  const of = cmd.argv.find((w) => w.text.startsWith("of="));
  if (!of) return [f("review", cmd, "copies raw data")];
  const target = literalWord(of.text.slice(3));
  const w = writeFinding(cmd, { ...of, text: target.text, literal: of.literal?.slice(3) ?? null, pattern: of.pattern.slice(3) }, "writes");
  return [w ?? f("review", cmd, "copies raw data")];
};

const disk: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const listing =
    ((prog === "fdisk" || prog === "sfdisk" || prog === "gdisk") && has(a, "l", "--list", "d", "--dump")) ||
    (prog === "parted" && (has(a, "l", "--list") || a.texts.includes("print"))) ||
    (prog === "wipefs" && !has(a, "a", "--all", "o", "--offset"));
  if (listing) return [f("safe", cmd, "only lists partitions")];
  return [f("dangerous", cmd, `can erase disks or partitions (${prog})`)];
};

const perms: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const recursive = has(a, "R", "--recursive");
  const refMode = has(a, "--reference");
  const targets = refMode ? a.operands : a.operands.slice(1);
  const what = prog === "chmod" ? "changes permissions of" : prog === "chgrp" ? "changes the group of" : prog === "setfacl" ? "changes the access lists of" : "changes the owner of";
  const out: Finding[] = [];
  for (const t of targets) {
    const c = classifyPath(t);
    // The current directory is the user's project: changing it recursively is a review, not a catastrophe.
    if (c === "root" || c === "system" || c === "device" || ((recursive || t.glob) && BROAD.has(c) && c !== "cwd")) {
      out.push(f("dangerous", cmd, `${what} ${describeClass(c, shown(t))}${recursive ? " recursively" : ""}, which can break the system or lock you out`));
    } else if (c !== "harmless-dev") {
      out.push(f("review", cmd, `${what} ${shown(t)}${recursive ? " recursively" : ""}`));
    }
  }
  return out.length > 0 ? out : [f("review", cmd, `${what} files`)];
};

// ---------------------------------------------------------------------------------------
// git, docker and friends: judged per subcommand.

/** The first operand after global options, and the args from there on. */
function subcommand(cmd: Command, globalWithValue: readonly string[]): { sub: string; rest: Word[] } {
  let i = 1;
  while (i < cmd.argv.length) {
    const t = cmd.argv[i]!.text;
    if (globalWithValue.includes(t)) i += 2;
    else if (t.startsWith("-")) i++;
    else break;
  }
  return { sub: cmd.argv[i]?.text ?? "", rest: cmd.argv.slice(i) };
}

const GIT_READ = new Set(["status", "log", "diff", "show", "blame", "grep", "ls-files", "ls-tree", "ls-remote", "rev-parse", "rev-list", "describe", "shortlog", "cat-file", "help", "version", "whatchanged", "cherry", "count-objects", "show-ref", "name-rev", "merge-base", "for-each-ref", "check-ignore", "var", "diff-tree", "diff-files", "diff-index", "show-branch", "annotate", "range-diff", "verify-commit", "fsck", ""]);

const git: Rule = (cmd) => {
  const { sub, rest } = subcommand(cmd, ["-C", "-c", "--git-dir", "--work-tree", "--namespace"]);
  const a = readArgs(rest, ["-m", "-o", "--push-option", "-C", "-c", "-F", "--file"]);
  const ops = a.operands.map((w) => w.text);
  switch (sub) {
    case "push": {
      if (has(a, "f", "--force", "--force-with-lease", "--force-if-includes")) return [f("dangerous", cmd, "force-pushes, overwriting the history of the remote branch")];
      if (has(a, "--mirror")) return [f("dangerous", cmd, "mirrors every local ref onto the remote, overwriting and deleting remote branches")];
      if (has(a, "d", "--delete") || has(a, "--prune")) return [f("dangerous", cmd, "deletes branches on the remote")];
      if (ops.slice(1).some((r) => r.startsWith("+"))) return [f("dangerous", cmd, "force-pushes a +refspec, overwriting the history of the remote branch")];
      if (ops.slice(1).some((r) => r.startsWith(":"))) return [f("dangerous", cmd, "deletes a branch on the remote (:refspec)")];
      return [f("review", cmd, "publishes commits to a remote")];
    }
    case "reset":
      if (has(a, "--hard")) return [f("dangerous", cmd, "discards all uncommitted changes for good (--hard)")];
      return [f("review", cmd, "moves the current branch")];
    case "clean":
      if (has(a, "n", "--dry-run")) return [f("safe", cmd, "only lists what would be deleted (dry run)")];
      if (has(a, "f", "--force")) return [f("dangerous", cmd, `deletes untracked${has(a, "x") ? " and ignored" : ""} files${has(a, "d") ? " and directories" : ""} for good`)];
      return [f("review", cmd, "deletes untracked files")];
    case "checkout":
    case "restore":
      if (has(a, "f", "--force") || ops.some((o) => o === "." || o === ":/" || o === "*")) return [f("dangerous", cmd, "discards uncommitted changes in the whole work tree")];
      return [f("review", cmd, sub === "checkout" ? "switches branches or restores files" : "restores files, discarding their changes")];
    case "stash":
      if (ops[0] === "clear") return [f("dangerous", cmd, "deletes every stash for good")];
      if (ops[0] === "list" || ops[0] === "show") return [f("safe", cmd, "only lists stashes")];
      return [f("review", cmd, "changes the stash")];
    case "branch":
      if (ops.length === 0 || has(a, "a", "r", "l", "--list", "v", "--show-current", "--contains", "--merged", "--no-merged", "--all", "--remotes")) {
        if (!has(a, "d", "D", "--delete", "m", "M", "--move", "c", "C", "--copy", "u", "--set-upstream-to")) return [f("safe", cmd, "only lists branches")];
      }
      return [f("review", cmd, has(a, "D") ? "force-deletes a branch" : "changes branches")];
    case "tag":
      if (ops.length === 0 || has(a, "l", "--list")) return [f("safe", cmd, "only lists tags")];
      return [f("review", cmd, "changes tags")];
    case "config":
      if (has(a, "l", "--list", "--get", "--get-all", "--get-regexp", "--show-origin") || ops.length === 1) return [f("safe", cmd, "only reads configuration")];
      return [f("review", cmd, "changes git configuration")];
    case "remote":
      if (ops.length === 0 || ["show", "get-url"].includes(ops[0] ?? "")) return [f("safe", cmd, "only lists remotes")];
      return [f("review", cmd, "changes remotes")];
    case "reflog":
      if (ops[0] === "expire" || ops[0] === "delete") return [f("dangerous", cmd, "erases reflog entries, the safety net for lost commits")];
      return [f("safe", cmd, "only shows the reflog")];
    case "filter-branch":
    case "filter-repo":
      return [f("dangerous", cmd, "rewrites the whole history of the repository")];
    case "worktree":
      return ops[0] === "list" ? [f("safe", cmd, "only lists worktrees")] : [f("review", cmd, "changes worktrees")];
    case "submodule":
      return ops[0] === "status" || ops.length === 0 ? [f("safe", cmd, "only shows submodules")] : [f("review", cmd, "changes submodules")];
    default:
      if (GIT_READ.has(sub)) return [f("safe", cmd, "only reads the repository")];
      return [f("review", cmd, `changes the repository (git ${sub})`)];
  }
};

const DOCKER_READ = new Set(["ps", "images", "logs", "inspect", "version", "info", "stats", "top", "port", "diff", "history", "search", "events", "ls", "df", "config", "help", "list", ""]);

const docker: Rule = (cmd) => {
  const { sub, rest } = subcommand(cmd, ["-H", "--host", "--context", "-c", "--config", "-l", "--log-level", "-f", "--file", "-p", "--project-name"]);
  const a = readArgs(rest);
  const ops = a.operands.map((w) => w.text);
  const object = ["system", "volume", "image", "container", "network", "builder", "buildx", "context", "compose", "plugin"].includes(sub) ? ops[0] ?? "" : "";
  const action = object || sub;
  if (sub === "system" && object === "prune") {
    if (has(a, "a", "--all", "--volumes")) return [f("dangerous", cmd, "deletes all unused Docker data (images, containers, networks and build cache" + (has(a, "--volumes") ? ", volumes" : "") + ")")];
    return [f("review", cmd, "deletes stopped containers, dangling images and unused networks")];
  }
  if (sub === "volume" && object === "prune") return [f("dangerous", cmd, "deletes every unused Docker volume and the data in it")];
  if (sub === "compose" && object === "down" && has(a, "v", "--volumes")) return [f("review", cmd, "stops the project and deletes its volumes")];
  if (["rm", "rmi", "kill", "stop"].includes(action) || (["volume", "image", "container"].includes(sub) && action === "rm")) {
    const all = rest.some((w) => w.subs.some((s) => /\b(ps|images|ls)\b/.test(s.source) && /(^|\s)-\w*q/.test(s.source)));
    if (all && action !== "stop") return [f("dangerous", cmd, `removes every ${sub === "rmi" || sub === "image" ? "image" : sub === "volume" ? "volume and its data" : "container"}`)];
    return [f("review", cmd, `${action === "stop" || action === "kill" ? "stops" : "removes"} Docker ${sub === "rmi" || sub === "image" ? "images" : sub === "volume" ? "volumes" : "containers"}`)];
  }
  if (DOCKER_READ.has(action) && action !== "config" && !(sub === "context" && action !== "ls")) return [f("safe", cmd, "only reads Docker state")];
  if (sub === "compose" && ["ps", "logs", "config", "ls", "top", "images"].includes(object)) return [f("safe", cmd, "only reads Docker state")];
  if (sub === "exec" || sub === "run" || (sub === "compose" && (object === "exec" || object === "run"))) return [f("review", cmd, "runs a command in a container")];
  return [f("review", cmd, `changes Docker state (${[sub, object].filter(Boolean).join(" ")})`)];
};

const kubectl: Rule = (cmd) => {
  const { sub, rest } = subcommand(cmd, ["-n", "--namespace", "--context", "--kubeconfig", "-o", "--output"]);
  const a = readArgs(rest, ["-n", "--namespace", "-o", "-l", "--selector", "-f"]);
  if (["get", "describe", "logs", "top", "explain", "version", "api-resources", "api-versions", "cluster-info", "auth", "diff", ""].includes(sub)) return [f("safe", cmd, "only reads cluster state")];
  if (sub === "config" && ["view", "get-contexts", "current-context", "get-clusters"].includes(a.operands[0]?.text ?? "")) return [f("safe", cmd, "only reads configuration")];
  if (sub === "delete") {
    const kind = a.operands[0]?.text ?? "";
    if (has(a, "--all", "A", "--all-namespaces") || /^(ns|namespace|namespaces|node|nodes|pv|persistentvolume|persistentvolumes|crd|crds)$/.test(kind)) {
      return [f("dangerous", cmd, "deletes cluster resources wholesale")];
    }
    return [f("review", cmd, "deletes cluster resources")];
  }
  return [f("review", cmd, `changes cluster state (kubectl ${sub})`)];
};

const terraform: Rule = (cmd) => {
  const { sub, rest } = subcommand(cmd, ["-chdir"]);
  if (sub === "destroy" || (sub === "apply" && rest.some((w) => w.text === "-destroy"))) return [f("dangerous", cmd, "destroys the infrastructure it manages")];
  if (["plan", "show", "validate", "output", "version", "fmt", "graph", "providers", "state"].includes(sub) && !(sub === "state" && ["rm", "mv", "push"].includes(rest[1]?.text ?? ""))) return [f("safe", cmd, "only reads or plans")];
  return [f("review", cmd, `changes infrastructure (terraform ${sub})`)];
};

// ---------------------------------------------------------------------------------------
// Processes and power.

const kill: Rule = (cmd) => {
  const words = cmd.argv.slice(1).map((w) => w.text);
  let i = 0;
  if (words[0] === "-s" || words[0] === "-n") i = 2;
  else if (words[0] !== undefined && /^-([A-Z]+|\d+|SIG\w+)$/.test(words[0]) && words.length > 1) i = 1;
  const targets = words.slice(i).filter((t) => t !== "--");
  if (targets.includes("-1")) return [f("dangerous", cmd, "kills every process you are allowed to signal (pid -1)")];
  if (targets.includes("1")) return [f("dangerous", cmd, "signals init (pid 1), which can bring the system down")];
  if (words.includes("-l") || words.includes("-L")) return [f("safe", cmd, "only lists signals")];
  return [f("review", cmd, `stops process ${targets.join(" ")}`.trim())];
};

const power: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  if (prog === "shutdown" && has(a, "c")) return [f("review", cmd, "cancels a scheduled shutdown")];
  return [f("dangerous", cmd, `${prog === "reboot" ? "restarts" : "shuts down"} the machine`)];
};

const init: Rule = (cmd, a) => {
  const level = a.operands[0]?.text ?? "";
  if (/^[016sS]$/.test(level)) return [f("dangerous", cmd, `switches the system to runlevel ${level} (${level === "0" ? "halt" : level === "6" ? "reboot" : "single-user"})`)];
  return [f("review", cmd, "changes the system's runlevel")];
};

const systemctl: Rule = (cmd, a) => {
  const action = a.operands[0]?.text ?? "";
  if (["poweroff", "reboot", "halt", "kexec", "rescue", "emergency", "soft-reboot"].includes(action)) return [f("dangerous", cmd, `${action === "reboot" || action === "soft-reboot" || action === "kexec" ? "restarts" : "shuts down or isolates"} the machine`)];
  if (action === "" || /^(status|show|cat|help|is-|list-|get-default)/.test(action)) return [f("safe", cmd, "only shows services")];
  if (action === "isolate") return [f("dangerous", cmd, "switches the whole system to another target")];
  return [f("review", cmd, `changes system services (systemctl ${action})`)];
};

const service: Rule = (cmd, a) => {
  const action = a.operands[1]?.text ?? a.operands[0]?.text ?? "";
  if (action === "status" || has(a, "--status-all")) return [f("safe", cmd, "only shows service status")];
  return [f("review", cmd, "starts, stops or restarts a system service")];
};

// ---------------------------------------------------------------------------------------
// Network.

const curl: Rule = (cmd, a, ctx) => {
  const out: Finding[] = [];
  const file = value(a, "-o", "--output");
  if (file) ctx.downloaded.add(file.literal ?? file.text);
  if (has(a, "O", "--remote-name")) for (const u of a.operands) ctx.downloaded.add(basenameOfUrl(u.text));
  if (file || has(a, "O", "--remote-name")) out.push(f("review", cmd, `downloads into ${file ? shown(file) : "a file"}`));
  const method = value(a, "-X", "--request")?.text.toUpperCase();
  if (has(a, "d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "F", "--form", "T", "--upload-file", "--json") || (method && method !== "GET" && method !== "HEAD")) {
    out.push(f("review", cmd, "sends data to a remote service, which can change state there"));
  }
  return out.length > 0 ? out : [f("safe", cmd, "only downloads and prints")];
};

function basenameOfUrl(u: string): string {
  const path = u.replace(/[?#].*$/, "");
  return path.slice(path.lastIndexOf("/") + 1) || "index.html";
}

const wget: Rule = (cmd, a, ctx) => {
  const out = value(a, "-O", "--output-document");
  if (out && (out.text === "-" || out.text === "/dev/stdout")) return [f("safe", cmd, "only downloads and prints")];
  if (out) ctx.downloaded.add(out.literal ?? out.text);
  else for (const u of a.operands) ctx.downloaded.add(basenameOfUrl(u.text));
  return [f("review", cmd, `downloads into ${out ? shown(out) : "a file"}`)];
};

const netcat: Rule = (cmd, a) => {
  if (has(a, "e", "c", "--exec", "--sh-exec", "--lua-exec")) return [f("dangerous", cmd, "gives whoever connects a shell on this machine")];
  return [f("review", cmd, "opens a network connection")];
};

// ---------------------------------------------------------------------------------------
// Packages.

const PKG_READ = /^(list|ls|ll|la|search|show|info|view|policy|madison|depends|rdepends|outdated|help|--version|-v|-V|version|why|explain|config|doctor|audit|freeze|check|root|prefix|whoami|ping|query|-Q\w*|-Ss|-Si|-l|-L|-s|-S|files|search-installed|desc|leaves|deps|home|env|fund|cache)$/;
const CRITICAL_PACKAGES = /^(libc6|libc-bin|systemd|sudo|coreutils|bash|dash|apt|dpkg|python3|linux-image.*|grub.*|glibc|util-linux|login|passwd|openssh-server|base|base-files|init|kernel.*)$/;

const packageManager: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const sub = a.operands[0]?.text ?? cmd.argv[1]?.text ?? "";
  if (sub === "" && ["yarn", "bun", "bundle", "composer", "poetry", "pipenv"].includes(prog)) return [f("review", cmd, "installs the project's dependencies")];
  if (sub === "" || PKG_READ.test(sub)) {
    if (!(sub === "audit" && a.texts.includes("fix")) && !(sub === "version" && a.operands.length > 1) && !(sub === "config" && ["set", "delete", "edit"].includes(a.operands[1]?.text ?? ""))) {
      return [f("safe", cmd, "only reads package information")];
    }
  }
  if (["remove", "purge", "autoremove", "erase", "uninstall", "-R", "-Rs", "-Rns", "del"].includes(sub)) {
    const crit = a.operands.slice(1).find((w) => CRITICAL_PACKAGES.test(w.text));
    if (crit) return [f("dangerous", cmd, `removes ${crit.text}, a package the operating system needs`)];
    return [f("review", cmd, `removes packages (${prog} ${sub})`)];
  }
  if (sub === "publish") return [f("review", cmd, "publishes a package to a registry")];
  if (["run", "run-script", "test", "start", "exec", "x", "dlx", "create"].includes(sub) || prog === "npx" || prog === "pnpx" || prog === "bunx" || prog === "uvx") {
    return [f("review", cmd, prog === "npx" || prog === "pnpx" || prog === "bunx" || prog === "uvx" || sub === "dlx" ? "downloads and runs a package" : "runs project scripts")];
  }
  return [f("review", cmd, `changes installed packages (${prog} ${sub})`.trim())];
};

// ---------------------------------------------------------------------------------------
// Misc.

const crontab: Rule = (cmd, a, ctx) => {
  if (has(a, "r")) return [f("dangerous", cmd, "deletes all of your scheduled cron jobs without asking")];
  if (has(a, "l")) return [f("safe", cmd, "only lists cron jobs")];
  // A crontab piped in from echo/printf: the scheduled commands are judged like typed ones.
  const table = cmd.upstream.length > 0 ? staticOutput({ source: "", pipelines: [{ commands: cmd.upstream, background: false }], functions: [], problems: [], depth: 0 }) : null;
  const scheduled = (table ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => (l.startsWith("@") ? l.replace(/^@\S+\s+/, "") : l.split(/\s+/).slice(5).join(" ")));
  return [f("review", cmd, "changes scheduled cron jobs"), ...scheduled.flatMap((c) => ctx.judgeScript(c))];
};

const tar: Rule = (cmd, a) => {
  const first = cmd.argv[1]?.text ?? "";
  const modes = has(a, "t", "--list") || /^[^-]*t/.test(first);
  if (modes && !has(a, "x", "c", "--extract", "--create")) return [f("safe", cmd, "only lists the archive")];
  const dir = value(a, "-C", "--directory");
  if (dir && (has(a, "x", "--extract") || /^[^-]*x/.test(first))) {
    const w = writeFinding(cmd, dir, "extracts files into");
    if (w) return [w];
  }
  return [f("review", cmd, "creates or extracts an archive, which writes files")];
};

const awk: Rule = (cmd, a, ctx) => {
  const program = a.operands[0]?.literal ?? "";
  if (/system\s*\(|\|\s*"|print[^;]*>|getline/.test(program) || has(a, "i")) {
    const inner = [...program.matchAll(/system\s*\(\s*"((?:\\.|[^"])*)"/g)].flatMap((m) => ctx.judgeScript(m[1]!));
    return [f("review", cmd, "runs an awk program that can run commands or write files"), ...inner];
  }
  return [f("safe", cmd, "only processes text")];
};

const aliasRule: Rule = (cmd, a, ctx) => {
  const out: Finding[] = [];
  for (const w of a.operands) {
    const eq = (w.literal ?? "").indexOf("=");
    if (eq > 0) out.push(...ctx.judgeScript(w.literal!.slice(eq + 1)));
  }
  return out.length > 0 ? out : [f("safe", cmd, "only defines or lists aliases")];
};

const network: Rule = (cmd, a) => {
  const changing = a.texts.some((t) => /^(add|del|delete|set|flush|change|replace|up|down|append|prepend|route|mtu|netmask|link-set)$/.test(t));
  const prog = programName(cmd.argv[0]);
  if (!changing && !(prog === "ifconfig" && a.operands.length > 1)) return [f("safe", cmd, "only shows network settings")];
  return [f("review", cmd, "changes network settings")];
};

const readWithWriteFlags = (writeFlags: string[]): Rule => (cmd, a) => {
  if (has(a, ...writeFlags)) return [f("review", cmd, `changes state (${writeFlags.filter((w) => has(a, w)).join(" ")})`)];
  return [f("safe", cmd, "only reads")];
};

const sort: Rule = (cmd, a) => {
  const o = value(a, "-o", "--output");
  if (o) return [writeFinding(cmd, o, "writes") ?? f("review", cmd, "writes a file")];
  return [f("safe", cmd, "only prints sorted text")];
};

export const RULES: Record<string, Rule> = {
  rm,
  unlink: rm,
  rmdir: (cmd, a) => pathFindings(cmd, a.operands, "removes the directory", false),
  shred,
  srm: shred,
  wipe: shred,
  find,
  mv,
  cp: copyLike("copies files into"),
  install: copyLike("installs files into"),
  ln: copyLike("creates a link at"),
  rsync: (cmd, a, ctx) => {
    const out = copyLike("syncs files into")(cmd, a, ctx);
    const dest = a.operands[a.operands.length - 1];
    if (dest && [...a.long].some((l) => l.startsWith("--delete")) && BROAD.has(classifyPath(dest))) out.push(f("dangerous", cmd, `deletes everything in ${describeClass(classifyPath(dest), shown(dest))} that is not in the source`));
    return out;
  },
  scp: copyLike("copies files to"),
  tee: writesEachOperand("writes", true),
  touch: writesEachOperand("creates or touches"),
  mkdir: writesEachOperand("creates the directory"),
  truncate,
  sed,
  dd,
  mkfs: disk,
  mke2fs: disk,
  mkswap: disk,
  mkdosfs: disk,
  mkntfs: disk,
  fdisk: disk,
  sfdisk: disk,
  gdisk: disk,
  sgdisk: disk,
  cgdisk: disk,
  cfdisk: disk,
  parted: disk,
  wipefs: disk,
  blkdiscard: disk,
  hdparm: (cmd, a) => (a.long.has("--security-erase") || a.long.has("--security-erase-enhanced") || has(a, "--trim-sector-ranges") ? disk(cmd, a, { downloaded: new Set(), judgeScript: () => [] }) : [f("review", cmd, "changes disk settings")]),
  cryptsetup: (cmd, a) => (a.texts.some((t) => /^(luksFormat|erase|luksErase|reencrypt)$/.test(t)) ? [f("dangerous", cmd, "formats or erases an encrypted volume")] : [f("review", cmd, "changes encrypted volumes")]),
  lvremove: (cmd) => [f("dangerous", cmd, "deletes logical volumes and their data")],
  vgremove: (cmd) => [f("dangerous", cmd, "deletes volume groups and their data")],
  pvremove: (cmd) => [f("dangerous", cmd, "wipes physical volume labels")],
  zpool: (cmd, a) => (a.operands[0]?.text === "destroy" ? [f("dangerous", cmd, "destroys a ZFS pool and its data")] : [f("review", cmd, "changes ZFS pools")]),
  diskutil: (cmd, a) => (/^(erase|zero|secureErase|partitionDisk|reformat)/i.test(a.operands[0]?.text ?? "") ? [f("dangerous", cmd, "erases or repartitions a disk")] : /^(list|info)$/.test(a.operands[0]?.text ?? "") ? [f("safe", cmd, "only lists disks")] : [f("review", cmd, "changes disks")]),
  chmod: perms,
  chown: perms,
  chgrp: perms,
  setfacl: perms,
  chattr: (cmd) => [f("review", cmd, "changes file attributes")],
  git,
  docker,
  podman: docker,
  nerdctl: docker,
  "docker-compose": (cmd, a, ctx) => docker({ ...cmd, argv: [literalWord("docker"), literalWord("compose"), ...cmd.argv.slice(1)] }, a, ctx),
  kubectl,
  oc: kubectl,
  terraform,
  tofu: terraform,
  kill,
  killall5: (cmd) => [f("dangerous", cmd, "signals every process on the system")],
  killall: (cmd) => [f("review", cmd, "stops processes by name")],
  pkill: (cmd) => [f("review", cmd, "stops processes by name")],
  shutdown: power,
  reboot: power,
  halt: power,
  poweroff: power,
  init,
  telinit: init,
  systemctl,
  service,
  curl,
  wget,
  nc: netcat,
  ncat: netcat,
  netcat,
  socat: (cmd, a) => (a.texts.some((t) => /exec:|system:/i.test(t)) ? [f("dangerous", cmd, "connects a network socket to a program, which can expose a shell")] : [f("review", cmd, "opens a network connection")]),
  crontab,
  tar,
  awk,
  gawk: awk,
  mawk: awk,
  alias: aliasRule,
  ip: network,
  ifconfig: network,
  route: network,
  nmcli: network,
  sort,
  journalctl: readWithWriteFlags(["--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate", "--flush"]),
  dmesg: readWithWriteFlags(["c", "C", "--clear", "--read-clear"]),
  mount: (cmd, a) => (a.operands.length === 0 && !has(a, "a") ? [f("safe", cmd, "only lists mounts")] : [f("review", cmd, "changes mounted filesystems")]),
  umount: (cmd) => [f("review", cmd, "unmounts a filesystem")],
  sysctl: (cmd, a) => (has(a, "w", "p", "--write", "--load", "--system") || a.operands.some((w) => w.text.includes("=")) ? [f("review", cmd, "changes kernel settings")] : [f("safe", cmd, "only reads kernel settings")]),
  hostname: (cmd, a) => (a.operands.length > 0 ? [f("review", cmd, "changes the machine's name")] : [f("safe", cmd, "only prints the machine's name")]),
  date: (cmd, a) => (has(a, "s", "--set") ? [f("review", cmd, "sets the system clock")] : [f("safe", cmd, "only prints the date")]),
  history: (cmd, a) => (has(a, "c", "d", "w") ? [f("review", cmd, "changes the shell history")] : [f("safe", cmd, "only prints the shell history")]),
  yq: (cmd, a) => (has(a, "i", "--inplace") ? writesEachOperand("edits")(cmd, { ...a, operands: a.operands.slice(1) }, { downloaded: new Set(), judgeScript: () => [] }) : [f("safe", cmd, "only processes text")]),
  unzip: (cmd, a) => (has(a, "l", "t", "Z") ? [f("safe", cmd, "only lists the archive")] : [f("review", cmd, "extracts files, possibly overwriting existing ones")]),
  userdel: (cmd, a) => (has(a, "r", "--remove") ? [f("dangerous", cmd, "deletes a user account together with its home directory")] : [f("review", cmd, "deletes a user account")]),
  command: (cmd, a) => (has(a, "v", "V") ? [f("safe", cmd, "only looks a command up")] : [f("review", cmd, "runs a command")]),
  iptables: (cmd, a) => (has(a, "L", "S", "--list") && !has(a, "F", "X", "A", "D", "I", "P") ? [f("safe", cmd, "only lists firewall rules")] : [f("review", cmd, "changes firewall rules")]),
};

const PACKAGE_MANAGERS = ["npm", "pnpm", "yarn", "bun", "npx", "pnpx", "bunx", "pip", "pip3", "pipx", "uv", "uvx", "poetry", "pipenv", "conda", "mamba", "gem", "cargo", "go", "composer", "bundle", "apt", "apt-get", "aptitude", "dpkg", "dnf", "yum", "zypper", "pacman", "yay", "paru", "apk", "brew", "port", "snap", "flatpak", "nix-env", "choco", "winget", "scoop", "rpm", "mvn", "gradle", "dotnet", "deno-install", "corepack"];
for (const p of PACKAGE_MANAGERS) RULES[p] = packageManager;

/** Programs the rules know; anything else is `review` as unknown. */
export function isKnownProgram(prog: string): boolean {
  return prog in RULES || READ_ONLY.has(prog) || SHELL_STATE.has(prog) || EDITORS.has(prog) || isInterpreter(prog) || /^mkfs\./.test(prog);
}

// ---------------------------------------------------------------------------------------
// Interpreters and code from elsewhere.

function interpreterFindings(cmd: Command, prog: string, a: Args, ctx: RuleContext): Finding[] | null {
  if (!isInterpreter(prog) && prog !== "source" && prog !== ".") return null;
  const out: Finding[] = [];
  const base = prog.replace(/\d(\.\d+)?$/, "") === "python" ? "python3" : prog;
  if (a.texts.length === 1 && /^(--version|-V|-v|--help|-h)$/.test(a.texts[0]!)) return [f("safe", cmd, "only prints its version or help")];

  const flags = INLINE_CODE_FLAGS[base] ?? INLINE_CODE_FLAGS[prog] ?? [];
  const flagIdx = cmd.argv.findIndex((w, k) => k > 0 && flags.includes(w.text));
  if (flagIdx > 0) {
    const codeWord = cmd.argv[flagIdx + 1];
    const code = codeWord?.literal ?? null;
    if (codeWord && code === null) {
      const src = wordSource(codeWord);
      if (src) return [f("dangerous", cmd, `runs code ${src.kind === "fetch" ? "downloaded by" : "decoded by"} \`${src.from.source}\``)];
      return [f("review", cmd, "runs inline code that is only known when it runs")];
    }
    if (code !== null) {
      if (inlineForkBomb(code)) return [f("dangerous", cmd, "forks processes without end (a fork bomb)")];
      if (inlineFetchesAndRuns(code)) out.push(f("dangerous", cmd, "downloads code and runs it"));
      for (const s of shellStringsIn(code)) out.push(...ctx.judgeScript(s));
      for (const d of destructiveCallsIn(code)) {
        const c = d.target === null ? "unknown" : classifyPath(literalWord(d.target));
        if (d.target !== null && BROAD.has(c)) out.push(f("dangerous", cmd, `deletes ${describeClass(c, d.target)} (${d.call})`));
        else out.push(f("review", cmd, `deletes files (${d.call})`));
      }
      out.push(f("review", cmd, `runs inline ${prog} code`));
      return out;
    }
  }

  const mod = value(a, "-m");
  if (mod) return [f("review", cmd, `runs the ${prog} module ${shown(mod)}`)];

  // Script file or process substitution as the program's code.
  const script = a.operands[0];
  if (script) {
    const src = wordSource(script);
    if (src) return [f("dangerous", cmd, `runs code ${src.kind === "fetch" ? "downloaded by" : "decoded by"} \`${src.from.source}\` without showing it`)];
    const name = script.literal ?? script.text;
    if (ctx.downloaded.has(name) || ctx.downloaded.has(name.replace(/^\.\//, ""))) return [f("dangerous", cmd, `runs ${name}, which was just written from a download or a decoder and has not been reviewed`)];
    if (script.text !== "-" && !(prog in SHELL_LIKE && a.texts.includes("-s"))) return [f("review", cmd, `runs the ${prog === "source" || prog === "." ? "shell" : prog} script ${shown(script)}`)];
  }

  // Code from standard input: a pipeline, a here-document or the terminal.
  const piped = pipedSource(cmd);
  if (piped) return [f("dangerous", cmd, `runs code ${piped.kind === "fetch" ? "downloaded by" : "decoded by"} \`${piped.from.source}\` without showing it`)];
  if (cmd.upstream.length > 0) {
    const known = staticOutput({ source: "", pipelines: [{ commands: cmd.upstream, background: false }], functions: [], problems: [], depth: 0 });
    if (known !== null && prog in SHELL_LIKE) out.push(...ctx.judgeScript(known));
    out.push(f("review", cmd, `runs whatever \`${cmd.upstream[cmd.upstream.length - 1]!.source}\` prints as ${prog} code`));
    return out;
  }
  if (cmd.stdinText) {
    if (cmd.stdinText.literal !== null && prog in SHELL_LIKE) out.push(...ctx.judgeScript(cmd.stdinText.literal));
    else if (cmd.stdinText.literal === null) {
      const src = wordSource(cmd.stdinText);
      if (src) return [f("dangerous", cmd, `runs code ${src.kind === "fetch" ? "downloaded by" : "decoded by"} \`${src.from.source}\``)];
    }
    out.push(f("review", cmd, `runs the ${prog} code given as its input`));
    return out;
  }
  const inRedirect = cmd.redirects.find((r) => r.op === "<");
  if (inRedirect) {
    const name = inRedirect.target.literal ?? "";
    if (ctx.downloaded.has(name)) return [f("dangerous", cmd, `runs ${name}, which was just written from a download or a decoder and has not been reviewed`)];
    const src = wordSource(inRedirect.target);
    if (src) return [f("dangerous", cmd, `runs code ${src.kind === "fetch" ? "downloaded by" : "decoded by"} \`${src.from.source}\``)];
    return [f("review", cmd, `runs the script ${shown(inRedirect.target)}`)];
  }
  return [f("review", cmd, prog === "source" || prog === "." ? "runs a script in the current shell" : `starts ${prog}, which can run anything`)];
}

const SHELL_LIKE: Record<string, true> = { sh: true, bash: true, zsh: true, dash: true, ksh: true, mksh: true, ash: true, fish: true, source: true, ".": true, rbash: true, yash: true };

// ---------------------------------------------------------------------------------------

/** Everything one simple command does, as findings (at least one). */
export function judgeCommand(cmd: Command, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  if (cmd.privileged) out.push(f("review", cmd, `runs with administrator rights (${cmd.via.filter((v) => ["sudo", "doas", "su", "pkexec", "run0", "runuser"].includes(v)).join(", ")})`));
  const prog = programName(cmd.argv[0]);
  const isFetcher = FETCHERS.has(prog);

  for (const r of cmd.redirects) {
    if (![">", ">>", ">|", "&>", "&>>", "<>", ">&"].includes(r.op)) continue;
    if (r.op === ">&" && /^\d+$|^-$/.test(r.target.text)) continue;
    const c = classifyPath(r.target);
    if (c === "network") {
      out.push(isInterpreter(prog) ? f("dangerous", cmd, `connects a shell to ${shown(r.target)} (a reverse shell)`) : f("review", cmd, `sends output to ${shown(r.target)}`));
      continue;
    }
    const w = writeFinding(cmd, r.target, r.op.includes(">>") ? "appends to" : "overwrites");
    if (w) out.push(w);
    if ((isFetcher || isDecoder(cmd) || pipedSource(cmd)) && r.target.literal) ctx.downloaded.add(r.target.literal);
  }
  for (const r of cmd.redirects) {
    if (r.op === "<" && classifyPath(r.target) === "network" && isInterpreter(prog)) out.push(f("dangerous", cmd, `reads shell input from ${shown(r.target)} (a reverse shell)`));
  }

  for (const w of cmd.runsDynamic) {
    const src = wordSource(w);
    out.push(src
      ? f("dangerous", cmd, `runs code ${src.kind === "fetch" ? "downloaded by" : "decoded by"} \`${src.from.source}\` without showing it`)
      : f("review", cmd, `runs code that is only known when it runs (${shown(w)})`));
  }
  if (cmd.via.includes("ssh") || prog === "ssh") {
    // Remote commands are judged from cmd.runs; connecting is a review.
  }

  if (cmd.argv.length === 0) {
    if (cmd.privileged && cmd.runs.length === 0 && cmd.runsDynamic.length === 0) out.push(f("review", cmd, "opens an administrator shell"));
    if (out.length === 0 && cmd.redirects.length > 0 && cmd.runs.length === 0) out.push(f("safe", cmd, "only sets up redirections"));
    return out;
  }

  const head = cmd.argv[0]!;
  if (head.literal === null) {
    const src = wordSource(head);
    if (src) out.push(f("dangerous", cmd, `runs a program whose name comes from \`${src.from.source}\``));
    else out.push(f("review", cmd, `runs a program whose name is only known when it runs (${shown(head)})`));
    return out;
  }
  if (ctx.downloaded.has(head.literal) || ctx.downloaded.has(head.literal.replace(/^\.\//, ""))) {
    out.push(f("dangerous", cmd, `runs ${head.literal}, which was just written from a download or a decoder and has not been reviewed`));
    return out;
  }

  const a = readArgs(cmd.argv, argsWithValue(prog));
  const interp = interpreterFindings(cmd, prog, a, ctx);
  if (interp) return [...out, ...interp];
  if (prog === "ssh") {
    out.push(f("review", cmd, `connects to ${a.operands[0]?.text ?? "a remote host"}${cmd.runs.length > 0 ? " and runs a command there" : ""}`));
    return out;
  }
  if (/^mkfs\./.test(prog)) return [...out, ...disk(cmd, a, ctx)];
  const rule = RULES[prog];
  if (rule) return [...out, ...rule(cmd, a, ctx)];
  if (READ_ONLY.has(prog)) return [...out, f("safe", cmd, "only reads")];
  if (SHELL_STATE.has(prog)) return [...out, f("safe", cmd, "only changes the current shell's directory or variables")];
  if (EDITORS.has(prog)) return [...out, f("review", cmd, "opens an editor that can change files")];
  return [...out, f("review", cmd, `runs ${prog}, a program AiCockpit does not know, so check what it does`)];
}

function argsWithValue(prog: string): string[] {
  switch (prog) {
    case "curl":
      return ["-o", "--output", "-X", "--request", "-d", "--data", "-H", "--header", "-u", "--user", "-F", "--form", "-T", "--upload-file", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar", "-x", "--proxy", "-m", "--max-time", "-w", "--write-out", "--data-raw", "--data-binary", "--json"];
    case "wget":
      return ["-O", "--output-document", "-P", "--directory-prefix", "-U", "--user-agent", "--header", "-o", "--output-file", "-t", "--tries", "-T", "--timeout"];
    case "mv":
    case "cp":
    case "install":
    case "ln":
      return ["-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g", "--group"];
    case "tar":
      return ["-f", "--file", "-C", "--directory", "-T", "--files-from", "-X", "--exclude-from"];
    case "sort":
      return ["-o", "--output", "-k", "--key", "-t", "--field-separator", "-S", "--buffer-size", "-T"];
    case "sed":
      return ["-e", "--expression", "-f", "--file", "-l"];
    case "chmod":
    case "chown":
    case "chgrp":
      return ["--reference"];
    case "awk":
    case "gawk":
    case "mawk":
      return ["-F", "-v", "-f"];
    case "kill":
      return ["-s", "-n"];
    case "nc":
    case "ncat":
    case "netcat":
      return ["-e", "-c", "-p", "-s", "-w"];
    case "python":
    case "python3":
    case "python2":
      return ["-m", "-W", "-X"];
    default:
      return [];
  }
}

export type { Script };
