/**
 * The @codebase engine's contract: a pure library (no HTTP, no VS Code) that indexes the
 * files of one workspace root — a local folder, a Docker workspace container, a remote
 * host — through a `FileSource`, and answers a question with prompt-ready context: a
 * repository map (files → definitions, ranked PageRank-style by references) plus the
 * snippets that lexical retrieval (BM25 over identifiers and words) finds for it.
 *
 * Paths everywhere are root-relative with `/` separators ("src/pay/retry.ts"), never
 * absolute, never with `..`. Lines are 1-based and inclusive.
 *
 * Additive changes only from here on: other code (routes, the service, the VS Code side)
 * builds on these names.
 */

/** One file a source lists. */
export interface SourceEntry {
  /** Root-relative path with `/` separators. */
  path: string;
  /** Size in bytes (files over the index's cap are skipped without being read). */
  size: number;
  /** Last modification, ms since the epoch (an unchanged mtime + size is not re-read by `build`). */
  mtimeMs: number;
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Stop listing after this many files (the index passes its own cap + 1 to detect overflow). */
  maxFiles?: number;
  /**
   * Directory names not to descend into anywhere in the tree (`.git`, `node_modules`…;
   * `DEFAULT_PRUNED_DIRS` unless the index was given others). A source should prune while
   * walking so a huge vendored folder costs nothing; the index filters again regardless.
   */
  prunedDirs?: ReadonlySet<string>;
  /**
   * A directory the index has decided not to enter (root-relative, no trailing slash; a
   * gitignored `build/`, `out/`…); asked when the source is about to open it, so a source
   * that lists lazily must ask after it has yielded every file of the parent directory (the
   * index reads each `.gitignore` as it is listed). Optional for a source (the local walk and
   * the shell source of containers and hosts honour it); the index filters again regardless.
   */
  skipDir?: (dirRel: string) => boolean;
}

/**
 * Where the files come from. Implementations: `createLocalFileSource(root)` (this folder),
 * a Docker workspace container and an SSH host (server/codebase callers). A source only
 * lists and reads; every rule about what may be indexed (`.gitignore` files at any depth,
 * `.aicockpitignore`, secret files, binaries, size) is applied by the index itself, so
 * all sources behave the same and a secret file is never read whatever the source does.
 */
export interface FileSource {
  /** For messages and logs ("folder /home/me/app", "container ws-3:/workspace"); no secrets. */
  readonly description: string;
  /**
   * Every regular file under the root (no directories; symlinks that leave the root are
   * not followed or listed). Order does not matter. Untrusted sources must bound what they
   * return (path length, count).
   */
  list(options?: ListOptions): AsyncIterable<SourceEntry>;
  /**
   * The file's bytes, at most `maxBytes` of them (a longer file is returned truncated to
   * `maxBytes + 1` bytes or more so the caller can tell it was too long, or undefined).
   * undefined when the file is gone or is not a regular file inside the root.
   */
  read(path: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array | undefined>;
}

export interface CodebaseIndexOptions {
  source: FileSource;
  /** Skip files bigger than this (default 1 MiB). */
  maxFileBytes?: number;
  /** Index at most this many files (default 50,000); the rest are counted in stats.skipped.overflow. */
  maxFiles?: number;
  /** Directory names never entered (default DEFAULT_PRUNED_DIRS). */
  prunedDirs?: ReadonlySet<string>;
  /** Extra ignore patterns (gitignore syntax), e.g. from a setting. */
  extraIgnore?: readonly string[];
}

export type BuildPhase = "listing" | "indexing" | "ranking" | "done";

export interface BuildProgress {
  phase: BuildPhase;
  /** Files looked at so far in this phase. */
  done: number;
  /** Total files to look at, once listing is over. */
  total?: number;
}

export interface BuildOptions {
  onProgress?: (p: BuildProgress) => void;
  /** Aborting rejects `build` with the signal's reason; files indexed so far stay, the next build completes the rest. */
  signal?: AbortSignal;
}

export interface IndexStats {
  files: number;
  definitions: number;
  chunks: number;
  /** Distinct indexed terms. */
  terms: number;
  skipped: {
    /**
     * Listed files the ignore rules exclude. Files below a directory the source did not enter
     * (pruned names, gitignored trees) are never listed, so not counted.
     */
    ignored: number;
    secret: number;
    binary: number;
    tooLarge: number;
    /** Parse failed: indexed by the regex fallback instead (counted, not skipped from the index). */
    parseFailed: number;
    overflow: number;
  };
  /**
   * The last build's listing stopped at its cap (4 × maxFiles listed, ignored ones included):
   * files past it were never seen, so the index may miss some without counting them in `overflow`.
   */
  listingCut: boolean;
  /** Duration of the last build, ms (0 before the first one). */
  buildMs: number;
  /** Rough size of the index's own structures, bytes. */
  approxBytes: number;
}

export interface QueryOptions {
  /** Token budget for `context` (estimated with common/tokens.ts); the answer stays within it. */
  budgetTokens: number;
  /** Files the user or the editor points at (open, @file-mentioned): ranked up, snippets preferred. */
  mentionedPaths?: readonly string[];
  /** Most files in `files` (default 12). */
  maxFiles?: number;
  signal?: AbortSignal;
}

export interface QueryFile {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  /** Why it is there, for the user: "matches retry, payment", "mentioned", "repository map". */
  reason: string;
}

export interface QueryResult {
  /**
   * Ready for the prompt: the retrieved snippets (each headed by `path:start-end`) then the
   * repository map ("path:\n  signature lines"), within `budgetTokens`. Empty when nothing is indexed.
   */
  context: string;
  /** The snippets in `context`, best first (the files the answer should cite). */
  files: QueryFile[];
}

export interface CodebaseIndex {
  readonly source: FileSource;
  /**
   * (Re)build from the source: lists, filters, reads and tags every file, yielding to the
   * event loop between files. Files whose size and mtime did not change since the previous
   * build are not re-read. Concurrent calls share one build; `update`/`remove` wait for it.
   */
  build(options?: BuildOptions): Promise<IndexStats>;
  /**
   * Re-read these paths (changed or created); a path now missing, ignored or secret is
   * dropped. A changed `.gitignore` / `.aicockpitignore` among them re-applies the rules
   * to the whole index (files newly ignored are dropped, newly allowed ones read).
   */
  update(paths: readonly string[], signal?: AbortSignal): Promise<void>;
  /** Forget these paths (deleted files); a directory path removes everything under it. */
  remove(paths: readonly string[]): void;
  /** Context for a question; resolves with an empty result before the first build. */
  query(question: string, options: QueryOptions): Promise<QueryResult>;
  stats(): IndexStats;
}

/** Signature of `createCodebaseIndex` in server/codebase/index.ts. */
export type CreateCodebaseIndex = (options: CodebaseIndexOptions) => CodebaseIndex;

/** Signature of `createLocalFileSource` in server/codebase/local-source.ts: a folder on this machine. */
export type CreateLocalFileSource = (root: string) => FileSource;

/** Vendored, generated and VCS folders nobody asks about; a source never descends into them. */
export const DEFAULT_PRUNED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  "bower_components",
  "vendor",
  ".venv",
  "venv",
  "__pycache__",
  ".mypy_cache",
  ".pytest_cache",
  ".tox",
  "dist",
  "build",
  "out",
  "target",
  ".next",
  ".nuxt",
  ".cache",
  ".gradle",
  ".idea",
  "coverage",
]);
