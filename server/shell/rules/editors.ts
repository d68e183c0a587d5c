/**
 * Editors started with commands: `vim -c ':!rm -rf ~'`, `vim +'!sh'`, `nvim --cmd 'call system("…")'`,
 * `emacs --batch --eval '(shell-command "…")'`. The shell commands inside are judged like typed ones.
 */
import type { Command } from "../parse";
import { classifyPath, describeClass, BROAD } from "../paths";
import { f, literalWord, type Finding, type RuleContext } from "./finding";

const VI = new Set(["vi", "vim", "nvim", "view", "ex", "gvim", "mvim", "vimdiff", "nvi", "elvis"]);
const EMACS = new Set(["emacs", "emacsclient"]);

/** Ex commands given on the command line (`-c CMD`, `--cmd CMD`, `+CMD`). */
function exCommands(cmd: Command): string[] {
  const out: string[] = [];
  const words = cmd.argv.values();
  words.next(); // the program itself
  for (const w of words) {
    const t = w.literal ?? w.text;
    if (t === "-c" || t === "--cmd") {
      const next = words.next(); // the option's value is consumed with it
      if (!next.done) out.push(next.value.literal ?? next.value.text);
    } else if (t.startsWith("+") && t.length > 1 && !/^\+\d+$/.test(t)) out.push(t.slice(1));
  }
  // Bounded: a hostile line could repeat `-c` thousands of times.
  return out.slice(0, 32);
}

/** The shell command an Ex command runs (`:!cmd`, `:r !cmd`, `:w !cmd`, `:call system('cmd')`), if any. */
function shellOf(ex: string): string[] {
  const c = ex.replace(/^[\s:]+/, "");
  const bang = /^(?:[%.$\d,'<>]*)\s*(?:r(?:ead)?|w(?:rite)?|silent!?|exe(?:cute)?)?\s*!(.*)$/s.exec(c)?.[1];
  if (bang !== undefined) return [bang];
  const out: string[] = [];
  for (const [, , command = ""] of c.matchAll(/\bsystem(?:list)?\s*\(\s*(['"])((?:\\.|(?!\1).)*)\1/g))
    out.push(command);
  // Ex commands chain with `|` (a `!` command takes the rest of the line, handled above).
  if (out.length === 0 && c.includes("|")) return c.split("|").flatMap(shellOf);
  return out;
}

export function editorFindings(cmd: Command, prog: string, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  if (VI.has(prog)) {
    for (const ex of exCommands(cmd)) {
      for (const sh of shellOf(ex)) {
        if (sh.trim() === "") continue;
        out.push(f("review", cmd, `runs the shell command \`${sh.trim()}\` from the editor`), ...ctx.judgeScript(sh));
      }
    }
  }
  if (EMACS.has(prog)) {
    const evals = cmd.argv.flatMap((w, k) => {
      const next = cmd.argv[k + 1];
      if (/^--?eval$/.test(w.text) && next) return [next.literal ?? ""];
      return /^--eval=/.test(w.text) ? [w.text.slice(7)] : [];
    });
    for (const e of evals) {
      for (const m of e.matchAll(
        /\((?:async-)?shell-command(?:-to-string)?\s+"((?:\\.|[^"])*)"|\(call-process-shell-command\s+"((?:\\.|[^"])*)"/g,
      )) {
        const sh = (m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1");
        out.push(f("review", cmd, `runs the shell command \`${sh}\` from the editor`), ...ctx.judgeScript(sh));
      }
      for (const m of e.matchAll(/\(delete-(directory|file)\s+"((?:\\.|[^"])*)"(\s+t)?/g)) {
        const target = m[2] ?? ""; // a mandatory group: always a string in a match
        const c = classifyPath(literalWord(target));
        const recursive = m[1] === "directory" && m[3] !== undefined;
        out.push(
          BROAD.has(c)
            ? f(
                "dangerous",
                cmd,
                `${recursive ? "recursively " : ""}deletes ${describeClass(c, target)} from the editor`,
              )
            : f("review", cmd, `deletes ${target} from the editor`),
        );
      }
    }
  }
  return out;
}
