/** Interpreters and shells: where their code comes from decides the risk (`curl … | sh`, `python -c`, `bash <(…)`). */
import type { Command } from "../parse";
import { classifyPath, describeClass, BROAD } from "../paths";
import { value, type Args } from "../args";
import { INLINE_CODE_FLAGS, destructiveCallsIn, inlineFetchesAndRuns, inlineForkBomb, isInterpreter, pipedSource, shellStringsIn, wordSource } from "../code";
import { f, shown, literalWord, type Finding, upstreamOutput, type RuleContext } from "./finding";

export function interpreterFindings(cmd: Command, prog: string, a: Args, ctx: RuleContext): Finding[] | null {
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
    const known = upstreamOutput(cmd);
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

export const SHELL_LIKE: Record<string, true> = { sh: true, bash: true, zsh: true, dash: true, ksh: true, mksh: true, ash: true, fish: true, source: true, ".": true, rbash: true, yash: true };

// ---------------------------------------------------------------------------------------
