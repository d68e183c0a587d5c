/** What a rule returns, and the helpers every rule shares (path and write judgements). */
import type { Command, Word } from "../parse";
import { splitWords } from "../parse";
import { staticOutput } from "../evaluate";
import {
  BROAD,
  classifyPath,
  describeClass,
  persistenceFile,
  workspaceOf,
  type PathClass,
  type Workspace,
} from "../paths";
import type { Args } from "../args";

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
  /** Files written earlier in the same command line with content known statically (`echo … > x.sh`). */
  written: Map<string, string>;
  /** Judges a script discovered while judging a command (piped code, inline `os.system("…")`). */
  judgeScript: (source: string) => Finding[];
  /** Where the command runs: deletions inside it are ordinary work, outside it they reach the user's other data. */
  workspace: Workspace;
  /** File descriptors bound to a network connection by `exec 5<>/dev/tcp/…` earlier in the line. */
  networkFds: Map<string, string>;
}

export type Rule = (cmd: Command, a: Args, ctx: RuleContext) => Finding[];

export const f = (risk: Risk, cmd: Command, says: string): Finding => ({ risk, part: cmd.source, says });

// ---------------------------------------------------------------------------------------
// Helpers.

export function shown(w: Word): string {
  return w.text === "" ? "''" : w.text;
}

/** Severity-ordered judgement of one deleted/moved/changed path. */
export function pathFindings(cmd: Command, targets: Word[], verb: string, recursive: boolean): Finding[] {
  const out: Finding[] = [];
  for (const t of targets) {
    const c: PathClass = classifyPath(t);
    const what = describeClass(c, shown(t));
    if (
      c === "root" ||
      c === "system" ||
      c === "device" ||
      (BROAD.has(c) && (recursive || t.glob || c === "var-root"))
    ) {
      out.push(f("dangerous", cmd, `${recursive ? "recursively " : ""}${verb} ${what}`));
    } else if (BROAD.has(c)) {
      out.push(f("dangerous", cmd, `${verb} ${what}`));
    } else if (c === "unknown") {
      out.push(
        f("review", cmd, `${recursive ? "recursively " : ""}${verb} ${shown(t)}, a path only known when it runs`),
      );
    } else if (c !== "harmless-dev") {
      out.push(f("review", cmd, `${recursive ? "recursively " : ""}${verb} ${shown(t)}`));
    }
  }
  return out;
}

/** Judges a write into a file: devices and system paths are dangerous, anything else a review. */
export function writeFinding(cmd: Command, target: Word, verb: string, ws: Workspace = workspaceOf()): Finding | null {
  const c = classifyPath(target);
  if (c === "harmless-dev") return null;
  const persists = persistenceFile(target, ws);
  if (persists === "startup")
    return f("dangerous", cmd, `${verb} ${shown(target)}, a shell start-up file: what it adds runs in every new shell`);
  if (persists === "ssh")
    return f("dangerous", cmd, `${verb} ${shown(target)}, which decides who can log in to this account over SSH`);
  if (c === "device")
    return f("dangerous", cmd, `${verb} the disk device ${shown(target)} directly, destroying its data`);
  if (c === "system" || c === "root") return f("dangerous", cmd, `${verb} the system path ${shown(target)}`);
  if (c === "network") return f("review", cmd, `connects to the network address ${shown(target)}`);
  return f("review", cmd, `${verb} ${shown(target)}`);
}

/** Words that `xargs` will append: known when the input is a literal `echo`/`printf`. */
export function inputWords(cmd: Command, make: (s: string) => Word): Word[] | null {
  if (!cmd.argsFromInput) return null;
  if (cmd.stdinText?.literal != null) return splitWords(cmd.stdinText.literal).map(make);
  if (cmd.upstream.length === 0) return null;
  const out = upstreamOutput(cmd);
  return out === null ? null : splitWords(out).map(make);
}

export const literalWord = (s: string): Word => ({ text: s, literal: s, pattern: s, glob: /[*?]/.test(s), subs: [] });

/** What the earlier stages of the pipeline print, when that is knowable statically. */
export function upstreamOutput(cmd: Command): string | null {
  if (cmd.upstream.length === 0) return null;
  return staticOutput({
    source: "",
    pipelines: [{ commands: cmd.upstream, background: false }],
    functions: [],
    problems: [],
    depth: 0,
  });
}

export function subcommand(cmd: Command, globalWithValue: readonly string[]): { sub: string; rest: Word[] } {
  let i = 1;
  for (let w = cmd.argv[i]; w !== undefined; w = cmd.argv[i]) {
    const t = w.text;
    if (globalWithValue.includes(t)) i += 2;
    else if (t.startsWith("-")) i++;
    else break;
  }
  return { sub: cmd.argv[i]?.text ?? "", rest: cmd.argv.slice(i) };
}

/** What a command writes to its standard output when that is knowable (`echo`, `printf`, `cat <<EOF`). */
export function writtenContent(cmd: Command): string | null {
  const own = staticOutput({
    source: "",
    pipelines: [{ commands: [...cmd.upstream, { ...cmd, redirects: [] }], background: false }],
    functions: [],
    problems: [],
    depth: 0,
  });
  if (own !== null) return own;
  const isCat = cmd.argv.length === 1 && cmd.argv[0]?.text === "cat";
  if (isCat && cmd.stdinText?.literal != null) return cmd.stdinText.literal;
  if (isCat) return upstreamOutput(cmd);
  return null;
}

export function rememberWritten(ctx: RuleContext, file: string, content: string | null, append: boolean): void {
  const key = file.replace(/^\.\//, "");
  if (content === null) ctx.written.delete(key);
  else ctx.written.set(key, append ? `${ctx.written.get(key) ?? ""}\n${content}` : content);
}

/** The content of a script file written earlier in the same command line, if known. */
export function writtenScript(ctx: RuleContext, file: string): string | null {
  return ctx.written.get(file.replace(/^\.\//, "")) ?? null;
}
