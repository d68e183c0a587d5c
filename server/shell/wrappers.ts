/**
 * Peels wrappers off a parsed command so the program that really runs is judged:
 * `sudo -u root env X=1 nice -n 5 rm -rf /` is an `rm`. Commands that take code as a
 * string (`sh -c`, `eval`, `su -c`, `watch`, `flock -c`, `ssh host '…'`) get that string
 * parsed as a script of its own; `find -exec … ;` gets its command as a script too.
 */
import type { Command, Script, Word } from "./parse";
import { quote } from "shell-quote";
import { splitWords } from "./parse";

export const SHELLS = new Set([
  "sh",
  "bash",
  "zsh",
  "dash",
  "ksh",
  "mksh",
  "ash",
  "fish",
  "csh",
  "tcsh",
  "yash",
  "rbash",
]);

/** Options that take a separate value, per wrapper (so the value is not mistaken for the program). */
const OPTS_WITH_VALUE: Record<string, string[]> = {
  sudo: [
    "-u",
    "-g",
    "-h",
    "-p",
    "-C",
    "-D",
    "-r",
    "-t",
    "-U",
    "-T",
    "-R",
    "--user",
    "--group",
    "--host",
    "--prompt",
    "--chdir",
    "--role",
    "--type",
    "--other-user",
    "--close-from",
    "--command-timeout",
    "--chroot",
  ],
  doas: ["-u", "-C"],
  pkexec: ["--user"],
  run0: ["-u", "--user", "-D", "--chdir"],
  nice: ["-n", "--adjustment"],
  time: ["-f", "-o", "--format", "--output"],
  timeout: ["-s", "--signal", "-k", "--kill-after"],
  exec: ["-a"],
  stdbuf: ["-i", "-o", "-e"],
  ionice: ["-c", "-n", "--class", "--classdata"],
  chrt: [],
  taskset: [],
  nohup: [],
  command: [],
  builtin: [],
  setsid: [],
  unbuffer: [],
  caffeinate: ["-t", "-w"],
  busybox: [],
  torsocks: [],
  proxychains: ["-f"],
  proxychains4: ["-f"],
  chronic: [],
  noglob: [],
  nocorrect: [],
};
const PRIVILEGE = new Set(["sudo", "doas", "pkexec", "run0", "su"]);
/** Wrappers followed by one positional value before the program (timeout DURATION, chrt PRIO, taskset MASK). */
const POSITIONAL_FIRST = new Set(["timeout", "chrt", "taskset"]);

/**
 * The program a word names, in lower case: on case-insensitive file systems (macOS,
 * Windows) `SuDo Rm -Rf /` runs sudo and rm, so names are matched without regard to case.
 */
export function programName(w: Word | undefined): string {
  return programBase(w).toLowerCase();
}

/** The program's base name as written (`/bin/Rm.exe` → `Rm`). */
export function programBase(w: Word | undefined): string {
  if (!w) return "";
  const t = w.literal ?? w.text;
  const base = t.includes("/") ? t.slice(t.lastIndexOf("/") + 1) : t;
  return base.replace(/\.exe$/i, "");
}

/** Parses code run by a command; `positional` are $0, $1, … for `sh -c CODE arg0 arg1`. */
type ParseSub = (src: string, positional?: (string | null)[]) => Script;
type MakeWord = (raw: string) => Word;

function isOption(w: Word | undefined): boolean {
  return w !== undefined && w.text.startsWith("-") && w.text !== "-" && w.text !== "--";
}

/** Skips options of a wrapper; returns the index of the first non-option word. */
function skipOptions(argv: Word[], from: number, withValue: readonly string[]): number {
  let i = from;
  for (let w = argv[i]; w !== undefined; w = argv[i]) {
    if (w.text === "--") return i + 1;
    if (!isOption(w)) return i;
    i += withValue.includes(w.text) ? 2 : 1;
  }
  return i;
}

function literalCode(words: Word[]): string | null {
  if (words.some((w) => w.literal === null)) return null;
  return words.map((w) => w.literal!).join(" ");
}

function runCode(cmd: Command, words: Word[], parseSub: ParseSub, positional?: Word[]): void {
  if (words.length === 0) return;
  const code = literalCode(words);
  const args = positional?.map((w) => w.literal);
  if (code !== null) cmd.runs.push(parseSub(code, args));
  else cmd.runsDynamic.push(...words.filter((w) => w.literal === null));
  // Literal parts of a partly dynamic string are still code worth judging.
  if (code === null) {
    const known = words
      .filter((w) => w.literal !== null)
      .map((w) => w.literal!)
      .join(" ");
    if (known.trim()) cmd.runs.push(parseSub(known));
  }
}

export function unwrap(cmd: Command, parseSub: ParseSub, makeWord: MakeWord): void {
  for (let guard = 0; guard < 32 && cmd.argv.length > 0; guard++) {
    const argv = cmd.argv;
    const prog = programName(argv[0]);

    // Own keys only: `in` would also find Object.prototype keys (`constructor`, `toString`).
    const wrapperOpts = Object.hasOwn(OPTS_WITH_VALUE, prog) ? OPTS_WITH_VALUE[prog] : undefined;
    if (wrapperOpts !== undefined) {
      if (prog === "command" && (argv[1]?.text === "-v" || argv[1]?.text === "-V")) return;
      if (prog === "ionice" && argv.some((w) => w.text === "-p")) return;
      cmd.via.push(prog);
      if (PRIVILEGE.has(prog)) cmd.privileged = true;
      let i = skipOptions(argv, 1, wrapperOpts);
      if (POSITIONAL_FIRST.has(prog) && i < argv.length) i = skipOptions(argv, i + 1, []);
      cmd.argv = argv.slice(i);
      continue;
    }
    if (prog === "env") {
      let i = 1;
      const rest: Word[] = [];
      for (let w = argv[i]; w !== undefined; w = argv[i]) {
        const t = w.text;
        if (t === "-S" || t === "--split-string") {
          const s = argv[i + 1];
          if (s) rest.push(...splitWords(s.literal ?? s.text).map(makeWord));
          i += 2;
          continue;
        }
        if (t === "-u" || t === "--unset" || t === "-C" || t === "--chdir") {
          i += 2;
          continue;
        }
        if (t === "--") {
          i++;
          break;
        }
        if (isOption(w) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
          i++;
          continue;
        }
        break;
      }
      if (i >= argv.length && rest.length === 0) return; // bare `env` prints the environment
      cmd.via.push("env");
      cmd.argv = [...rest, ...argv.slice(i)];
      continue;
    }
    if (prog === "su" || prog === "runuser") {
      cmd.via.push(prog);
      cmd.privileged = true;
      const c = argv.findIndex((w) => w.text === "-c" || w.text === "--command");
      const code = c >= 0 ? argv[c + 1] : undefined;
      if (code) runCode(cmd, [code], parseSub);
      cmd.argv = [];
      return;
    }
    if (prog === "xargs") {
      cmd.via.push("xargs");
      cmd.argsFromInput = true;
      const i = skipOptions(argv, 1, [
        "-I",
        "-n",
        "-L",
        "-P",
        "-s",
        "-d",
        "-E",
        "-a",
        "--max-args",
        "--max-procs",
        "--delimiter",
        "--arg-file",
        "--max-lines",
      ]);
      cmd.argv = i < argv.length ? argv.slice(i) : [makeWord("echo")];
      continue;
    }
    // A shell, or a program only known at run time called like one (`$SHELL -c '…'`).
    if (SHELLS.has(prog) || (argv[0]?.literal === null && argv.some((w) => w.text === "-c"))) {
      const i = argv.findIndex((w, k) => k > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.text) && !w.text.startsWith("--"));
      if (i > 0) {
        cmd.via.push(`${SHELLS.has(prog) ? prog : (argv[0]?.text ?? "")} -c`);
        const code = argv[i + 1];
        if (code) runCode(cmd, [code], parseSub, argv.slice(i + 2));
        else if (cmd.argsFromInput) cmd.codeFromInput = true;
        cmd.argv = [];
      }
      return;
    }
    if (prog === "eval") {
      cmd.via.push("eval");
      runCode(cmd, argv.slice(1), parseSub);
      cmd.argv = [];
      return;
    }
    if (prog === "watch") {
      cmd.via.push("watch");
      const i = skipOptions(argv, 1, ["-n", "--interval", "-q", "--equexit"]);
      runCode(cmd, argv.slice(i), parseSub);
      cmd.argv = [];
      return;
    }
    if (prog === "flock") {
      const c = argv.findIndex((w) => w.text === "-c" || w.text === "--command");
      cmd.via.push("flock");
      if (c >= 0) {
        const code = argv[c + 1];
        runCode(cmd, code ? [code] : [], parseSub);
        cmd.argv = [];
        return;
      }
      const i = skipOptions(argv, 1, ["-w", "--timeout", "-E", "--conflict-exit-code"]);
      cmd.argv = argv.slice(i + 1);
      continue;
    }
    if (prog === "ssh") {
      const i = skipOptions(argv, 1, [
        "-p",
        "-i",
        "-l",
        "-o",
        "-F",
        "-J",
        "-L",
        "-R",
        "-D",
        "-b",
        "-c",
        "-e",
        "-E",
        "-m",
        "-O",
        "-Q",
        "-S",
        "-W",
        "-w",
        "-B",
        "-I",
      ]);
      // Everything after the host is a command line for the remote shell.
      if (i + 1 < argv.length) runCode(cmd, argv.slice(i + 1), parseSub);
      return;
    }
    if (prog === "find" || prog === "fd" || prog === "fdfind") {
      findExec(cmd, parseSub, makeWord);
      return;
    }
    return;
  }
}

/** Filters that narrow what `find` matches; `-type`/`-maxdepth` do not count. */
export const FIND_NARROWING = new Set([
  "-name",
  "-iname",
  "-path",
  "-ipath",
  "-regex",
  "-iregex",
  "-wholename",
  "-iwholename",
  "-newer",
  "-mtime",
  "-mmin",
  "-atime",
  "-amin",
  "-ctime",
  "-cmin",
  "-size",
  "-empty",
  "-inum",
  "-samefile",
  "-links",
  "-user",
  "-group",
  "-perm",
  "-lname",
  "-ilname",
]);

/** Search roots of a `find` (the words before the first expression). */
export function findRoots(argv: Word[]): Word[] {
  const roots: Word[] = [];
  for (const w of argv.slice(1)) {
    if (w.text.startsWith("-") || w.text === "(" || w.text === "!") break;
    roots.push(w);
  }
  return roots;
}

function findExec(cmd: Command, parseSub: ParseSub, makeWord: MakeWord): void {
  const argv = cmd.argv;
  const isFd = programName(argv[0]) !== "find";
  const narrowed = isFd
    ? argv.slice(1).some((w) => !w.text.startsWith("-"))
    : argv.some((w) => FIND_NARROWING.has(w.text));
  const roots = isFd ? [makeWord(".")] : findRoots(argv);
  const rootWords = roots.length > 0 ? roots : [makeWord(".")];
  const execFlags = isFd ? ["-x", "--exec", "-X", "--exec-batch"] : ["-exec", "-execdir", "-ok", "-okdir"];
  for (let i = 0; i < argv.length; i++) {
    if (!execFlags.includes(argv[i]?.text ?? "")) continue;
    const words: Word[] = [];
    let j = i + 1;
    for (let w = argv[j]; w !== undefined; w = argv[++j]) {
      const t = w.text;
      if (t === ";" || t === "\\;" || (t === "+" && !isFd)) break;
      words.push(w);
    }
    // Without narrowing filters, `{}` ranges over everything under the roots, so judge it as the roots.
    // `{}` stays `{}` (a specific path, shown as written) when filters narrow what it matches.
    const expanded = words.flatMap((w) => (w.text === "{}" ? (narrowed ? [w] : rootWords) : [w]));
    // find passes each word as its own argument (no shell re-splitting), so quote them back.
    if (expanded.length > 0 && expanded.every((w) => w.literal !== null))
      cmd.runs.push(parseSub(quote(expanded.map((w) => w.literal!))));
    i = j;
  }
}
