/**
 * Parse a document into a tree-sitter tree without stalling the backend.
 *
 * web-tree-sitter parses synchronously; a cold parse of a 5,000-line file is tens of
 * milliseconds (more on a loaded machine). So a parse runs in slices: the progress
 * callback cancels it once a slice has used its budget (default 4 ms), the event loop
 * turns, and the same parser resumes where it stopped (tree-sitter keeps a halted parse's
 * state until `reset`). Parses of one grammar queue behind each other for that reason.
 *
 * Trees are cached per document (`uri`): the same version (or the same text) is a cache
 * hit; a new version reuses the old tree incrementally — the changed span is found by
 * common prefix and suffix, the old tree is edited, and only the changed part is re-parsed.
 *
 * Tree lifetime: a tree lives in WebAssembly memory and must be freed. A tree that leaves
 * the cache (a newer version, eviction) is freed RETIRE_MS later, so a caller may use what
 * `parse` returned for that long — use it right away, never keep it.
 */
import type { Point, Tree } from "web-tree-sitter";
import { Parser } from "web-tree-sitter";
import { languageFor, type Grammar } from "./languages";
import { loadLanguage } from "./runtime";

export interface SyntaxTree {
  grammar: Grammar;
  tree: Tree;
  /** The text the tree was parsed from (node indices are UTF-16 offsets into it). */
  text: string;
}

export interface ParseOptions {
  /** Cache key: the document's URI (or path). Without it nothing is cached or reused. */
  uri?: string;
  /** The document's version; the same uri + version is served from the cache without comparing text. */
  version?: number;
  /** Longest synchronous slice of parsing, in ms. */
  sliceMs?: number;
  /** Stops a long parse between slices (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** File name for choosing the grammar when the language id names none (e.g. plaintext). */
  filename?: string;
}

/** Bigger documents are not parsed (callers fall back to line-based behaviour). */
export const MAX_PARSE_CHARS = 4_000_000;
const DEFAULT_SLICE_MS = 4;
const MAX_DOCUMENTS = 32;
const RETIRE_MS = 10_000;

interface Entry {
  grammar: Grammar;
  version: number | undefined;
  text: string;
  tree: Tree;
}

/** uri → newest tree; Map order is recency (oldest first) for eviction. */
const documents = new Map<string, Entry>();
const parsers = new Map<Grammar, { parser: Parser; queue: Promise<unknown> }>();

/**
 * Parse `text` as `languageId` (or as its file name says). Resolves to undefined when no
 * bundled grammar fits or the text is too big; rejects only when `signal` aborts.
 */
export async function parse(
  languageId: string,
  text: string,
  opts: ParseOptions = {},
): Promise<SyntaxTree | undefined> {
  const grammar = languageFor(languageId, opts.filename ?? opts.uri);
  if (!grammar || text.length > MAX_PARSE_CHARS) return undefined;
  const key = opts.uri;
  const cached = key === undefined ? undefined : documents.get(key);
  if (cached && cached.grammar === grammar) {
    const same = opts.version !== undefined && cached.version === opts.version ? true : cached.text === text;
    if (same) {
      touch(key!, cached);
      return { grammar, tree: cached.tree, text: cached.text };
    }
  }
  const language = await loadLanguage(grammar);
  const slot = parserFor(grammar, () => {
    const p = new Parser();
    p.setLanguage(language);
    return p;
  });
  const run = slot.queue.then(async () => {
    // The cache may have moved on while this waited in the queue.
    const base = key === undefined ? undefined : documents.get(key);
    const old = base && base.grammar === grammar ? base : undefined;
    let oldTree: Tree | undefined;
    if (old) {
      oldTree = old.tree.copy();
      oldTree.edit(editBetween(old.text, text));
    }
    try {
      return await parseSliced(slot.parser, text, oldTree, opts.sliceMs ?? DEFAULT_SLICE_MS, opts.signal);
    } finally {
      oldTree?.delete();
    }
  });
  slot.queue = run.catch(() => undefined);
  const tree = await run;
  if (key === undefined) {
    retire(tree);
  } else {
    const prev = documents.get(key);
    if (prev) retire(prev.tree);
    touch(key, { grammar, version: opts.version, text, tree });
    evict();
  }
  return { grammar, tree, text };
}

function parserFor(grammar: Grammar, make: () => Parser): { parser: Parser; queue: Promise<unknown> } {
  let slot = parsers.get(grammar);
  if (!slot) {
    slot = { parser: make(), queue: Promise.resolve() };
    parsers.set(grammar, slot);
  }
  return slot;
}

async function parseSliced(
  parser: Parser,
  text: string,
  oldTree: Tree | undefined,
  sliceMs: number,
  signal: AbortSignal | undefined,
): Promise<Tree> {
  parser.reset();
  for (;;) {
    signal?.throwIfAborted();
    const deadline = performance.now() + sliceMs;
    const tree = parser.parse(text, oldTree, { progressCallback: () => performance.now() > deadline });
    if (tree) return tree;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) {
      parser.reset();
      signal.throwIfAborted();
    }
  }
}

function touch(key: string, entry: Entry): void {
  documents.delete(key);
  documents.set(key, entry);
}

function evict(): void {
  while (documents.size > MAX_DOCUMENTS) {
    const [key, entry] = documents.entries().next().value as [string, Entry];
    documents.delete(key);
    retire(entry.tree);
  }
}

function retire(tree: Tree): void {
  setTimeout(() => tree.delete(), RETIRE_MS).unref();
}

/** Forget a document (closed in the editor): its tree is freed after the grace period. */
export function forgetDocument(uri: string): void {
  const entry = documents.get(uri);
  if (!entry) return;
  documents.delete(uri);
  retire(entry.tree);
}

/** The single changed span between two texts, as tree-sitter's edit (UTF-16 offsets, like node indices). */
export function editBetween(
  oldText: string,
  newText: string,
): {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
} {
  const max = Math.min(oldText.length, newText.length);
  let start = 0;
  while (start < max && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let tail = 0;
  while (
    tail < max - start &&
    oldText.charCodeAt(oldText.length - 1 - tail) === newText.charCodeAt(newText.length - 1 - tail)
  )
    tail++;
  const oldEnd = oldText.length - tail;
  const newEnd = newText.length - tail;
  const startPosition = pointAt(oldText, start);
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: pointAfter(oldText, start, oldEnd, startPosition),
    newEndPosition: pointAfter(newText, start, newEnd, startPosition),
  };
}

function pointAt(text: string, offset: number): Point {
  return pointAfter(text, 0, offset, { row: 0, column: 0 });
}

function pointAfter(text: string, from: number, to: number, at: Point): Point {
  let row = at.row;
  let lineStart = from - at.column;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: to - lineStart };
}
