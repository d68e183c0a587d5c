/** Interpreters and shells: where their code comes from decides the risk (`curl … | sh`, `python -c`, `bash <(…)`). */
import type { Command, Word } from "../parse";
import { classifyPath, describeClass, BROAD } from "../paths";
import { value, type Args } from "../args";
import {
  INLINE_CODE_FLAGS,
  destructiveCallsIn,
  inlineFetchesAndRuns,
  inlineForkBomb,
  inlineReverseShell,
  isInterpreter,
  pipedSource,
  shellStringsIn,
  wordSource,
} from "../code";
import { f, shown, literalWord, type Finding, upstreamOutput, writtenScript, type RuleContext } from "./finding";
import { judgeWindows } from "../windows";

export const SHELL_LIKE: Record<string, true> = {
  sh: true,
  bash: true,
  zsh: true,
  dash: true,
  ksh: true,
  mksh: true,
  ash: true,
  fish: true,
  source: true,
  ".": true,
  rbash: true,
  yash: true,
};

function fromElsewhere(cmd: Command, src: { kind: "fetch" | "decode"; from: Command }): Finding {
  return f(
    "dangerous",
    cmd,
    `runs code ${src.kind === "fetch" ? "downloaded by" : "decoded by"} \`${src.from.source}\` without showing it`,
  );
}

function untrustedFile(cmd: Command, name: string, ctx: RuleContext): Finding | null {
  if (!ctx.downloaded.has(name) && !ctx.downloaded.has(name.replace(/^\.\//, ""))) return null;
  return f(
    "dangerous",
    cmd,
    `runs ${name}, which was just written from a download or a decoder and has not been reviewed`,
  );
}

/** Judges code we can read: shell code as a script, other languages by the calls they make. */
function knownCode(cmd: Command, prog: string, code: string, ctx: RuleContext): Finding[] {
  if (prog in SHELL_LIKE) return ctx.judgeScript(code);
  if (prog === "pwsh" || prog === "powershell") return judgeWindows(code, "powershell", ctx.judgeScript, 1);
  const out: Finding[] = [];
  if (inlineForkBomb(code)) return [f("dangerous", cmd, "forks processes without end (a fork bomb)")];
  if (inlineFetchesAndRuns(code)) out.push(f("dangerous", cmd, "downloads code and runs it"));
  if (inlineReverseShell(code)) out.push(f("dangerous", cmd, "connects a shell to a network socket (a reverse shell)"));
  for (const s of shellStringsIn(code)) out.push(...ctx.judgeScript(s));
  for (const d of destructiveCallsIn(code)) {
    const c = d.target === null ? "unknown" : classifyPath(literalWord(d.target));
    if (d.target !== null && BROAD.has(c))
      out.push(f("dangerous", cmd, `deletes ${describeClass(c, d.target)} (${d.call})`));
    else out.push(f("review", cmd, `deletes files (${d.call})`));
  }
  return out;
}

function codeWordFindings(cmd: Command, prog: string, codeWord: Word | undefined, ctx: RuleContext): Finding[] {
  if (!codeWord) return [f("review", cmd, `starts ${prog}`)];
  if (codeWord.literal === null) {
    const src = wordSource(codeWord);
    return [src ? fromElsewhere(cmd, src) : f("review", cmd, "runs inline code that is only known when it runs")];
  }
  return [...knownCode(cmd, prog, codeWord.literal, ctx), f("review", cmd, `runs inline ${prog} code`)];
}

export function interpreterFindings(cmd: Command, prog: string, a: Args, ctx: RuleContext): Finding[] | null {
  if (!isInterpreter(prog) && prog !== "source" && prog !== ".") return null;
  const base = prog.replace(/\d(\.\d+)?$/, "") === "python" ? "python3" : prog;
  if (a.texts.length === 1 && a.texts.every((t) => /^(--version|-V|-v|--help|-h)$/.test(t)))
    return [f("safe", cmd, "only prints its version or help")];

  const flags = INLINE_CODE_FLAGS[base] ?? INLINE_CODE_FLAGS[prog] ?? [];
  const flagIdx = cmd.argv.findIndex((w, k) => k > 0 && flags.includes(w.text));
  if (flagIdx > 0) return codeWordFindings(cmd, prog, cmd.argv[flagIdx + 1], ctx);

  const mod = value(a, "-m");
  if (mod) return [f("review", cmd, `runs the ${prog} module ${shown(mod)}`)];

  // Script file or process substitution as the program's code.
  const script = a.operands[0];
  if (script && script.text !== "-" && !(prog in SHELL_LIKE && a.texts.includes("-s"))) {
    const src = wordSource(script);
    if (src) return [fromElsewhere(cmd, src)];
    const known = writtenScript(ctx, script.literal ?? "");
    if (known !== null)
      return [
        ...knownCode(cmd, prog, known, ctx),
        f("review", cmd, `runs ${shown(script)}, a script written just before`),
      ];
    return [
      untrustedFile(cmd, script.literal ?? script.text, ctx) ??
        f("review", cmd, `runs the ${prog === "source" || prog === "." ? "shell" : prog} script ${shown(script)}`),
    ];
  }

  // Code from standard input: a pipeline, a here-document, a file, or the terminal.
  const piped = pipedSource(cmd);
  if (piped) {
    // Show what decoded code would do, when it can be decoded here (`echo … | base64 -d | sh`).
    const decoded = piped.kind === "decode" ? upstreamOutput(cmd) : null;
    if (decoded === null) return [fromElsewhere(cmd, piped)];
    const shownCode = decoded.length > 80 ? `${decoded.slice(0, 77)}…` : decoded;
    return [
      f(
        "dangerous",
        cmd,
        `runs code hidden by \`${piped.from.source}\` (it decodes to \`${shownCode.replace(/\s+/g, " ")}\`)`,
      ),
      ...knownCode(cmd, prog, decoded, ctx),
    ];
  }
  const feeder = cmd.upstream.at(-1);
  if (feeder !== undefined) {
    const known = upstreamOutput(cmd);
    return [
      ...(known !== null ? knownCode(cmd, prog, known, ctx) : []),
      f("review", cmd, `runs whatever \`${feeder.source}\` prints as ${prog} code`),
    ];
  }
  if (cmd.stdinText) {
    if (cmd.stdinText.literal === null) {
      const src = wordSource(cmd.stdinText);
      if (src) return [fromElsewhere(cmd, src)];
    }
    return [
      ...(cmd.stdinText.literal !== null ? knownCode(cmd, prog, cmd.stdinText.literal, ctx) : []),
      f("review", cmd, `runs the ${prog} code given as its input`),
    ];
  }
  const inRedirect = cmd.redirects.find((r) => r.op === "<");
  if (inRedirect) {
    const src = wordSource(inRedirect.target);
    if (src) return [fromElsewhere(cmd, src)];
    return [
      untrustedFile(cmd, inRedirect.target.literal ?? "", ctx) ??
        f("review", cmd, `runs the script ${shown(inRedirect.target)}`),
    ];
  }
  return [
    f(
      "review",
      cmd,
      prog === "source" || prog === "."
        ? "runs a script in the current shell"
        : `starts ${prog}, which can run anything`,
    ),
  ];
}

/** `xargs sh -c` with no script: the code is whatever arrives on standard input. */
export function codeFromInputFindings(cmd: Command): Finding[] {
  const piped = pipedSource(cmd);
  return [piped ? fromElsewhere(cmd, piped) : f("review", cmd, "runs code read from its input")];
}
