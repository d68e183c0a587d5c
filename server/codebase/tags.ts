/**
 * Definitions of a file — functions, classes, methods, types, top-level constants — each
 * with its signature line, from the tree-sitter tree where a bundled grammar fits and from
 * a line regex otherwise (or when a parse fails). References are not taken from the tree:
 * every identifier of the text is a candidate reference, and the graph keeps only those
 * that name a definition somewhere — the same edges Aider's reference captures give, for
 * a regex pass instead of a walk of the whole tree.
 *
 * Parsing yields to the event loop every few ms (tree-sitter resumes a halted parse), and
 * the tree is freed as soon as the definitions are read: nothing of it is kept.
 */
import type { Node, Parser as ParserT, Tree } from "web-tree-sitter";
import { Parser } from "web-tree-sitter";
import { languageFor, type Grammar } from "../syntax/languages";
import { loadLanguage } from "../syntax/runtime";
import { MEMBER_OF, SCOPE_KINDS, WRAPPERS, type ScopeKind } from "../syntax/scope-kinds";
import { ownString } from "./terms";

export type DefKind = ScopeKind | "const";

export interface Definition {
  name: string;
  kind: DefKind;
  /** 1-based, inclusive. */
  line: number;
  endLine: number;
  /** The definition's first line, trimmed and capped (what the repository map shows). */
  signature: string;
}

export interface Tags {
  defs: Definition[];
  /** True when the grammar's parse failed and the regex fallback produced `defs`. */
  parseFailed: boolean;
}

const SLICE_MS = 4;
/** A parse taking longer than this (CPU across slices) is given up for the regex fallback. */
const MAX_PARSE_MS = 1_500;
const MAX_SIGNATURE = 160;
const MAX_DEFS = 2_000;
/** Grammars whose "definitions" are data keys: lexical retrieval only. */
const NO_DEFS: ReadonlySet<Grammar> = new Set(["json", "yaml"]);
/** Kinds whose members are definitions too: the ones a method belongs to, plus modules. */
const CONTAINERS: ReadonlySet<DefKind> = new Set<DefKind>([...MEMBER_OF, "module"]);
const VAR_DECLS = new Set([
  "lexical_declaration",
  "variable_declaration",
  "const_declaration",
  "var_declaration",
  "const_item",
  "static_item",
  "type_alias_declaration",
  "type_item",
]);
const NAME_TYPES = new Set([
  "identifier",
  "type_identifier",
  "field_identifier",
  "property_identifier",
  "constant",
  "name",
  "simple_identifier",
]);

const parsers = new Map<Grammar, ParserT>();
/** One parse at a time: a halted parse keeps its state in the parser until it finishes. */
let parseQueue: Promise<unknown> = Promise.resolve();

export function grammarFor(path: string): Grammar | undefined {
  return languageFor(undefined, path);
}

export async function extractTags(path: string, text: string, signal?: AbortSignal): Promise<Tags> {
  const grammar = grammarFor(path);
  if (grammar && NO_DEFS.has(grammar)) return { defs: [], parseFailed: false };
  if (grammar) {
    try {
      const defs = await withTree(grammar, text, signal, (tree) => treeDefs(grammar, tree, text));
      if (defs) return { defs, parseFailed: false };
    } catch (err) {
      if (signal?.aborted) throw err;
    }
    return { defs: regexDefs(text), parseFailed: true };
  }
  return { defs: regexDefs(text), parseFailed: false };
}

async function withTree<T>(
  grammar: Grammar,
  text: string,
  signal: AbortSignal | undefined,
  use: (tree: Tree) => T,
): Promise<T | undefined> {
  const language = await loadLanguage(grammar);
  const run = parseQueue.then(async () => {
    let parser = parsers.get(grammar);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(language);
      parsers.set(grammar, parser);
    }
    parser.reset();
    let spent = 0;
    for (;;) {
      const start = performance.now();
      const deadline = start + SLICE_MS;
      const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
      spent += performance.now() - start;
      if (tree) {
        try {
          return use(tree);
        } finally {
          tree.delete();
        }
      }
      if (spent > MAX_PARSE_MS || signal?.aborted) {
        parser.reset();
        signal?.throwIfAborted();
        return undefined;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  });
  parseQueue = run.catch(() => undefined);
  return run;
}

function treeDefs(grammar: Grammar, tree: Tree, text: string): Definition[] {
  const kinds = SCOPE_KINDS[grammar];
  const lines = lineStarts(text);
  const defs: Definition[] = [];
  const add = (name: string, kind: DefKind, node: Node, at: Node = node) => {
    if (defs.length >= MAX_DEFS || !name || name.length > 128) return;
    const line = at.startPosition.row + 1;
    defs.push({ name, kind, line, endLine: node.endPosition.row + 1, signature: signatureAt(text, lines, line) });
  };
  const visit = (node: Node, topLevel: boolean, depth: number): void => {
    if (depth > 40) return;
    const type = node.type;
    const kind = kinds[type];
    if (kind === "closure" || kind === "block") return;
    if (grammar === "go" && type === "type_declaration") {
      for (const c of node.namedChildren) if (c && nameOf(c)) add(nameOf(c)!, "type", c);
      return;
    }
    if (kind) {
      const name = nameOf(node);
      if (name) add(name, kind, node);
      if (CONTAINERS.has(kind)) for (const c of node.namedChildren) if (c) visit(c, false, depth + 1);
      return;
    }
    if (VAR_DECLS.has(type) && topLevel) {
      const direct = nameOf(node);
      if (direct) add(direct, type.startsWith("type") ? "type" : "const", node);
      for (const c of node.namedChildren) {
        if (!c) continue;
        const n = nameOf(c);
        if (n && (c.type.endsWith("declarator") || c.type.endsWith("spec"))) add(n, "const", c);
      }
      return;
    }
    if (grammar === "python" && topLevel && type === "expression_statement") {
      const a = node.namedChild(0);
      const left = a?.type === "assignment" ? a.childForFieldName("left") : null;
      if (left?.type === "identifier") add(left.text, "const", node);
      return;
    }
    const stillTop = topLevel && (depth === 0 || WRAPPERS.has(type) || type === "program" || type === "module");
    for (const c of node.namedChildren) if (c) visit(c, stillTop, depth + 1);
  };
  visit(tree.rootNode, true, 0);
  return defs;
}

/** A definition's name: its `name` field, or down the `declarator` chain (C/C++ functions). */
function nameOf(node: Node): string | undefined {
  let n: Node | null = node;
  for (let i = 0; i < 4 && n; i++) {
    const named = n.childForFieldName("name");
    if (named && NAME_TYPES.has(named.type)) return named.text;
    if (named) return named.text.length <= 128 ? named.text : undefined;
    if (NAME_TYPES.has(n.type) && n !== node) return n.text;
    n = n.childForFieldName("declarator") ?? n.childForFieldName("type");
  }
  return undefined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function signatureAt(text: string, starts: readonly number[], line: number): string {
  const from = starts[line - 1] ?? 0;
  const end = text.indexOf("\n", from);
  const raw = text.slice(from, end === -1 ? undefined : end).trimEnd();
  return ownString(raw.length > MAX_SIGNATURE ? raw.slice(0, MAX_SIGNATURE) + "…" : raw);
}

const FALLBACK_DEF =
  /^(\s*)(?:export\s+)?(?:default\s+)?(?:pub(?:\([^)]*\))?\s+)?(?:abstract\s+|static\s+|async\s+)*(function\*?|class|interface|type|enum|def|func|fn|struct|trait|module|impl|sub|proc|const|let|var)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)/;

/** Definitions by line shape, for languages without a grammar and failed parses. */
export function regexDefs(text: string): Definition[] {
  const defs: Definition[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length && defs.length < MAX_DEFS; i++) {
    const line = lines[i]!;
    if (line.length > 400) continue;
    const m = FALLBACK_DEF.exec(line);
    if (!m) continue;
    const word = m[2]!;
    // Variables count only at the top level; nested `const x =` is not a definition anyone asks about.
    if ((word === "const" || word === "let" || word === "var") && m[1]!.length > 0) continue;
    const kind: DefKind =
      word === "class"
        ? "class"
        : word === "interface" || word === "trait"
          ? "interface"
          : word === "type" || word === "struct" || word === "enum"
            ? "type"
            : word === "const" || word === "let" || word === "var"
              ? "const"
              : "function";
    const t = line.trimEnd();
    defs.push({
      name: m[3]!,
      kind,
      line: i + 1,
      endLine: i + 1,
      signature: ownString(t.length > MAX_SIGNATURE ? t.slice(0, MAX_SIGNATURE) + "…" : t),
    });
  }
  // Each definition runs until the next one at the same or a smaller indent (good enough for ranges).
  for (let i = 0; i < defs.length; i++) {
    const d = defs[i]!;
    const indent = /^\s*/.exec(lines[d.line - 1]!)![0].length;
    let end = lines.length;
    for (let j = i + 1; j < defs.length; j++) {
      const e = defs[j]!;
      if (/^\s*/.exec(lines[e.line - 1]!)![0].length <= indent) {
        end = e.line - 1;
        break;
      }
    }
    while (end > d.line && lines[end - 1]!.trim() === "") end--;
    d.endLine = Math.max(d.line, end);
  }
  return defs;
}
