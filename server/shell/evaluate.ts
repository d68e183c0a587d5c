/**
 * Works out, without running anything, what a trivial script prints: `echo rm`,
 * `printf '%s' rm`, and those piped through decoders (`base64 -d`, `xxd -r -p`, `rev`).
 * Obfuscated commands such as `$(echo cm0gLXJmIC8= | base64 -d)` are built exactly this
 * way, so knowing the output lets the assessment judge the command it spells.
 */
import type { Script } from "./parse";
import { programName } from "./wrappers";

const MAX_OUTPUT = 16_384;

function printfFormat(format: string, args: string[]): string {
  let k = 0;
  const out = format.replace(
    /%(%|s|b|d)|\\(n|t|\\|x[0-9a-fA-F]{1,2}|[0-7]{1,3})/g,
    (m, spec: string | undefined, esc: string | undefined) => {
      if (spec === "%") return "%";
      if (spec) return args[k++] ?? "";
      if (esc === "n") return "\n";
      if (esc === "t") return "\t";
      if (esc === "\\") return "\\";
      if (esc?.startsWith("x")) return String.fromCharCode(parseInt(esc.slice(1), 16));
      if (esc) return String.fromCharCode(parseInt(esc, 8));
      return m;
    },
  );
  return out;
}

function decode(prog: string, args: string[], input: string): string | null {
  const flags = args.join(" ");
  if ((prog === "base64" || prog === "openssl") && /(^|\s)(-d|--decode|-D)\b/.test(flags)) {
    const clean = input.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/=_-]*$/.test(clean)) return null;
    return Buffer.from(clean, "base64").toString("utf8");
  }
  if (prog === "xxd" && /-r/.test(flags) && /-p/.test(flags)) {
    const clean = input.replace(/\s+/g, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(clean)) return null;
    return Buffer.from(clean, "hex").toString("utf8");
  }
  if (prog === "rev")
    return input
      .split("\n")
      .map((l) => [...l].reverse().join(""))
      .join("\n");
  if (prog === "cat" && args.length === 0) return input;
  return null;
}

/** What the script prints, when that is knowable statically; otherwise null. */
export function staticOutput(script: Script): string | null {
  const [pipeline, ...more] = script.pipelines;
  if (pipeline === undefined || more.length > 0) return null;
  const cmds = pipeline.commands;
  if (cmds.length === 0) return null;
  let out: string | null = null;
  for (const [i, c] of cmds.entries()) {
    if (c.redirects.length > 0 || c.via.length > 0 || c.runs.length > 0) return null;
    const words = c.argv.map((w) => w.literal);
    if (words.some((w) => w === null)) return null;
    const args = (words as string[]).slice(1);
    const prog = programName(c.argv[0]);
    if (i === 0) {
      const [first] = args;
      const last = args.at(-1);
      if (prog === "echo") {
        const plain = args.filter((a) => !/^-[neE]+$/.test(a));
        out = plain.join(" ");
        if (args.some((a) => /^-\w*e/.test(a))) out = printfFormat(out, []);
      } else if ((prog === "which" || (prog === "command" && first === "-v")) && last !== undefined) {
        // `$(which rm)` names the program it looks up.
        out = last;
      } else if (prog === "pwd" && args.length === 0) {
        out = ".";
      } else if (prog === "printf" && first !== undefined) {
        out = printfFormat(first, args.slice(1));
      } else {
        return null;
      }
      continue;
    }
    out = decode(prog, args, out ?? "");
    if (out === null) return null;
  }
  if (out === null || out.length > MAX_OUTPUT) return null;
  return out.replace(/\n+$/, "");
}
