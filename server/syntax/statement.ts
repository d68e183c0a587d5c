/**
 * Where the statement the cursor's line belongs to starts. A line is not always where its
 * statement starts: the second line of a wrapped call, `.map(…)` in a method chain, the last
 * line of a multi-line signature (`    discount int) int {`). Its indentation says nothing
 * about the scope; the statement's first line does. Completion judges "end of the current
 * scope" and "the block the cursor opened" from that line (filters/scope.ts).
 */
import type { Node } from "web-tree-sitter";
import type { SyntaxTree } from "./parse";

/**
 * Nodes whose children are statements or members, one after another: a statement is a child
 * of one of these (or of the root). The grammars' own names; a missing one only means a
 * bigger node is taken as the statement, which the row limit below catches.
 */
const CONTAINER =
  /^(?:program|module|source_file|translation_unit|compilation_unit|block|statement_block|compound_statement|declaration_list|field_declaration_list|enumerator_list|class_body|interface_body|enum_body|enum_variant_list|body_statement|do_block|then|else|switch_body|switch_block|switch_section|case_clause|expression_case|default_case|communication_case|type_case|match_block|constructor_body|template_body|namespace_body|declaration_list|block_node|block_sequence|block_mapping|array|object)$/;

/** A statement starting further up than this is not what the cursor's line continues. */
const MAX_ROWS_UP = 30;

/**
 * The 0-based row where the statement holding the code before `offset` on its line starts,
 * when that is an earlier row than the cursor's; undefined when the line starts its own
 * statement, the line has no code before the cursor, or the tree cannot tell (errors).
 */
export function statementStartRow(st: SyntaxTree, offset: number): number | undefined {
  const { text, tree } = st;
  const at = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  const before = text.slice(lineStart, at);
  if (before.trim() === "") return undefined;
  const first = lineStart + (before.length - before.trimStart().length);
  const last = lineStart + before.trimEnd().length - 1;
  let n: Node | null = tree.rootNode.descendantForIndex(first, last);
  const row = n?.startPosition.row ?? 0;
  const cursorRow = tree.rootNode.descendantForIndex(first, first)?.startPosition.row ?? row;
  while (n && n.parent && !CONTAINER.test(n.parent.type) && n.parent.parent !== null) n = n.parent;
  if (!n || n.type === "ERROR" || n.isMissing) return undefined;
  const start = n.startPosition.row;
  if (start >= cursorRow || cursorRow - start > MAX_ROWS_UP) return undefined;
  return start;
}
