/**
 * `assess(command)`: the risk of a whole command line is the worst risk of any part,
 * with one sentence per risky part naming it. Every part is judged: chained commands,
 * pipeline stages, substitutions, `sh -c`/`eval` strings and commands run by wrappers.
 */
import type { Script } from "./parse";
import { allCommands, parseScript } from "./parse";
import { isKnownProgram, judgeCommand, type Finding, type Risk, type RuleContext } from "./rules";
import { programName } from "./wrappers";
import { judgeWindows, windowsShellOf } from "./windows";
import { workspaceOf, type Workspace } from "./paths";

export type { Risk };

export interface Assessment {
  risk: Risk;
  reasons: string[];
}

/** What earlier commands of the same line did (files written, network fds), and where the line runs. */
interface Files {
  downloaded: Set<string>;
  written: Map<string, string>;
  networkFds: Map<string, string>;
  workspace: Workspace;
}

const ORDER: Record<Risk, number> = { safe: 0, review: 1, dangerous: 2 };
const MAX_REASONS = 8;

export function maxRisk(a: Risk, b: Risk): Risk {
  return ORDER[a] >= ORDER[b] ? a : b;
}

/** Shells whose syntax neither parser models; their commands are judged approximately (never `safe`). */
const NON_POSIX = /^(nu|nushell|elvish|xonsh)(\.exe)?$/i;

function forkBombs(script: Script): Finding[] {
  const out: Finding[] = [];
  // `name(){ name|name& }` with any spacing; found by scanning for "(){" rather than a
  // backtracking regex, which would be quadratic on long hostile input.
  const compact = script.source.replace(/\s+/g, "");
  let bomb: string | null = null;
  for (let at = compact.indexOf("(){"); at >= 0 && bomb === null; at = compact.indexOf("(){", at + 3)) {
    let start = at;
    while (start > 0 && at - start < 64 && !/[(){};|&]/.test(compact.charAt(start - 1))) start--;
    const name = compact.slice(start, at);
    if (name !== "" && compact.startsWith(`${name}|${name}`, at + 3)) bomb = name;
  }
  if (bomb !== null)
    out.push({
      risk: "dangerous",
      part: script.source.trim(),
      says: `defines ${bomb} as a function that starts two copies of itself without end (a fork bomb), which freezes the machine`,
    });
  else {
    for (const name of script.functions) {
      for (const p of script.pipelines) {
        const calls = p.commands.filter((c) => programName(c.argv[0]) === name.toLowerCase()).length;
        if (calls >= 2 || (calls >= 1 && p.background && p.commands.length > 1)) {
          out.push({
            risk: "dangerous",
            part: script.source.trim(),
            says: `defines ${name} as a function that keeps starting copies of itself (a fork bomb)`,
          });
          return out;
        }
      }
    }
  }
  return out;
}

/** Builtins a function can shadow (besides every program the rules know). */
const BUILTINS = new Set([
  "cd",
  "echo",
  "printf",
  "read",
  "exit",
  "return",
  "source",
  ".",
  "exec",
  "eval",
  "export",
  "unset",
  "set",
  "alias",
  "unalias",
  "trap",
  "builtin",
  "command",
  "type",
  "hash",
  "test",
  "[",
  "pwd",
  "kill",
  "history",
  "wait",
  "jobs",
  "fg",
  "bg",
  "umask",
  "ulimit",
  "shift",
  "let",
  "local",
  "declare",
  "typeset",
  "readonly",
  "getopts",
  "true",
  "false",
  ":",
  "sudo",
  "su",
  "ssh",
  "exit",
]);

/** `function cd() { …; }`, `ls() { …; }`: later uses of that name run the function instead. */
function redefinedCommands(script: Script): Finding[] {
  const out: Finding[] = [];
  for (const name of new Set(script.functions)) {
    const n = name.toLowerCase();
    if (BUILTINS.has(n) || isKnownProgram(n)) {
      out.push({
        risk: "review",
        part: `${name}()`,
        says: `defines a function named ${name}, so every later \`${name}\` in this shell session runs the function instead of the real ${name}`,
      });
    }
  }
  return out;
}

function judgeScript(script: Script, files: Files): Finding[] {
  const out: Finding[] = [];
  for (const p of script.problems) {
    const deep = /nested too deeply/.test(p);
    out.push({
      risk: deep ? "dangerous" : "review",
      part: script.source.trim(),
      says: `cannot be fully analysed: ${p.replace(/\.$/, "").replace(/^A /, "a ").replace(/^The /, "the ")}`,
    });
  }
  out.push(...forkBombs(script));
  out.push(...redefinedCommands(script));
  const ctx: RuleContext = {
    downloaded: files.downloaded,
    written: files.written,
    workspace: files.workspace,
    networkFds: files.networkFds,
    judgeScript: (source) => judgeScript(parseScript(source, script.depth + 1), files),
  };
  for (const p of script.pipelines) {
    for (const cmd of p.commands) {
      out.push(...judgeCommand(cmd, ctx));
      for (const w of [
        ...cmd.argv,
        ...cmd.redirects.map((r) => r.target),
        ...cmd.assignments.map((a) => a.value),
        ...cmd.runsDynamic,
      ]) {
        for (const s of w.subs) out.push(...judgeScript(s, files));
      }
      for (const s of cmd.runs) out.push(...judgeScript(s, files));
    }
  }
  return out;
}

function sentence(fd: Finding): string {
  const part = fd.part.length > 120 ? `${fd.part.slice(0, 117)}…` : fd.part;
  return `\`${part}\` ${fd.says}${fd.says.endsWith(".") ? "" : "."}`;
}

export interface AssessOptions {
  shell?: string;
  /**
   * The absolute working directory the command will run in (the workspace). Recursive
   * deletes under the home directory are `dangerous` unless they stay inside it; without
   * it only relative paths that do not climb out count as inside.
   */
  cwd?: string;
  /** The home directory on the target, when known; otherwise inferred from a cwd under /home/<user>, /Users/<user> or /root. */
  home?: string;
}

export function assess(command: string, options: AssessOptions = {}): Assessment {
  // Pasted text often has Windows line endings; a stray \r would glue itself to a program name.
  const source = command.replace(/\r\n?/g, "\n").trim();
  if (source === "") return { risk: "review", reasons: ["The command is empty."] };
  const files: Files = {
    downloaded: new Set(),
    written: new Map(),
    networkFds: new Map(),
    workspace: workspaceOf(options.cwd, options.home),
  };
  const windows = windowsShellOf(options.shell);
  const findings = windows
    ? judgeWindows(source, windows, (cmd) => judgeScript(parseScript(cmd, 1), files))
    : judgeScript(parseScript(source), files);
  if (options.shell && NON_POSIX.test(options.shell.replace(/^.*[\\/]/, ""))) {
    findings.push({
      risk: "review",
      part: source,
      says: `is judged with POSIX shell rules, which only approximate ${options.shell}`,
    });
  }
  if (findings.length === 0)
    findings.push({ risk: "review", part: source, says: "does not run anything AiCockpit can recognise" });

  let risk: Risk = "safe";
  for (const fd of findings) risk = maxRisk(risk, fd.risk);
  const shown = risk === "safe" ? findings : findings.filter((fd) => fd.risk !== "safe");
  shown.sort((x, y) => ORDER[y.risk] - ORDER[x.risk]);
  const reasons: string[] = [];
  for (const fd of shown) {
    const s = sentence(fd);
    if (!reasons.includes(s)) reasons.push(s);
  }
  if (reasons.length > MAX_REASONS) {
    const more = reasons.length - (MAX_REASONS - 1);
    reasons.splice(MAX_REASONS - 1, reasons.length, `…and ${more} more findings.`);
  }
  return { risk, reasons };
}

/** Every program a command line would run (for tests and for the UI's summary). */
export function programsOf(command: string): string[] {
  return [...allCommands(parseScript(command))].map((c) => programName(c.argv[0])).filter(Boolean);
}
