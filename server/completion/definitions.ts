/**
 * Context from definitions: the functions, classes and types the code near the cursor uses,
 * imported from the workspace's own modules. The model sees `parseConfig(path: string):
 * Config` and `interface Config {…}` instead of guessing their shape from the name; this is
 * what makes a completion call an imported helper right. Found without a language server:
 * import statements name the module and the binding, the module file is read (from the
 * request's snippets or the workspace on disk), and the definition is cut out of it: by the
 * parse tree where a grammar is bundled (server/syntax), else by its declaration line,
 * brackets and indentation.
 */
import { posix } from "node:path";
import { candidatePaths, importBindings, type ImportBinding } from "../../common/imports";
import { closerOnly, indentOf, width } from "./filters/lines";
import type { Snippet } from "./context";
import { parse } from "../syntax/parse";
import { scopesAt } from "../syntax/scope";
import { goPackageFiles, javaClassFile, javaSourceRoot, rustModuleFiles } from "./package-sources";

/** Lines around the cursor whose names count as "used near the cursor". */
const LINES_BEFORE = 15;
const LINES_AFTER = 5;
const MAX_NEAR_CHARS = 4_000;
/** At most this many definitions, each at most this many lines (the prompt budget trims further). */
const MAX_DEFINITIONS = 6;
const MAX_DEFINITION_LINES = 40;

const NOT_NAMES = new Set(
  "if else for while do return const let var function class new this self await async import from export default try catch finally throw typeof instanceof in of def elif pass None True False null undefined true false and or not is lambda with as yield break continue switch case type interface extends implements public private protected static readonly void string number boolean any unknown never fn func go pub use mod struct impl trait enum match".split(
    " ",
  ),
);

/** Names used near the cursor, nearest first; `ns.member` also yields `ns.member`. */
export function namesNearCursor(prefix: string, suffix: string): string[] {
  // Only the lines needed are cut out: the document can be megabytes.
  let from = prefix.length;
  for (let n = 0; n < LINES_BEFORE; n++) {
    const nl = prefix.lastIndexOf("\n", from - 2);
    from = nl + 1;
    if (nl < 0) break;
  }
  let to = 0;
  for (let n = 0; n < LINES_AFTER && to !== -1; n++) to = suffix.indexOf("\n", to + 1);
  // Long lines (minified code) are cut too: names near the cursor are what counts.
  const before = prefix.slice(Math.max(from, prefix.length - MAX_NEAR_CHARS));
  const after = suffix.slice(0, Math.min(to === -1 ? suffix.length : to, MAX_NEAR_CHARS));
  const seen = new Map<string, number>();
  const add = (text: string, distance: (index: number, length: number) => number) => {
    for (const m of text.matchAll(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?/g)) {
      const d = distance(m.index, m[0].length);
      for (const name of [m[0], m[0].split(".")[0]!]) {
        if (name.length < 2 || NOT_NAMES.has(name)) continue;
        seen.set(name, Math.min(seen.get(name) ?? Infinity, d));
      }
    }
  };
  add(before, (i, len) => before.length - i - len);
  add(after, (i) => i);
  return [...seen].sort((a, b) => a[1] - b[1]).map(([n]) => n);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The declaration line of `name`: a keyword that declares, then the name (or a top-level `name =`). */
function declarationRe(name: string): RegExp {
  const n = escapeRe(name);
  return new RegExp(
    `^[ \\t]*(?:(?:export|default|declare|abstract|public|private|protected|static|pub(?:\\([^)]*\\))?|async|unsafe|final|sealed|open|data)\\s+)*` +
      `(?:(?:function\\*?|class|interface|type|enum|struct|trait|union|def|fn|func|const|let|var|val|object|record|module)\\s+${n}\\b|func\\s+\\([^)]*\\)\\s*${n}\\b)` +
      `|^${n}\\s*(?::[^=\\n]*)?=[^=]`,
    "m",
  );
}

/** Bracket depth change of a line, ignoring brackets in strings (roughly: quotes on the same line). */
function depthDelta(line: string): number {
  let d = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quote !== null) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if ("([{".includes(ch)) d++;
    else if (")]}".includes(ch)) d--;
  }
  return d;
}

/** First line of the doc comments and decorators right above line `start` (at most 10 lines up). */
function leadingCommentStart(lines: readonly string[], start: number): number {
  let first = start;
  while (first > 0 && first > start - 10 && /^\s*(?:\/\/|#|\/\*|\*|@|""")/.test(lines[first - 1]!)) first--;
  return first;
}

/**
 * The text of `name`'s definition in `text`: doc comments and decorators right above it, the
 * declaration, and its body up to where the indentation comes back (a closer line included).
 */
export function definitionIn(text: string, name: string): string | null {
  const m = declarationRe(name).exec(text);
  if (!m) return null;
  const lines = text.split("\n");
  const startLine = text.slice(0, m.index).split("\n").length - 1;
  const first = leadingCommentStart(lines, startLine);
  const base = width(indentOf(lines[startLine]!));
  let depth = depthDelta(lines[startLine]!);
  let end = startLine;
  const opens = depth > 0 || /[:{]\s*$/.test(lines[startLine]!.trimEnd());
  if (opens) {
    for (let i = startLine + 1; i < lines.length && i - first < MAX_DEFINITION_LINES; i++) {
      const line = lines[i]!;
      const blank = line.trim() === "";
      if (!blank && depth <= 0 && width(indentOf(line)) <= base) {
        if (closerOnly(line)) end = i;
        break;
      }
      depth += depthDelta(line);
      if (!blank) end = i;
      // A brace body closed on its own line at the declaration's indentation ends the definition.
      if (depth <= 0 && closerOnly(line) && width(indentOf(line)) <= base) break;
    }
  }
  return lines
    .slice(first, end + 1)
    .join("\n")
    .trimEnd();
}

/**
 * The definition by the parse tree: the named block (with its decorators and doc comment)
 * whose header is the declaration line. Falls back to `definitionIn` when the language has
 * no bundled grammar or the declaration is not a block the tree names (`const X = 1`).
 */
export async function definitionByTree(
  text: string,
  name: string,
  languageId: string,
  path: string,
): Promise<string | null> {
  const m = declarationRe(name).exec(text);
  if (!m) return null;
  const tree = await parse(languageId, text, { uri: `definitions:${path}`, filename: path }).catch(() => undefined);
  if (tree) {
    const at = m.index + m[0].length - 1;
    const headerLine = text.slice(0, at).split("\n").length - 1;
    const scope = scopesAt(tree, at).find((s) => s.headerLine === headerLine);
    if (scope) {
      const all = tree.text.split("\n");
      const lines = all.slice(leadingCommentStart(all, scope.startLine), scope.endLine + 1);
      if (lines.length > MAX_DEFINITION_LINES) lines.length = MAX_DEFINITION_LINES;
      return lines.join("\n").trimEnd();
    }
  }
  return definitionIn(text, name);
}

export interface DefinitionOptions {
  prefix: string;
  suffix: string;
  languageId: string;
  /** Path of the document (posix or Windows). */
  filepath: string;
  workspaceRoot?: string;
  /** Text of candidate files the client sent (snippets), by path. */
  known: readonly Snippet[];
  /** Reads a workspace file; undefined when missing, too big, secret or ignored. */
  read: (path: string) => Promise<string | undefined>;
  /** Lists a workspace directory's files (Go packages); without it, no package is listed. */
  list?: (dir: string) => Promise<string[] | undefined>;
}

function candidates(opts: DefinitionOptions, binding: ImportBinding): string[] {
  const from = candidatePaths(opts.filepath, binding.specifier, opts.languageId);
  // Python's absolute imports (`from app.models import X`) start at the workspace root.
  if (opts.languageId === "python" && opts.workspaceRoot && binding.specifier.startsWith("./")) {
    const root = opts.workspaceRoot.replace(/\\/g, "/");
    from.push(...candidatePaths(posix.join(root, "__root__.py"), binding.specifier, opts.languageId));
  }
  return [...new Set(from)];
}

/** Languages that import packages or modules by path (package-sources.ts). */
const BY_PACKAGE = new Set(["go", "rust", "java"]);

/** Files that may define `name` as imported through `b`, most likely first. */
async function sourcePaths(opts: DefinitionOptions, b: ImportBinding, name: string): Promise<string[]> {
  switch (opts.languageId) {
    case "go":
      return goPackageFiles(b.specifier, opts);
    case "rust":
      return rustModuleFiles(opts.filepath, b.specifier);
    case "java": {
      const root = javaSourceRoot(opts.filepath, opts.prefix);
      if (root === undefined) return [];
      if (b.specifier !== "*") return [javaClassFile(root, b.specifier)];
      // A class used by name without its own import: the file's package, then `import pkg.*;` ones.
      const own = posix.dirname(opts.filepath.replace(/\\/g, "/"));
      const wildcards = importBindings(opts.prefix, "java").filter((w) => w.namespace);
      return [posix.join(own, `${name}.java`), ...wildcards.map((w) => javaClassFile(root, `${w.specifier}.${name}`))];
    }
    default:
      return candidates(opts, b);
  }
}

/** Definitions of the imported names used near the cursor, nearest use first. */
export async function importedDefinitions(opts: DefinitionOptions): Promise<Snippet[]> {
  const bindings = importBindings(opts.prefix, opts.languageId);
  const java = opts.languageId === "java";
  if (bindings.length === 0 && !java) return [];
  const byLocal = new Map<string, ImportBinding[]>();
  for (const b of bindings) byLocal.set(b.local, [...(byLocal.get(b.local) ?? []), b]);
  // Rust paths read `cart::total`: as `cart.total` they are a namespace and a member.
  const rust = (t: string) => (opts.languageId === "rust" ? t.replace(/::/g, ".") : t);
  const wanted: { binding: ImportBinding; name: string }[] = [];
  for (const used of namesNearCursor(rust(opts.prefix), rust(opts.suffix))) {
    const [head = "", member] = used.split(".");
    const bs = byLocal.get(head) ?? [];
    for (const b of bs) {
      if (b.namespace && member) wanted.push({ binding: b, name: member });
      // `Cart.total()` / `Cart::new()`: the class or type itself is what tells the model.
      else if (!b.namespace && (!member || BY_PACKAGE.has(opts.languageId)))
        wanted.push({ binding: b, name: b.exported });
    }
    if (java && bs.length === 0 && /^[A-Z]\w*$/.test(head))
      wanted.push({ binding: { local: head, exported: head, specifier: "*", namespace: false }, name: head });
    if (wanted.length >= MAX_DEFINITIONS * 2) break;
  }
  const texts = new Map<string, Promise<string | undefined>>();
  const textOf = (path: string) => {
    let t = texts.get(path);
    if (!t) {
      const known = opts.known.find((s) => s.filepath.replace(/\\/g, "/") === path);
      t = known ? Promise.resolve(known.content) : opts.read(path);
      texts.set(path, t);
    }
    return t;
  };
  const out: Snippet[] = [];
  const seen = new Set<string>();
  for (const w of wanted) {
    if (out.length >= MAX_DEFINITIONS) break;
    for (const path of await sourcePaths(opts, w.binding, w.name)) {
      const text = await textOf(path);
      if (text === undefined) continue;
      const key = `${path}#${w.name}`;
      if (seen.has(key)) break;
      const def = await definitionByTree(text, w.name, opts.languageId, path);
      if (!def) continue;
      seen.add(key);
      out.push({ filepath: path, content: def });
      break;
    }
  }
  return out;
}
