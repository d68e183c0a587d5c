/**
 * Parses a command line into the simple commands a POSIX shell would run, so every part
 * can be judged on its own (never by prefix). Substitutions, here-documents, `sh -c`
 * strings, `eval` arguments and wrappers (`sudo`, `env`, `xargs`, `nohup`, `timeout`, …)
 * are followed into the commands they actually run.
 *
 * Values are tracked where they can be known statically: `X=/; rm -rf $X` (also inside
 * later substitutions and `sh -c` strings), `$HOME`,
 * `$PWD`, `${X:-/}`, `sh -c '…' _ arg` positional arguments, and `$(echo …)` /
 * `$(… | base64 -d)` / `$(which rm)` outputs (evaluate.ts).
 *
 * Unquoted expansions are split at IFS (`rm${IFS}-rf${IFS}/`, `IFS=,; x=rm,-rf,/; $x`), since
 * quoting is not known after tokenizing and splitting is the worst case; `{rm,-rf,/}` as a
 * command is brace-expanded. Values another command produces at run time (`$(…)` output,
 * variables filled by `read`/`mapfile`, loops over `$(…)`) are marked `Word.indirect`, so a
 * deletion of them can be told apart from a deletion of a path the user can read.
 *
 * Limits (the assessment errs towards `review` at each): loop variables and other
 * run-time values are unknown; `case` patterns are seen as commands; aliases and
 * functions defined outside the line are unknown; brace expansion only in its simple
 * `a{b,c}d` form; `$(…)` inside an unquoted here-document body is not followed; arrays,
 * `$@`, arithmetic and `${var//pattern}` rewrites are not evaluated. Nesting beyond
 * MAX_DEPTH levels is itself judged `dangerous`.
 */
import { parse as shellParse } from "shell-quote";
import { prescan, SUB_VAR_PREFIX, type SubKind } from "./prescan";
import { unwrap } from "./wrappers";
import { staticOutput } from "./evaluate";

/** Stands in for any part of a word that is only known at run time. */
export const UNKNOWN = "\u0000";
/** Like UNKNOWN, but known not to be empty (`${X:?}`). */
export const NONEMPTY = "\u0003";
/**
 * Where an unquoted expansion splits into separate words: `$IFS` itself, and the IFS
 * characters inside a known variable's value (`IFS=,; x=rm,-rf,/; $x` is `rm -rf /`).
 * Quoting is not known at this point, so splitting (the worst case) is assumed.
 */
export const SPLIT = "\u0005";
const DEFAULT_IFS = " \t\n";

export interface Word {
  /** For display: resolved text, `$NAME` / `$(…)` where unknown. */
  text: string;
  /** The exact value when fully known, otherwise null. */
  literal: string | null;
  /** Like literal but with every unknown part replaced by UNKNOWN. */
  pattern: string;
  /** Contains unquoted glob characters. */
  glob: boolean;
  /** Scripts whose output becomes part of this word (`$(…)`, backticks, `<(…)`). */
  subs: Script[];
  /**
   * Set when the word's value (its last path component at least) is produced at run time by
   * another command: a `$(…)` output, a variable filled by `read`/`mapfile`, a loop over
   * `$(…)`. Says where it comes from, e.g. "the output of `find . -name x`".
   */
  indirect?: string;
  /** `>(…)` scripts in this word: they read what the command writes there. */
  feeds?: Script[];
}

export interface Redirect {
  op: string;
  fd: string | null;
  target: Word;
}

export interface Command {
  /** The simple command as written (wrappers included), for reasons. */
  source: string;
  /** Program and arguments after wrappers are peeled off; may be empty (`sudo -i`). */
  argv: Word[];
  /** Wrappers peeled off, outermost first, e.g. ["sudo", "env"]. */
  via: string[];
  /** Runs with elevated rights (`sudo`, `doas`, `su`, `pkexec`). */
  privileged: boolean;
  assignments: { name: string; value: Word }[];
  redirects: Redirect[];
  /** Code this command runs that could be read statically (`sh -c '…'`, `eval`, `find -exec`, `ssh host '…'`). */
  runs: Script[];
  /** Words this command runs as code whose content is known only at run time (`eval "$(curl …)"`). */
  runsDynamic: Word[];
  /** Its arguments also come from standard input (`xargs`). */
  argsFromInput: boolean;
  /** Runs code that arrives on standard input as arguments (`… | xargs sh -c`). */
  codeFromInput: boolean;
  /** Commands before this one in its pipeline, nearest last. */
  upstream: Command[];
  /** Here-document / here-string feeding standard input, when known. */
  stdinText: Word | null;
}

export interface Pipeline {
  commands: Command[];
  background: boolean;
}

export interface Script {
  source: string;
  pipelines: Pipeline[];
  /** Shell functions defined here, with the pipelines of their bodies flattened into `pipelines`. */
  functions: string[];
  problems: string[];
  /** Nesting level (0 = what the user typed). */
  depth: number;
}

export const MAX_DEPTH = 8;

type Entry = ReturnType<typeof shellParse>[number];
type Env = Map<string, string>;

const HOME_VARS = new Set(["HOME", "USERPROFILE"]);
const RESERVED_PREFIX = new Set([
  "!",
  "{",
  "}",
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "while",
  "until",
  "esac",
  "coproc",
]);
const HEADER_WORDS = new Set(["for", "select", "case", "in"]);
const SEPARATORS = new Set([";", "&", "&&", "||", ";;", ";&", ";;&", "(", ")"]);
const PIPES = new Set(["|", "|&"]);
const REDIRECTS = new Set([">", ">>", "<", ">&", "<&", "&>", "&>>", ">|", "<>", "<<<", "<<", "<<-"]);

const MARKER = /\u0001([SV])([^\u0002]*)\u0002/g;

interface Ctx {
  env: Env;
  /** Variables whose value came from a substitution (`X=$(curl …)`), so `eval "$X"` still knows where it came from. */
  varSubs: Map<string, Script[]>;
  depth: number;
  /** Substitutions cut out by prescan; `script()` parses on first use, with the variables known at that point. */
  subs: { kind: SubKind; source: string; script: () => Script | null }[];
  functions: string[];
  problems: string[];
  /** Variables whose value comes from another command's output at run time (see Word.indirect). */
  indirect: Map<string, string>;
}

export function parseScript(
  source: string,
  depth = 0,
  inherited?: Env,
  inheritedIndirect?: Map<string, string>,
): Script {
  const script: Script = { source, pipelines: [], functions: [], problems: [], depth };
  if (depth > MAX_DEPTH) {
    script.problems.push("The command is nested too deeply to be assessed.");
    return script;
  }
  const pre = prescan(source);
  script.problems.push(...pre.problems);
  const ctx: Ctx = {
    env: new Map(inherited ?? []),
    varSubs: new Map(),
    depth,
    subs: [],
    functions: script.functions,
    problems: script.problems,
    indirect: new Map(inheritedIndirect ?? []),
  };
  ctx.subs = pre.subs.map((s) => {
    let parsed: Script | null | undefined;
    return {
      kind: s.kind,
      source: s.source,
      script: () => {
        // Arithmetic is not code, and a here-document is data unless a shell reads it (rules.ts).
        if (s.kind === "arithmetic" || s.kind === "heredoc") return null;
        if (parsed === undefined) {
          // Parsed when its word is built, so `X=/; echo $(rm -rf $X)` sees X.
          parsed = parseScript(s.source, depth + 1, ctx.env, ctx.indirect);
          script.problems.push(...parsed.problems);
        }
        return parsed;
      },
    };
  });

  let entries: Entry[];
  try {
    entries = shellParse(pre.text, (key: string) => {
      if (key === "") return "$";
      if (key.startsWith(SUB_VAR_PREFIX)) return `\u0001S${key.slice(SUB_VAR_PREFIX.length)}\u0002`;
      return `\u0001V${key}\u0002`;
    });
  } catch (err) {
    script.problems.push(`The command could not be parsed (${(err as Error).message}).`);
    return script;
  }
  buildPipelines(entries, ctx, script);
  return script;
}

interface RawCommand {
  words: Word[];
  redirects: Redirect[];
}

function buildPipelines(entries: Entry[], ctx: Ctx, script: Script): void {
  let pipeline: RawCommand[] = [];
  let cur: RawCommand = { words: [], redirects: [] };
  let lastWasDigitWord = false;

  const endCommand = () => {
    if (cur.words.length > 0 || cur.redirects.length > 0) pipeline.push(cur);
    cur = { words: [], redirects: [] };
  };
  const endPipeline = (background: boolean) => {
    endCommand();
    if (pipeline.length > 0) script.pipelines.push(finishPipeline(pipeline, background, ctx));
    pipeline = [];
  };

  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    if (e === undefined) continue;
    if (typeof e === "string" || ("op" in e && e.op === "glob")) {
      const raw = typeof e === "string" ? e : (e as { pattern: string }).pattern;
      cur.words.push(makeWord(raw, typeof e !== "string", ctx));
      lastWasDigitWord = typeof e === "string" && /^\d+$/.test(e);
      continue;
    }
    if ("comment" in e) continue;
    const op = (e as { op: string }).op;
    // `name() { …; }`: remember the function, analyse its body like any other commands.
    const fnKeyword = cur.words.length === 2 && cur.words[0]?.text === "function";
    const fnName = cur.words.at(-1)?.text;
    if (op === "(" && (cur.words.length === 1 || fnKeyword) && fnName !== undefined && isOp(entries[k + 1], ")")) {
      ctx.functions.push(fnName);
      cur = { words: [], redirects: [] };
      k++;
      lastWasDigitWord = false;
      continue;
    }
    if (REDIRECTS.has(op)) {
      let fd: string | null = null;
      if (lastWasDigitWord) fd = cur.words.pop()?.text ?? null;
      const next = entries[k + 1];
      let target: Word = makeWord("", false, ctx);
      if (typeof next === "string" || (next !== undefined && "op" in next && next.op === "glob")) {
        // A redirection target is one word: no splitting on IFS.
        target = joinSplit(
          makeWord(
            typeof next === "string" ? next : (next as { pattern: string }).pattern,
            typeof next !== "string",
            ctx,
          ),
        );
        k++;
      } else {
        ctx.problems.push(`A \`${op}\` redirection has no target.`);
      }
      cur.redirects.push({ op, fd, target });
      lastWasDigitWord = false;
      continue;
    }
    lastWasDigitWord = false;
    if (PIPES.has(op)) {
      endCommand();
      continue;
    }
    if (SEPARATORS.has(op)) {
      endPipeline(op === "&");
      continue;
    }
    // `<(` / `>(` not at a word start: treat as grouping so the inside is still judged.
    endPipeline(false);
  }
  endPipeline(false);
}

function isOp(e: Entry | undefined, op: string): boolean {
  return e !== undefined && typeof e === "object" && "op" in e && e.op === op;
}

type WordCtx = Pick<Ctx, "env" | "subs"> & { varSubs?: Map<string, Script[]>; indirect?: Map<string, string> };

export function makeWord(raw: string, glob: boolean, ctx: WordCtx): Word {
  let text = "";
  let literal: string | null = "";
  let pattern = "";
  const subs: Script[] = [];
  const feeds: Script[] = [];
  // Where the last run-time value from another command (see Word.indirect) ended, and what it was.
  let indirect: { from: string; end: number } | null = null;
  let last = 0;
  const ifs = ctx.env.get("IFS") ?? DEFAULT_IFS;
  const known = (value: string) => {
    text += value;
    pattern += value;
    if (literal !== null) literal += value;
  };
  for (const m of raw.matchAll(MARKER)) {
    // Both groups always participate in MARKER, so the defaults never apply.
    const [whole, kind = "", body = ""] = m;
    const lit = raw.slice(last, m.index);
    known(lit);
    last = m.index + whole.length;
    const sub = kind === "S" ? ctx.subs[Number(body)] : undefined;
    if (sub?.kind === "heredoc") {
      known(sub.source);
    } else if (kind === "S") {
      const subScript = sub?.script() ?? null;
      if (subScript) subs.push(subScript);
      if (subScript && sub?.kind === "process-out") feeds.push(subScript);
      const shown = sub ? oneLine(sub.source) : "…";
      // `$(echo rm)`, `$(echo … | base64 -d)`: a known output makes the word known.
      const out = sub?.kind === "command" && subScript ? staticOutput(subScript) : null;
      if (out !== null) {
        known(out);
        continue;
      }
      text += sub?.kind === "process-in" ? `<(${shown})` : sub?.kind === "process-out" ? `>(${shown})` : `$(${shown})`;
      pattern += UNKNOWN;
      literal = null;
      if (sub?.kind === "command") indirect = { from: `the output of \`${shown}\``, end: last };
    } else {
      const name = body.replace(/^([A-Za-z_][A-Za-z0-9_]*).*$/s, "$1");
      const value = HOME_VARS.has(name) ? "~" : name === "PWD" ? "." : ctx.env.get(name);
      if (name === "IFS" && !/^IFS:?[-=?+]/.test(body)) {
        // `rm${IFS}-rf${IFS}/`: an unquoted $IFS separates words.
        known(SPLIT);
      } else if (value !== undefined) {
        // An unquoted expansion is split at IFS characters (quoting is unknown: assume the worst).
        known(
          HOME_VARS.has(name) || name === "PWD" ? value : [...value].map((c) => (ifs.includes(c) ? SPLIT : c)).join(""),
        );
      } else {
        text += `$${body.length === 1 || /^\w+$/.test(body) ? body : `{${body}}`}`;
        subs.push(...(ctx.varSubs?.get(name) ?? []));
        // `${X:?}` aborts when X is empty and `${X:-word}` falls back to word, so neither is
        // the empty value that turns `rm -rf "$X/"` into `rm -rf /`.
        // All three groups always participate when the expression matches.
        const [, , opChar, fallback = ""] = /^[A-Za-z_][A-Za-z0-9_]*(:?)([-=?+])(.*)$/s.exec(body) ?? [];
        if (opChar === "?") pattern += NONEMPTY;
        else if ((opChar === "-" || opChar === "=") && fallback !== "" && !fallback.includes("\u0001"))
          pattern += fallback;
        else pattern += UNKNOWN;
        literal = null;
        const from = ctx.indirect?.get(name);
        if (from !== undefined) indirect = { from, end: last };
      }
    }
  }
  const tail = raw.slice(last);
  known(tail);
  const word: Word = { text, literal, pattern, glob, subs };
  if (feeds.length > 0) word.feeds = feeds;
  // Indirect when the run-time value makes up the last path component (`$f`, `./$f`, `$(…)/*`),
  // not when a literal component follows it (`$(git rev-parse --show-toplevel)/build`).
  if (indirect !== null && /^[^/\u0001]*\/?\*?$/.test(raw.slice(indirect.end))) word.indirect = indirect.from;
  return word;
}

/** A word the shell does not split (an assignment value, a redirection target): SPLIT back to a space. */
export function joinSplit(w: Word): Word {
  if (!w.pattern.includes(SPLIT)) return w;
  const j = (s: string) => s.split(SPLIT).join(" ");
  return { ...w, text: j(w.text), literal: w.literal === null ? null : j(w.literal), pattern: j(w.pattern) };
}

/** Splits words at SPLIT into the separate words the shell would see. */
function splitAtIfs(words: Word[]): Word[] {
  return words.flatMap((w) => {
    if (!w.pattern.includes(SPLIT)) return [w];
    const texts = w.text.split(SPLIT);
    const lits = w.literal?.split(SPLIT) ?? null;
    const pats = w.pattern.split(SPLIT);
    if (texts.length !== pats.length || (lits && lits.length !== pats.length)) return [joinSplit(w)];
    const out: Word[] = [];
    pats.forEach((p, k) => {
      const text = texts[k];
      if (p === "" || text === undefined) return;
      out.push({ ...w, text, literal: lits?.[k] ?? null, pattern: p });
    });
    return out;
  });
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
}

function finishPipeline(raws: RawCommand[], background: boolean, ctx: Ctx): Pipeline {
  const commands: Command[] = [];
  for (const raw of raws) {
    const cmd = finishCommand(raw, ctx, [...commands]);
    if (cmd) commands.push(cmd);
  }
  return { commands, background };
}

function display(w0: Word): string {
  const w = joinSplit(w0);
  // Words the shell splits at IFS are shown as the separate words they become.
  if (w !== w0) return w.text;
  if (w.text === "") return "''";
  // Known values with spaces are shown quoted; `$(…)` parts are shown as written.
  if (w.literal === null || !/[\s'"]/.test(w.text)) return w.text;
  // Double quotes read better when the text holds single quotes (inline Python/JS code).
  if (w.text.includes("'") && !/["$`\\]/.test(w.text)) return `"${w.text}"`;
  return `'${w.text.replace(/'/g, "'\\''")}'`;
}

export function commandSource(words: Word[], redirects: Redirect[] = []): string {
  return [...words.map(display), ...redirects.map((r) => `${r.fd ?? ""}${r.op} ${display(r.target)}`)].join(" ");
}

/** `{rm,-rf,/}` as a command: brace expansion makes the words `rm -rf /`. */
const BRACE_COMMAND = /^\{([^{}\s]*,[^{}\s]*)\}$/;

function finishCommand(raw: RawCommand, ctx: Ctx, upstream: Command[]): Command | null {
  let words = raw.words;
  // Reserved words that only shape control flow.
  while (words[0] !== undefined && RESERVED_PREFIX.has(words[0].text)) words = words.slice(1);
  if (words[0]?.text === "function" && words[1]) {
    // `function name { body; }` (the `function name()` form is handled by buildPipelines).
    ctx.functions.push(words[1].text);
    words = words[2]?.text === "{" ? words.slice(3) : words.slice(2);
    if (words.length === 0 && raw.redirects.length === 0) return null;
  }
  const firstLiteral = words[0]?.literal;
  // The one group always participates when BRACE_COMMAND matches.
  const [, braced] = (firstLiteral ? BRACE_COMMAND.exec(firstLiteral) : null) ?? [];
  const head0 = words[0];
  if (braced !== undefined)
    words = [
      ...braced
        .split(",")
        .filter((t) => t !== "")
        .map((t) => ({ text: t, literal: t, pattern: t, glob: false, subs: [] })),
      ...words.slice(1),
    ];
  else if (head0 !== undefined && head0.text.startsWith("{") && head0.text.length > 1) {
    words = [
      {
        ...head0,
        text: head0.text.slice(1),
        literal: head0.literal?.slice(1) ?? null,
        pattern: head0.pattern.slice(1),
      },
      ...words.slice(1),
    ];
  }
  // Shown without the reserved words around it (`do rm -rf $f` is the command `rm -rf $f`).
  const source = commandSource(words, raw.redirects);
  const head = words[0]?.text;
  if (head !== undefined && HEADER_WORDS.has(head)) {
    const loopVar = (head === "for" || head === "select") && words[1] ? words[1].text : "";
    const inAt = words.findIndex((w) => w.text === "in");
    const list = inAt >= 0 ? words.slice(inAt + 1) : [];
    if (loopVar) {
      // The loop variable is unknown from here on; over `$(…)` output it is an indirect value.
      ctx.env.delete(loopVar);
      const from = list.find((w) => w.subs.length > 0 && w.literal === null);
      if (from) ctx.indirect.set(loopVar, from.indirect ?? `a line of \`${from.text}\``);
      else ctx.indirect.delete(loopVar);
    }
    // The header's words are still expanded by the shell, so their substitutions are judged.
    const carried = (head === "case" ? words.slice(1, inAt < 0 ? undefined : inAt) : list).filter(
      (w) => w.subs.length > 0,
    );
    if (carried.length === 0) return null;
    return {
      ...emptyCommand(source, upstream),
      assignments: carried.map((value) => ({ name: loopVar, value: joinSplit(value) })),
    };
  }
  // An unquoted `$(…)` that prints "rm -rf /" becomes three words, not one program name.
  const first = words[0];
  if (first !== undefined && first.subs.length > 0 && first.literal !== null && /\s/.test(first.literal.trim())) {
    const split = splitWords(first.literal).map((t) => ({
      text: t,
      literal: t,
      pattern: t,
      glob: false,
      subs: first.subs,
    }));
    words = [...split, ...words.slice(1)];
  }
  const assignments: { name: string; value: Word }[] = [];
  for (let w = words[0]; w !== undefined; w = words[0]) {
    // The name group always participates when the assignment pattern matches.
    const [whole, name = ""] = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=/.exec(w.text) ?? [];
    if (whole === undefined) break;
    const cut = whole.length;
    assignments.push({
      name,
      value: joinSplit({
        ...w,
        text: w.text.slice(cut),
        literal: w.literal === null ? null : w.literal.slice(cut),
        pattern: w.pattern.slice(cut),
      }),
    });
    words = words.slice(1);
  }
  words = splitAtIfs(words);
  readsInto(words, ctx);
  if (words.length === 0) {
    // Bare assignments change the shell's variables for the commands that follow.
    for (const a of assignments) setVar(ctx, a.name, a.value);
  }
  if (["export", "declare", "typeset", "local", "readonly"].includes(words[0]?.text ?? "")) {
    for (const w of words.slice(1)) {
      // The name group always participates when the pattern matches.
      const [whole, name = ""] = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text) ?? [];
      if (whole !== undefined)
        setVar(ctx, name, {
          ...w,
          literal: w.literal?.slice(whole.length) ?? null,
          pattern: w.pattern.slice(whole.length),
        });
    }
  }
  const stdin = raw.redirects.find((r) => r.op === "<<<" || r.op === "<<");
  const base: Command = {
    source,
    argv: words,
    via: [],
    privileged: false,
    assignments,
    redirects: raw.redirects,
    runs: [],
    runsDynamic: [],
    argsFromInput: false,
    codeFromInput: false,
    upstream,
    stdinText: stdin ? stdin.target : null,
  };
  if (words.length === 0 && raw.redirects.length === 0 && assignments.length === 0) return null;
  const parseSub = (src: string, positional?: (string | null)[]): Script => {
    const env = new Map(ctx.env);
    positional?.forEach((v, k) => {
      if (v !== null) env.set(String(k), v);
    });
    return parseScript(src, ctx.depth + 1, env, ctx.indirect);
  };
  unwrap(base, parseSub, (raw2) => makeWord(raw2, false, ctx));
  return base;
}

function emptyCommand(source: string, upstream: Command[]): Command {
  return {
    source,
    argv: [],
    via: [],
    privileged: false,
    assignments: [],
    redirects: [],
    runs: [],
    runsDynamic: [],
    argsFromInput: false,
    codeFromInput: false,
    upstream,
    stdinText: null,
  };
}

/** Options of `read` that take a value (so the value is not taken for a variable name). */
const READ_OPTS_WITH_VALUE = new Set(["-p", "-d", "-n", "-N", "-t", "-u", "-i"]);

/** `read f`, `mapfile -t files`: those variables now hold text another command produced. */
function readsInto(words: Word[], ctx: Ctx): void {
  const prog = words[0]?.literal;
  if (prog !== "read" && prog !== "mapfile" && prog !== "readarray") return;
  const names: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const t = words[i]?.text ?? "";
    const next = words[i + 1];
    if (t === "-a" && next) {
      names.push(next.text);
      i++;
      continue;
    }
    if (prog === "read" ? READ_OPTS_WITH_VALUE.has(t) : /^-[dnOscCu]$/.test(t)) {
      i++;
      continue;
    }
    if (t.startsWith("-")) continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) names.push(t);
  }
  if (names.length === 0) names.push(prog === "read" ? "REPLY" : "MAPFILE");
  for (const n of names) {
    ctx.env.delete(n);
    ctx.indirect.set(n, `what \`${commandSource(words)}\` reads`);
  }
}

function setVar(ctx: Ctx, name: string, value: Word): void {
  if (value.indirect !== undefined) ctx.indirect.set(name, value.indirect);
  else ctx.indirect.delete(name);
  if (value.literal !== null) ctx.env.set(name, value.literal);
  else ctx.env.delete(name);
  if (value.subs.length > 0) ctx.varSubs.set(name, value.subs);
  else ctx.varSubs.delete(name);
}

/** Splits a string into words the way the shell would (used for `env -S`, `xargs` input, `watch`). */
export function splitWords(src: string): string[] {
  try {
    return shellParse(src).filter((e): e is string => typeof e === "string");
  } catch {
    return src.split(/\s+/).filter(Boolean);
  }
}

/** Every command in a script, including those inside substitutions and run by other commands. */
export function* allCommands(script: Script): Generator<Command> {
  for (const p of script.pipelines) {
    for (const c of p.commands) {
      yield c;
      for (const w of [...c.argv, ...c.redirects.map((r) => r.target), ...c.assignments.map((a) => a.value)]) {
        for (const s of w.subs) yield* allCommands(s);
      }
      for (const s of c.runs) yield* allCommands(s);
    }
  }
}
