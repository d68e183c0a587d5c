/**
 * The named blocks around a position: "method total of class Cart, lines 5–9".
 *
 * Where the cursor sits on a line matters little to a person and a lot to a tree: column 0
 * of an indented `def` line is inside the class body, one past `return s` is outside the
 * method. So a position is first moved onto its line's code; on a blank line the scopes are
 * those that hold the line strictly inside. A cursor on the comments or decorators right above a
 * definition means that definition (its range then starts at them).
 */
import type { Node } from "web-tree-sitter";
import type { SyntaxTree } from "./parse";
import {
  LEADING_ATTRIBUTES,
  MEMBER_OF,
  NEEDS_LINES,
  SCOPE_KINDS,
  WRAPPERS,
  isComment,
  type ScopeKind,
} from "./scope-kinds";

export interface Scope {
  kind: ScopeKind;
  /** The block's name as written (`total`, `Cart`, `impl Display for Cart`); "" when anonymous. */
  name: string;
  /** 0-based first and last line, decorators/attributes (and comments the cursor was on) included. */
  startLine: number;
  endLine: number;
  /** UTF-16 offsets into the parsed text of the same range (end exclusive). */
  startOffset: number;
  endOffset: number;
  /** The line of the definition itself (the `def`/`function`/`class` line, after decorators). */
  headerLine: number;
  /** The grammar's node type, e.g. `function_definition`. */
  nodeType: string;
}

/** Named blocks around `offset`, innermost first (empty outside any). */
export function scopesAt(st: SyntaxTree, offset: number): Scope[] {
  const { text, tree } = st;
  const kinds = SCOPE_KINDS[st.grammar];
  const at = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  let lineEnd = text.indexOf("\n", at);
  if (lineEnd === -1) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd);
  const row = rowOf(text, lineStart);
  const blank = line.trim() === "";

  const out: Scope[] = [];
  const seen = new Set<number>();
  let from: Node | null;
  if (blank) {
    from = tree.rootNode.descendantForIndex(lineStart, lineStart);
  } else {
    // The whole line decides, not the column: the same target wherever the cursor is on it.
    const first = lineStart + (line.length - line.trimStart().length);
    const last = lineStart + line.trimEnd().length - 1;
    const head = tree.rootNode.descendantForIndex(first, first);
    const leading = head ? definitionAfterLeading(head, kinds) : undefined;
    if (leading) {
      out.push(toScope(leading.def, kinds, st.grammar, leading.start));
      seen.add(leading.def.id);
      from = leading.def.parent;
    } else {
      from = tree.rootNode.descendantForIndex(first, last);
      // A block that opens or closes on this line (`items.forEach((i) => {`, `});`) is the innermost one.
      const opened = from ? definitionOnRow(from, row, kinds) : undefined;
      if (opened) from = opened;
    }
  }
  for (let n = from; n; n = n.parent) {
    const def = WRAPPERS.has(n.type) ? unwrap(n, kinds) : n;
    if (!def || !isScopeNode(def, kinds) || seen.has(def.id)) continue;
    const scope = toScope(def, kinds, st.grammar);
    if (blank && !(scope.startLine < row && row < scope.endLine)) continue;
    seen.add(def.id);
    out.push(scope);
  }
  return out;
}

function isScopeNode(n: Node, kinds: Record<string, ScopeKind>): boolean {
  const kind = n.isNamed ? kinds[n.type] : undefined;
  if (!kind) return false;
  return !NEEDS_LINES.has(kind) || lastRow(n) > n.startPosition.row;
}

/** The smallest scope below `node` that starts or ends on `row`. */
function definitionOnRow(node: Node, row: number, kinds: Record<string, ScopeKind>): Node | undefined {
  let best: Node | undefined;
  const visit = (n: Node) => {
    for (const c of n.namedChildren) {
      if (!c || c.startPosition.row > row || c.endPosition.row < row) continue;
      // `template <…>` or an `export` on this row opens the definition it wraps.
      const def = WRAPPERS.has(c.type) && c.startPosition.row === row ? unwrap(c, kinds) : c;
      if (def && isScopeNode(def, kinds) && (c.startPosition.row === row || lastRow(c) === row)) {
        if (!best || def.endIndex - def.startIndex < best.endIndex - best.startIndex) best = def;
      }
      visit(c);
    }
  };
  visit(node);
  return best;
}

/** The innermost named block around `offset`, if any. */
export function enclosingScope(st: SyntaxTree, offset: number): Scope | undefined {
  return scopesAt(st, offset)[0];
}

function rowOf(text: string, offset: number): number {
  let row = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) row++;
  return row;
}

/**
 * The cursor is on a comment or decorator/attribute (or a run of them) that sits right above
 * a definition, without a blank line between: that definition, starting at the run.
 */
function definitionAfterLeading(node: Node, kinds: Record<string, ScopeKind>): { def: Node; start: Node } | undefined {
  let n: Node | null = node;
  while (n && !isComment(n.type) && !LEADING_ATTRIBUTES.has(n.type)) {
    if (kinds[n.type] || WRAPPERS.has(n.type) || n.parent === null) return undefined;
    n = n.parent;
  }
  if (!n) return undefined;
  // Doc comments have parts (`///` marker, `doc_comment`): the whole comment is the sibling.
  while (n.parent && isLeading(n.parent)) n = n.parent;
  let start = n;
  for (let p = n.previousNamedSibling; p && isLeading(p) && adjacent(p, start); p = p.previousNamedSibling) start = p;
  let last = n;
  let next = n.nextNamedSibling;
  while (next && isLeading(next) && adjacent(last, next)) {
    last = next;
    next = next.nextNamedSibling;
  }
  if (!next || !adjacent(last, next)) return undefined;
  const def = unwrap(next, kinds);
  return def ? { def, start } : undefined;
}

function isLeading(n: Node): boolean {
  return isComment(n.type) || LEADING_ATTRIBUTES.has(n.type);
}

/** No blank line between a and b (b starts on a's last line or the next). */
function adjacent(a: Node, b: Node): boolean {
  return b.startPosition.row - a.endPosition.row <= 1;
}

/** The definition a node is or wraps (`decorated_definition` → its function/class). */
function unwrap(n: Node, kinds: Record<string, ScopeKind>): Node | undefined {
  if (kinds[n.type]) return n;
  if (!WRAPPERS.has(n.type)) return undefined;
  const inner = n.childForFieldName("definition") ?? n.childForFieldName("declaration") ?? n.lastNamedChild;
  return inner ? unwrap(inner, kinds) : undefined;
}

function toScope(def: Node, kinds: Record<string, ScopeKind>, grammar: string, leadingStart?: Node): Scope {
  let outer: Node = def;
  // Wrappers that hold only this definition: decorators, `template <…>`, `export`, and for a
  // function value the declaration that names it (`const total = () => {…}`).
  for (let p = outer.parent; p; p = p.parent) {
    if (WRAPPERS.has(p.type)) outer = p;
    else if (p.type === "variable_declarator" && p.parent && p.parent.namedChildCount === 1) outer = p.parent;
    else if (p.type === "variable_declarator") outer = p;
    else break;
  }
  let start: Node = outer;
  for (
    let s = start.previousNamedSibling;
    s && LEADING_ATTRIBUTES.has(s.type) && adjacent(s, start);
    s = s.previousNamedSibling
  )
    start = s;
  if (leadingStart && leadingStart.startIndex < start.startIndex) start = leadingStart;
  let kind = kinds[def.type]!;
  if (kind === "function" && enclosingKind(def, kinds, grammar)) kind = "method";
  if (def.type === "type_declaration") kind = goTypeKind(def);
  const name = nameOf(def);
  // `const total = () => {…}`, `fetch: function (url) {…}`: a function by any other name.
  if (kind === "closure" && name !== "") kind = enclosingKind(def, kinds, grammar) ? "method" : "function";
  return {
    kind,
    name,
    startLine: start.startPosition.row,
    endLine: lastRow(outer),
    startOffset: start.startIndex,
    endOffset: outer.endIndex,
    headerLine: def.startPosition.row,
    nodeType: def.type,
  };
}

/** A node ending at column 0 (some grammars keep the final newline) ends on the line before. */
function lastRow(n: Node): number {
  const end = n.endPosition;
  return end.column === 0 && end.row > n.startPosition.row ? end.row - 1 : end.row;
}

function enclosingKind(def: Node, kinds: Record<string, ScopeKind>, grammar: string): boolean {
  for (let p = def.parent; p; p = p.parent) {
    const k = kinds[p.type];
    if (!k) continue;
    return MEMBER_OF.has(k) || (grammar === "ruby" && k === "module");
  }
  return false;
}

function goTypeKind(def: Node): ScopeKind {
  const spec = def.namedChildren.find((c) => c?.type === "type_spec");
  const t = spec?.childForFieldName("type")?.type;
  return t === "interface_type" ? "interface" : t === "struct_type" ? "struct" : "type";
}

const MAX_NAME = 80;

function nameOf(def: Node): string {
  const named = def.childForFieldName("name");
  if (named) return clip(named.text);
  switch (def.type) {
    case "function_definition": {
      // C/C++: the name sits inside the declarator chain (`int *Cart::total(void)`).
      let d = def.childForFieldName("declarator");
      while (d && d.childForFieldName("declarator") && d.type !== "qualified_identifier")
        d = d.childForFieldName("declarator");
      return d ? clip(d.text) : "";
    }
    case "impl_item": {
      const trait = def.childForFieldName("trait");
      const type = def.childForFieldName("type")?.text ?? "";
      return clip(trait ? `${trait.text} for ${type}` : type);
    }
    case "type_declaration": {
      const spec = def.namedChildren.find((c) => c?.type === "type_spec");
      return clip(spec?.childForFieldName("name")?.text ?? "");
    }
    case "pair":
    case "block_mapping_pair":
      return clip((def.childForFieldName("key")?.text ?? "").replace(/^["']|["']$/g, ""));
  }
  // A function value takes the name it is given: `const total = () => …`, `total: function () …`.
  const p = def.parent;
  if (p?.type === "variable_declarator") return clip(p.childForFieldName("name")?.text ?? "");
  if (p?.type === "pair") return clip((p.childForFieldName("key")?.text ?? "").replace(/^["']|["']$/g, ""));
  if (p?.type === "assignment_expression" || p?.type === "assignment")
    return clip(p.childForFieldName("left")?.text ?? "");
  return "";
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > MAX_NAME ? `${one.slice(0, MAX_NAME - 1)}…` : one;
}

/** "method total (lines 5–9)": how prompts and the edit UI name a scope (lines 1-based). */
export function describeScope(s: Scope): string {
  const lines = s.startLine === s.endLine ? `line ${s.startLine + 1}` : `lines ${s.startLine + 1}–${s.endLine + 1}`;
  return `${s.kind}${s.name ? ` ${s.name}` : ""} (${lines})`;
}
