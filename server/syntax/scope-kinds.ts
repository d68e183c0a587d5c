/**
 * Which node types of each grammar are blocks a person would name ("method total",
 * "class Cart"): the targets of Ctrl+K without a selection and the scopes completion
 * stops at. Node type names are the grammars' own (see each grammar's node-types.json).
 */
import type { Grammar } from "./languages";

export type ScopeKind =
  | "function"
  | "method"
  | "constructor"
  | "class"
  | "interface"
  | "trait"
  | "enum"
  | "struct"
  | "record"
  | "type"
  | "impl"
  | "module"
  | "macro"
  | "closure"
  | "block";

const JS: Record<string, ScopeKind> = {
  function_declaration: "function",
  generator_function_declaration: "function",
  function_expression: "closure",
  function: "closure",
  generator_function: "closure",
  arrow_function: "closure",
  method_definition: "method",
  class_declaration: "class",
  class: "class",
  abstract_class_declaration: "class",
  interface_declaration: "interface",
  enum_declaration: "enum",
  internal_module: "module",
  module: "module",
};

const C: Record<string, ScopeKind> = {
  function_definition: "function",
  struct_specifier: "struct",
  union_specifier: "struct",
  enum_specifier: "enum",
};

export const SCOPE_KINDS: Record<Grammar, Record<string, ScopeKind>> = {
  typescript: JS,
  tsx: JS,
  javascript: JS,
  python: { function_definition: "function", class_definition: "class", lambda: "closure" },
  go: {
    function_declaration: "function",
    method_declaration: "method",
    func_literal: "closure",
    type_declaration: "type",
  },
  rust: {
    function_item: "function",
    closure_expression: "closure",
    impl_item: "impl",
    struct_item: "struct",
    enum_item: "enum",
    union_item: "struct",
    trait_item: "trait",
    mod_item: "module",
    macro_definition: "macro",
  },
  java: {
    method_declaration: "method",
    constructor_declaration: "constructor",
    compact_constructor_declaration: "constructor",
    class_declaration: "class",
    interface_declaration: "interface",
    annotation_type_declaration: "interface",
    enum_declaration: "enum",
    record_declaration: "record",
    lambda_expression: "closure",
  },
  c: C,
  cpp: {
    ...C,
    class_specifier: "class",
    namespace_definition: "module",
    lambda_expression: "closure",
  },
  csharp: {
    method_declaration: "method",
    constructor_declaration: "constructor",
    destructor_declaration: "method",
    operator_declaration: "method",
    local_function_statement: "function",
    class_declaration: "class",
    interface_declaration: "interface",
    struct_declaration: "struct",
    enum_declaration: "enum",
    record_declaration: "record",
    namespace_declaration: "module",
    lambda_expression: "closure",
    anonymous_method_expression: "closure",
  },
  ruby: {
    method: "function",
    singleton_method: "method",
    class: "class",
    singleton_class: "class",
    module: "module",
    block: "closure",
    do_block: "closure",
    lambda: "closure",
  },
  php: {
    function_definition: "function",
    method_declaration: "method",
    class_declaration: "class",
    interface_declaration: "interface",
    trait_declaration: "trait",
    enum_declaration: "enum",
    anonymous_function: "closure",
    anonymous_function_creation_expression: "closure",
    arrow_function: "closure",
  },
  bash: { function_definition: "function" },
  json: { pair: "block" },
  yaml: { block_mapping_pair: "block", block_sequence_item: "block" },
};

/** Nodes that only wrap a definition and start before it (decorators, `template <…>`, `export`). */
export const WRAPPERS = new Set(["decorated_definition", "template_declaration", "export_statement"]);

/** Siblings right above a definition that belong to it: decorators and attributes. */
export const LEADING_ATTRIBUTES = new Set(["decorator", "attribute_item", "attribute_list", "annotation"]);

/** A function in one of these is a method. */
export const MEMBER_OF: ReadonlySet<ScopeKind> = new Set([
  "class",
  "interface",
  "trait",
  "struct",
  "record",
  "impl",
  "enum",
]);

/** Anonymous kinds that are only a target when they span several lines (never a one-line lambda). */
export const NEEDS_LINES: ReadonlySet<ScopeKind> = new Set(["closure", "block"]);

export function isComment(type: string): boolean {
  return type === "comment" || type.endsWith("_comment");
}
