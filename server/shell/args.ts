/** Reading a command's flags and operands the way most POSIX/GNU tools do. */
import type { Word } from "./parse";

export interface Args {
  /** Single-letter flags, from `-rf`, `-r -f`. */
  short: Set<string>;
  /** Long options without their value, from `--force`, `--output=x`. */
  long: Set<string>;
  /** Values of options that take one (`-o FILE`, `--output=FILE`), keyed by the option as written. */
  values: Map<string, Word>;
  /** Operands (non-option words), in order; everything after `--` is an operand. */
  operands: Word[];
  /** All words after the program, as text. */
  texts: string[];
}

/**
 * `withValue` lists options that consume the next word (e.g. ["-o", "--output", "-C"]).
 * A short cluster ending in such a letter (`-qO-`, `-fo out`) takes the rest or the next word.
 */
export function readArgs(argv: Word[], withValue: readonly string[] = []): Args {
  const a: Args = {
    short: new Set(),
    long: new Set(),
    values: new Map(),
    operands: [],
    texts: argv.slice(1).map((w) => w.text),
  };
  let i = 1;
  let onlyOperands = false;
  for (let w = argv[i]; w !== undefined; w = argv[i]) {
    const t = w.text;
    const next = argv[i + 1];
    if (onlyOperands || t === "-" || !t.startsWith("-") || w.literal === null) {
      a.operands.push(w);
      i++;
      continue;
    }
    if (t === "--") {
      onlyOperands = true;
      i++;
      continue;
    }
    if (t.startsWith("--")) {
      const eq = t.indexOf("=");
      const name = eq < 0 ? t : t.slice(0, eq);
      a.long.add(name);
      if (eq >= 0)
        a.values.set(name, { ...w, text: t.slice(eq + 1), literal: t.slice(eq + 1), pattern: w.pattern.slice(eq + 1) });
      else if (withValue.includes(name) && next) {
        a.values.set(name, next);
        i++;
      }
      i++;
      continue;
    }
    if (withValue.includes(t)) {
      a.short.add(t.slice(1));
      if (next) a.values.set(t, next);
      i += 2;
      continue;
    }
    // A short cluster: -rf, -qO-, -n5.
    let consumedNext = false;
    for (let k = 1; k < t.length; k++) {
      const letter = t.charAt(k);
      a.short.add(letter);
      if (withValue.includes(`-${letter}`)) {
        const rest = t.slice(k + 1);
        if (rest !== "") a.values.set(`-${letter}`, { ...w, text: rest, literal: rest, pattern: rest });
        else if (next) {
          a.values.set(`-${letter}`, next);
          consumedNext = true;
        }
        break;
      }
    }
    i += consumedNext ? 2 : 1;
  }
  return a;
}

export function has(a: Args, ...names: string[]): boolean {
  return names.some((n) => (n.startsWith("--") ? a.long.has(n) : a.short.has(n.replace(/^-/, ""))));
}

export function value(a: Args, ...names: string[]): Word | undefined {
  for (const n of names) {
    const v = a.values.get(n);
    if (v) return v;
  }
  return undefined;
}
