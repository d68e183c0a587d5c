/**
 * A model's command text → argv → allowed / confirm / refused, with reasons.
 *
 * The text is never given to a shell. It is split with shell-quote's rules, but only after a
 * quote-aware scan has refused everything a shell would treat specially: operators (`;`,
 * `&&`, `|`, `&`), redirections, grouping, substitutions (`$…` outside single quotes,
 * backticks anywhere),
 * globs, brace and tilde expansion, comments, escapes, line breaks and invisible
 * characters. What is left is plain words, so the argv is exactly what the text says.
 * Then: the program is `docker`, no global flags, an allowed subcommand with only its
 * allowed flags (policy.ts), and every container named is the target.
 */
import { parse as shellParse, quote } from "shell-quote";
import { assess } from "../shell/risk";
import { CONTAINER_VERBS, REFUSED_SUBCOMMANDS, SUBCOMMAND_SUMMARY, SUBCOMMANDS, type SubcommandSpec } from "./policy";

export type Decision = "allowed" | "confirm" | "refused";

export interface Verdict {
  decision: Decision;
  /** The argv that would run (absent when the text could not be split into plain words). */
  argv?: string[];
  /** The subcommand as policy knows it (`container ls` → `ps`). */
  subcommand?: string;
  reasons: string[];
}

export interface ValidateOptions {
  /** The target container's real name (aliases already resolved). */
  container: string;
  /** Resolves a name the model used through the alias table; undefined when it is no alias. */
  resolveAlias?: (name: string) => string | undefined;
}

export const MAX_COMMAND_CHARS = 4_000;

const refused = (reasons: string[], argv?: string[]): Verdict => ({
  decision: "refused",
  reasons,
  ...(argv ? { argv } : {}),
});

/** Shell syntax found outside plain words, one reason per kind. */
export function shellSyntaxProblems(text: string): string[] {
  const found = new Map<string, string>();
  const add = (key: string, reason: string) => {
    if (!found.has(key)) found.set(key, reason);
  };
  if (/[\r\n]/.test(text)) add("newline", "contains a line break: more than one command");
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|\p{Cf}/u.test(text))
    add("invisible", "contains control or invisible characters");
  if (text.includes("`")) add("backtick", "contains a backtick (command substitution)");

  let quote: "'" | '"' | null = null;
  let wordStart = true;
  for (const ch of text) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (quote === '"' && ch === "\\") add("escape", "contains a backslash escape");
      // Only single quotes keep `$` literal (`'name=^app$'`); in double quotes a shell would expand it.
      else if (quote === '"' && ch === "$") add("dollar", "contains `$` (variable or command substitution)");
      wordStart = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      wordStart = false;
      continue;
    }
    if (ch === " " || ch === "\t") {
      wordStart = true;
      continue;
    }
    if (ch === "$") add("dollar", "contains `$` (variable or command substitution)");
    else if (ch === ";") add(";", "contains the shell operator `;`: more than one command");
    else if (ch === "&") add("&", "contains the shell operator `&` (`&&` or background): more than one command");
    else if (ch === "|") add("|", "contains the shell operator `|` (pipe or `||`): more than one command");
    else if (ch === "<" || ch === ">") add("redirect", `contains a redirection (\`${ch}\`)`);
    else if (ch === "(" || ch === ")") add("paren", "contains `(`/`)` (a subshell or grouping)");
    else if ("*?[]".includes(ch)) add("glob", `contains the glob character \`${ch}\``);
    else if (ch === "{" || ch === "}") add("brace", "contains `{`/`}` unquoted (brace expansion)");
    else if (ch === "\\") add("escape", "contains a backslash escape");
    else if (ch === "!") add("bang", "contains `!` (history expansion)");
    else if (ch === "~" && wordStart) add("tilde", "contains `~` at the start of a word (home-directory expansion)");
    else if (ch === "#" && wordStart) add("comment", "contains `#` at the start of a word (a comment hiding the rest)");
    wordStart = false;
  }
  if (quote !== null) add("quote", `has an unterminated ${quote === "'" ? "single" : "double"} quote`);
  return [...found.values()];
}

/** Plain words, or the reasons the text is not plain words. */
export function splitCommand(text: string): { argv: string[] } | { reasons: string[] } {
  const t = text.trim();
  if (t === "") return { reasons: ["The answer contains no command."] };
  if (t.length > MAX_COMMAND_CHARS) return { reasons: [`The command is longer than ${MAX_COMMAND_CHARS} characters.`] };
  const problems = shellSyntaxProblems(t);
  if (problems.length > 0)
    return { reasons: problems.map((p) => `The command ${p}; the gateway runs exactly one plain docker command.`) };
  let entries: ReturnType<typeof shellParse>;
  try {
    entries = shellParse(t, (key: string) => ({ op: `$${key}` }) as unknown as string);
  } catch (err) {
    return { reasons: [`The command could not be split into words (${(err as Error).message}).`] };
  }
  const argv: string[] = [];
  for (const e of entries) {
    // The scan above refuses everything that makes an operator, glob or comment; this is the second lock.
    if (typeof e !== "string")
      return { reasons: ["The command contains shell syntax; the gateway runs exactly one plain docker command."] };
    argv.push(e);
  }
  if (argv.length === 0) return { reasons: ["The answer contains no command."] };
  return { argv };
}

const GLOBAL_FLAG_REASONS: Record<string, string> = {
  "-H": "points docker at another engine",
  "--host": "points docker at another engine",
  "-c": "switches the docker context (another engine)",
  "--context": "switches the docker context (another engine)",
  "--config": "reads another client configuration",
  "-l": "changes the client's logging",
  "--log-level": "changes the client's logging",
  "--tls": "changes how the engine is reached",
  "--tlsverify": "changes how the engine is reached",
};

function isRootUser(value: string): boolean {
  const [user, group] = value.split(":");
  const root = (s: string | undefined) => s === "root" || (s !== undefined && /^0+$/.test(s));
  return root(user) || root(group);
}

interface Parsed {
  /** `valueAt`/`prefix`: where the value sits (`--filter=x`: same word after "--filter="; `--filter x`: the next word). */
  flags: { flag: string; name: string; value?: string; valueAt: number; prefix: string }[];
  positionals: { value: string; index: number }[];
  /** exec: the inner command (everything after the container). */
  inner: string[];
}

/** Splits the words after the subcommand by its flag spec (pflag rules: clusters, `=`, interspersed, `--`). */
function parseArgs(args: string[], offset: number, spec: SubcommandSpec, sub: string, reasons: string[]): Parsed {
  const out: Parsed = { flags: [], positionals: [], inner: [] };
  const allowed = Object.keys(spec.flags).filter((f) => f.startsWith("--"));
  const allowedText = allowed.length > 0 ? `allowed: ${allowed.join(", ")}` : "it takes no flags here";
  const check = (flag: string, value: string | undefined, valueAt: number, prefix: string): boolean => {
    const why = spec.refused?.[flag];
    if (why !== undefined) {
      reasons.push(`\`${flag}\` ${why}.`);
      return false;
    }
    const f = spec.flags[flag];
    if (f === undefined) {
      reasons.push(`\`${flag}\` is not an allowed flag of docker ${sub} (${allowedText}).`);
      return false;
    }
    if (f.value && value === undefined) {
      reasons.push(`\`${flag}\` needs a value.`);
      return false;
    }
    if (f.value && f.pattern && !f.pattern.test(value!)) {
      reasons.push(`The value ${JSON.stringify(value)} of \`${flag}\` is not allowed.`);
      return false;
    }
    out.flags.push({ flag, name: f.name, ...(f.value ? { value: value! } : {}), valueAt, prefix });
    return true;
  };
  let k = 0;
  let onlyPositionals = false;
  for (let a = args[k]; a !== undefined; a = args[k]) {
    const index = offset + k;
    if (sub === "exec" && out.positionals.length === 1) {
      // Everything after the container is the command to run inside it.
      out.inner = args.slice(k);
      break;
    }
    if (onlyPositionals || a === "-" || !a.startsWith("-")) {
      out.positionals.push({ value: a, index });
      k++;
      continue;
    }
    if (a === "--") {
      onlyPositionals = true;
      k++;
      continue;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const flag = eq >= 0 ? a.slice(0, eq) : a;
      const takes = spec.flags[flag]?.value === true;
      let value: string | undefined;
      let at = index;
      if (eq >= 0) value = a.slice(eq + 1);
      else if (takes && k + 1 < args.length) {
        value = args[++k];
        at = offset + k;
      }
      if (eq >= 0 && spec.flags[flag] !== undefined && !takes) {
        reasons.push(`\`${flag}\` takes no value.`);
      } else check(flag, value, at, eq >= 0 ? a.slice(0, eq + 1) : "");
      k++;
      continue;
    }
    // Short flags: `-ti`, `-n20`, `-n=20`, `-n 20`.
    const cluster = a.slice(1);
    for (let c = 0; c < cluster.length; c++) {
      const flag = `-${cluster[c]}`;
      if (spec.flags[flag]?.value === true) {
        const attached = cluster.slice(c + 1);
        let value = attached.replace(/^=/, "");
        let at = index;
        let prefix = a.slice(0, a.length - value.length);
        const next = args[k + 1];
        if (value === "" && next !== undefined) {
          value = next;
          k++;
          at = offset + k;
          prefix = "";
        }
        check(flag, value === "" ? undefined : value, at, prefix);
        break;
      }
      if (!check(flag, undefined, index, "")) break;
    }
    k++;
  }
  return out;
}

function anchoredName(container: string): string {
  return `name=^/${container}$`;
}

export function validateCommand(text: string, opts: ValidateOptions): Verdict {
  const split = splitCommand(text);
  if ("reasons" in split) return refused(split.reasons);
  return validateArgv(split.argv, opts);
}

/** The policy on an argv that is already plain words (a confirm token's argv is checked again with this). */
export function validateArgv(argv: string[], opts: ValidateOptions): Verdict {
  const program = argv[0];
  if (program === undefined) return refused(["The answer contains no command."]);
  if (argv.some((a) => /[\u0000-\u001f\u007f]|\p{Cf}/u.test(a)))
    return refused(["The command contains control or invisible characters."], argv);
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(program)) {
    return refused(
      [
        `The command starts with an environment assignment (\`${program.split("=")[0]}=…\`); only a plain docker command is allowed.`,
      ],
      argv,
    );
  }
  if (program !== "docker")
    return refused([`The command runs \`${program}\`, not docker; only docker commands are allowed.`], argv);
  const target = opts.container;
  const isTarget = (name: string) => name === target || opts.resolveAlias?.(name) === target;

  const first = argv[1];
  if (first === undefined) return refused(["The command has no docker subcommand."], argv);
  if (first.startsWith("-")) {
    const eq = first.indexOf("=");
    const flag = eq < 0 ? first : first.slice(0, eq);
    const why = GLOBAL_FLAG_REASONS[flag] ?? "is a global docker flag";
    return refused(
      [`\`${flag}\` ${why}; global docker flags (-H, --host, --context, --config, …) are not allowed.`],
      argv,
    );
  }
  let sub = first;
  let offset = 2;
  if (first === "container") {
    const verb = argv[2];
    const mapped = verb !== undefined ? CONTAINER_VERBS[verb] : undefined;
    if (mapped === undefined)
      return refused([`\`docker container${verb ? ` ${verb}` : ""}\` is not allowed (${SUBCOMMAND_SUMMARY}).`], argv);
    sub = mapped;
    offset = 3;
  }
  const spec = SUBCOMMANDS[sub];
  if (spec === undefined) {
    const what = REFUSED_SUBCOMMANDS[sub];
    return refused([`\`docker ${sub}\`${what ? ` ${what}, which` : ""} is not allowed (${SUBCOMMAND_SUMMARY}).`], argv);
  }

  const reasons: string[] = [];
  const parsed = parseArgs(argv.slice(offset), offset, spec, sub, reasons);
  const has = (name: string) => parsed.flags.some((f) => f.name === name);
  const others = (ps: { value: string }[]) => ps.filter((p) => !isTarget(p.value)).map((p) => p.value);
  const foreign = (names: string[]) => {
    for (const n of [...new Set(names)])
      reasons.push(
        `The command names the container \`${n}\`, not the target \`${target}\`; only the target may be touched.`,
      );
  };
  let out = argv;
  const notes: string[] = [];

  switch (sub) {
    case "ps": {
      const [stray] = parsed.positionals;
      if (stray !== undefined) reasons.push(`docker ps takes no container names (\`${stray.value}\`).`);
      // Name filters OR together: every one must be the target, and each is made exact (`name=app` also matches `app2`).
      out = [...argv];
      let named = false;
      for (const f of parsed.flags.filter((x) => x.name === "--filter")) {
        const [key, ...rest] = f.value!.split("=");
        const value = rest.join("=");
        if (key !== "name") continue;
        const bare = value.replace(/^\^\/?/, "").replace(/\$$/, "");
        if (!isTarget(bare)) {
          foreign([bare]);
          continue;
        }
        named = true;
        out[f.valueAt] = f.prefix + anchoredName(target);
      }
      if (!named) {
        // Right after the subcommand: at the end it could follow `--` and be read as a positional.
        out = [...argv.slice(0, offset), "--filter", anchoredName(target), ...argv.slice(offset)];
        notes.push(`docker ps is limited to the target container (\`--filter ${anchoredName(target)}\` added).`);
      }
      break;
    }
    case "logs":
    case "diff":
    case "top":
    case "port": {
      const [c, ...extra] = parsed.positionals;
      if (c === undefined) reasons.push(`docker ${sub} needs the target container \`${target}\`.`);
      else foreign(others([c]));
      const [port, ...beyondPort] = extra;
      if (
        sub === "port" &&
        port !== undefined &&
        !(beyondPort.length === 0 && /^\d{1,5}(\/(tcp|udp|sctp))?$/.test(port.value))
      ) {
        reasons.push("docker port takes the container and at most one port such as 80/tcp.");
      } else if (sub === "top" && extra.some((e) => !/^-?[A-Za-z,]{1,32}$/.test(e.value))) {
        reasons.push("docker top takes only plain ps options after the container.");
      } else if ((sub === "logs" || sub === "diff") && extra.length > 0) {
        foreign(others(extra));
        if (others(extra).length === 0) reasons.push(`docker ${sub} takes one container.`);
      }
      break;
    }
    case "exec": {
      const [c] = parsed.positionals;
      if (c === undefined) {
        reasons.push(`docker exec needs the target container \`${target}\` and a command.`);
        break;
      }
      foreign(others([c]));
      const user = parsed.flags.find((f) => f.name === "--user");
      if (user && isRootUser(user.value!))
        reasons.push(`\`${user.flag} ${user.value}\` runs the command as root; exec as root is not allowed.`);
      if (parsed.inner.length === 0) {
        reasons.push("docker exec has no command to run in the container.");
        break;
      }
      if (reasons.length > 0) break;
      const inner = quote(parsed.inner);
      const a = assess(inner);
      const said = a.reasons.map((r) => `Inside the container: ${r}`);
      if (a.risk === "dangerous")
        return refused([`The command to run in the container is assessed as dangerous.`, ...said], argv);
      if (a.risk === "review")
        return {
          decision: "confirm",
          argv,
          subcommand: sub,
          reasons: [
            `The command to run in the container changes something (assessed as review); confirm to run it.`,
            ...said,
          ],
        };
      return { decision: "allowed", argv, subcommand: sub, reasons: said };
    }
    default: {
      // inspect, stats and the state changes: one or more containers, all the target.
      if (parsed.positionals.length === 0) reasons.push(`docker ${sub} needs the target container \`${target}\`.`);
      foreign(others(parsed.positionals));
      if (sub === "stats" && !has("--no-stream"))
        reasons.push("docker stats streams without end unless `--no-stream` is given.");
    }
  }
  if (reasons.length > 0) return refused(reasons, argv);
  if (spec.kind === "change") {
    return {
      decision: "confirm",
      argv: out,
      subcommand: sub,
      reasons: [`\`docker ${sub}\` changes the state of \`${target}\`; confirm to run it.`],
    };
  }
  return { decision: "allowed", argv: out, subcommand: sub, reasons: notes };
}

/** The argv for display, quoted for a POSIX shell (what a person would paste). */
export function displayCommand(argv: string[]): string {
  return quote(argv);
}
