/**
 * The @codebase index: files from a `FileSource` → definitions (tags.ts), identifier
 * references, BM25 chunks (bm25.ts); queries combine BM25 hits with a PageRank of the
 * reference graph personalised toward the question (query.ts). See types.ts for the contract.
 *
 * Memory: no file text is kept. Per file: its definitions (name, lines, signature line),
 * its references as interned identifier ids with counts, and its chunk ids; snippets are
 * re-read from the source at query time.
 */
import { IGNORE_FILE } from "../../common/ignore";
import { Bm25 } from "./bm25";
import { chunkRanges } from "./chunks";
import { graphOf, type GraphCache } from "./graph";
import { runQuery } from "./query";
import { decodeText, IndexRules, isIgnoreFile } from "./rules";
import { extractTags, type Definition } from "./tags";
import { identifiersOf, ownString, splitIdentifier, stem, termsOf } from "./terms";
import {
  DEFAULT_PRUNED_DIRS,
  type BuildOptions,
  type CodebaseIndex,
  type CodebaseIndexOptions,
  type IndexStats,
  type QueryOptions,
  type QueryResult,
  type SourceEntry,
} from "./types";

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_MAX_FILES = 50_000;
const IGNORE_FILE_BYTES = 256 * 1024;
const READ_AHEAD = 16;
/** Generated files that match every query and explain nothing. */
const GENERATED =
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|go\.sum|composer\.lock)$|\.(min\.js|min\.css|map|lock)$/;

export interface FileRec {
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
  defs: Definition[];
  /** Identifier id of each definition's name (aligned with `defs`). */
  defIds: Int32Array;
  chunks: number[];
  /** Interned identifier ids this file uses, with counts (its outgoing references). */
  refIds: Int32Array;
  refCounts: Uint16Array;
  /** Stemmed terms of the path, for matching a question against file names. */
  pathTerms: string[];
  lines: number;
}

type Skipped = IndexStats["skipped"];
const noSkips = (): Skipped => ({ ignored: 0, secret: 0, binary: 0, tooLarge: 0, parseFailed: 0, overflow: 0 });

export class Index implements CodebaseIndex {
  readonly source;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private readonly pruned: ReadonlySet<string>;
  private readonly extraIgnore: readonly string[];

  readonly byPath = new Map<string, FileRec>();
  readonly files: Array<FileRec | undefined> = [];
  private freeIds: number[] = [];
  readonly bm25 = new Bm25();
  readonly identIds = new Map<string, number>();
  readonly identNames: string[] = [];
  /** Identifier id → the file (or files) defining it; one number in the common single-definer case. */
  readonly definers: Array<number | number[] | undefined> = [];
  /** Bumped on every change; a graph built for an older generation is not cached. */
  generation = 0;
  private rules: IndexRules | undefined;
  private skipped: Skipped = noSkips();
  private buildMs = 0;
  private listingCut = false;
  private building: Promise<IndexStats> | undefined;
  /** Serialises mutations: builds, updates. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The reference graph, rebuilt lazily after a change. */
  graphCache: GraphCache | undefined;
  graphBuilding: Promise<GraphCache> | undefined;

  constructor(options: CodebaseIndexOptions) {
    this.source = options.source;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    this.pruned = options.prunedDirs ?? DEFAULT_PRUNED_DIRS;
    this.extraIgnore = options.extraIgnore ?? [];
    this.bm25.onRenumber = (map) => {
      for (const f of this.byPath.values()) f.chunks = f.chunks.map((c) => map.get(c) ?? -1).filter((c) => c >= 0);
    };
  }

  build(options: BuildOptions = {}): Promise<IndexStats> {
    this.building ??= this.serial(() => this.buildNow(options)).finally(() => (this.building = undefined));
    return this.building;
  }

  update(paths: readonly string[], signal?: AbortSignal): Promise<void> {
    return this.serial(async () => {
      if (!this.rules || paths.some(isIgnoreFile)) {
        await this.buildNow({ signal });
        return;
      }
      for (const raw of paths) {
        signal?.throwIfAborted();
        const path = normalise(raw);
        if (!path) continue;
        const verdict = this.verdict(path);
        if (verdict !== "ok") {
          this.removeFile(path);
          continue;
        }
        const bytes = await this.source.read(path, this.maxFileBytes, signal);
        if (!bytes || bytes.length > this.maxFileBytes) {
          this.removeFile(path);
          continue;
        }
        await this.indexFile({ path, size: bytes.length, mtimeMs: -1 }, bytes, signal);
      }
    });
  }

  remove(paths: readonly string[]): void {
    for (const raw of paths) {
      const path = normalise(raw);
      if (!path) continue;
      this.removeFile(path);
      const prefix = `${path}/`;
      for (const p of [...this.byPath.keys()]) if (p.startsWith(prefix)) this.removeFile(p);
    }
  }

  query(question: string, options: QueryOptions): Promise<QueryResult> {
    return runQuery(this, question, options);
  }

  stats(): IndexStats {
    let definitions = 0;
    let refs = 0;
    for (const f of this.byPath.values()) {
      definitions += f.defs.length;
      refs += f.refIds.length;
    }
    return {
      files: this.byPath.size,
      definitions,
      chunks: this.bm25.chunks,
      terms: this.bm25.terms,
      skipped: { ...this.skipped },
      listingCut: this.listingCut,
      buildMs: this.buildMs,
      approxBytes:
        this.bm25.approxBytes() + definitions * 160 + refs * 6 + this.byPath.size * 300 + this.identNames.length * 60,
    };
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private verdict(path: string): "ok" | "ignored" | "secret" {
    if (GENERATED.test(path)) return "ignored";
    return this.rules ? this.rules.verdict(path) : "ok";
  }

  private async buildNow({ onProgress, signal }: BuildOptions): Promise<IndexStats> {
    const started = performance.now();
    const skipped = noSkips();
    onProgress?.({ phase: "listing", done: 0 });
    const entries: SourceEntry[] = [];
    // Ignore files are read as they are listed, so a source that walks lazily (the local one) is
    // told not to enter an excluded directory: a gitignored build/ or out/ tree costs nothing
    // and cannot use up the listing cap. Ignored files that are listed (*.log…) still count
    // against the cap, hence the room; the filter below applies the rules for every source.
    const rules = new IndexRules(this.extraIgnore, this.pruned);
    const skipDir = (dir: string) => rules.dirVerdict(dir) === "ignored";
    const listCap = this.maxFiles * 4;
    for await (const e of this.source.list({ signal, maxFiles: listCap, prunedDirs: this.pruned, skipDir })) {
      const path = normalise(e.path);
      if (!path) continue;
      entries.push({ path, size: e.size, mtimeMs: e.mtimeMs });
      if (isIgnoreFile(path)) await this.readIgnoreFile(rules, path, signal);
      if (entries.length % 1000 === 0) onProgress?.({ phase: "listing", done: entries.length });
    }
    this.rules = rules;
    const kept: SourceEntry[] = [];
    for (const [i, e] of entries.entries()) {
      if (i % 1000 === 999) await new Promise<void>((resolve) => setImmediate(resolve));
      const v = this.verdict(e.path);
      if (v === "secret") skipped.secret++;
      else if (v === "ignored") skipped.ignored++;
      else if (e.size > this.maxFileBytes) skipped.tooLarge++;
      else if (kept.length >= this.maxFiles) skipped.overflow++;
      else kept.push(e);
    }
    const keep = new Set(kept.map((e) => e.path));
    for (const p of [...this.byPath.keys()]) if (!keep.has(p)) this.removeFile(p);
    const todo = kept.filter((e) => {
      const had = this.byPath.get(e.path);
      return !had || had.size !== e.size || had.mtimeMs !== e.mtimeMs;
    });
    const total = todo.length;
    onProgress?.({ phase: "indexing", done: 0, total });
    const reads: Array<Promise<Uint8Array | undefined> | undefined> = [];
    const readAt = (i: number) => {
      const e = todo[i];
      if (e && !reads[i]) reads[i] = this.source.read(e.path, this.maxFileBytes, signal).catch(() => undefined);
    };
    for (let i = 0; i < total; i++) {
      signal?.throwIfAborted();
      for (let j = i; j < Math.min(total, i + READ_AHEAD); j++) readAt(j);
      const e = todo[i]!;
      const bytes = await reads[i];
      reads[i] = undefined;
      if (!bytes) {
        this.removeFile(e.path);
      } else if (bytes.length > this.maxFileBytes) {
        skipped.tooLarge++;
        this.removeFile(e.path);
      } else {
        const outcome = await this.indexFile(e, bytes, signal);
        if (outcome !== "ok" && outcome !== "parseFailed") skipped[outcome]++;
        if (outcome === "parseFailed") skipped.parseFailed++;
      }
      if ((i + 1) % 100 === 0) onProgress?.({ phase: "indexing", done: i + 1, total });
    }
    onProgress?.({ phase: "ranking", done: 0 });
    await graphOf(this, signal);
    this.skipped = skipped;
    this.listingCut = entries.length >= listCap;
    this.buildMs = performance.now() - started;
    onProgress?.({ phase: "done", done: total, total });
    return this.stats();
  }

  /** Adds a listed `.gitignore` (any depth) or the root `.aicockpitignore` to `rules`. */
  private async readIgnoreFile(rules: IndexRules, path: string, signal?: AbortSignal): Promise<void> {
    const b = await this.source.read(path, IGNORE_FILE_BYTES, signal).catch(() => undefined);
    const text = b
      ? Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, IGNORE_FILE_BYTES)).toString("utf8")
      : "";
    if (path === IGNORE_FILE) {
      rules.setAicockpitIgnore(text);
    } else {
      const slash = path.lastIndexOf("/");
      rules.addGitignore(slash === -1 ? "" : path.slice(0, slash), text);
    }
  }

  private async indexFile(
    e: SourceEntry,
    bytes: Uint8Array,
    signal?: AbortSignal,
  ): Promise<"ok" | "parseFailed" | "binary" | "secret"> {
    const decoded = decodeText(bytes);
    if ("skip" in decoded) {
      this.removeFile(e.path);
      return decoded.skip;
    }
    const text = decoded.text;
    const tags = await extractTags(e.path, text, signal);
    this.removeFile(e.path);
    const id = this.freeIds.pop() ?? this.files.length;
    const lines = text.split("\n");
    const refs = identifiersOf(text);
    for (const d of tags.defs) refs.delete(d.name); // a definition's own name is not a reference to itself
    const refIds = new Int32Array(refs.size);
    const refCounts = new Uint16Array(refs.size);
    let k = 0;
    for (const [name, n] of refs) {
      refIds[k] = this.intern(name);
      refCounts[k++] = Math.min(n, 0xffff);
    }
    const base = e.path.slice(e.path.lastIndexOf("/") + 1);
    const defIds = Int32Array.from(tags.defs, (d) => this.intern(d.name));
    tags.defs.forEach((d, k) => (d.name = this.identNames[defIds[k]!]!)); // the interned copy, not a slice of the text
    const pathTerms = [...new Set(e.path.split("/").flatMap((p) => splitIdentifier(p).map(stem)))];
    const rec: FileRec = {
      id,
      path: e.path,
      size: e.size,
      mtimeMs: e.mtimeMs,
      defs: tags.defs,
      defIds,
      chunks: [],
      refIds,
      refCounts,
      pathTerms,
      lines: lines.length,
    };
    for (const [start, end] of chunkRanges(lines.length, tags.defs)) {
      const terms = termsOf(lines.slice(start - 1, end).join("\n"));
      if (start === 1) termsOf(base.replace(/\.[^.]*$/, ""), terms);
      if (terms.length > 0) rec.chunks.push(this.bm25.add(id, start, end, terms));
    }
    this.files[id] = rec;
    this.byPath.set(e.path, rec);
    for (const n of defIds) {
      const cur = this.definers[n];
      if (cur === undefined) this.definers[n] = id;
      else if (typeof cur === "number") this.definers[n] = cur === id ? id : [cur, id];
      else if (!cur.includes(id)) cur.push(id);
    }
    this.changed();
    // Yield between files: a build never holds the loop longer than one file's work.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return tags.parseFailed ? "parseFailed" : "ok";
  }

  private intern(name: string): number {
    let id = this.identIds.get(name);
    if (id === undefined) {
      id = this.identNames.length;
      // A match or a tree node's text is a slice that would keep the whole file's text alive.
      const owned = ownString(name);
      this.identIds.set(owned, id);
      this.identNames.push(owned);
    }
    return id;
  }

  private changed(): void {
    this.graphCache = undefined;
    this.generation++;
  }

  private removeFile(path: string): void {
    const rec = this.byPath.get(path);
    if (!rec) return;
    for (const c of rec.chunks) this.bm25.remove(c);
    for (const n of rec.defIds) {
      const cur = this.definers[n];
      if (cur === rec.id) this.definers[n] = undefined;
      else if (Array.isArray(cur)) {
        const rest = cur.filter((f) => f !== rec.id);
        this.definers[n] = rest.length === 1 ? rest[0] : rest;
      }
    }
    this.byPath.delete(path);
    this.files[rec.id] = undefined;
    this.freeIds.push(rec.id);
    this.changed();
  }
}

/** Root-relative `/` path, or undefined for anything that tries to leave the root. */
function normalise(path: string): string | undefined {
  const parts = path
    .replace(/\\/g, "/")
    .split("/")
    .filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..") || /^[A-Za-z]:$/.test(parts[0]!)) return undefined;
  return parts.join("/");
}

export function createCodebaseIndex(options: CodebaseIndexOptions): CodebaseIndex {
  return new Index(options);
}
