/**
 * Answering a question from the index: BM25 finds the chunks that use the question's
 * words; the reference graph, PageRank'd with a personalisation toward those chunks'
 * files, the files whose paths match and the mentioned files, says which files matter
 * around them. Snippets (re-read from the source) come first in the context, then the
 * repository map of the best-ranked files' definitions — all within the token budget.
 */
import { estimateTokens } from "../../common/tokens";
import type { Index } from "./index";
import { graphOf } from "./graph";
import { pageRank } from "./pagerank";
import { decodeText } from "./rules";
import { splitIdentifier, stem, termsOf } from "./terms";
import type { QueryFile, QueryOptions, QueryResult } from "./types";

const CANDIDATE_CHUNKS = 400;
const PER_FILE = 2;
const DEFAULT_MAX_FILES = 12;
const MAP_DEFS_PER_FILE = 10;
const SNIPPET_SHARE = 0.65;
/** Files considered for the map, best-ranked first (a map rarely fits more than a few dozen). */
const MAP_CANDIDATES = 400;

export async function runQuery(ix: Index, question: string, opts: QueryOptions): Promise<QueryResult> {
  const budget = Math.max(0, Math.floor(opts.budgetTokens));
  if (ix.byPath.size === 0 || budget === 0) return { context: "", files: [] };
  opts.signal?.throwIfAborted();
  const qTerms = [...new Set(termsOf(question))];
  const mentioned = new Set<number>();
  for (const p of opts.mentionedPaths ?? []) {
    const rec = ix.byPath.get(p.replace(/\\/g, "/").replace(/^\.\//, ""));
    if (rec) mentioned.add(rec.id);
  }
  const { graph, nodeOf, fileOf, refWeight, pathIndex } = await graphOf(ix, opts.signal);

  // Lexical hits, best chunk per file.
  const scored = ix.bm25.top(qTerms, CANDIDATE_CHUNKS);
  const maxBm = scored[0]?.[1] ?? 0;
  const fileBest = new Map<number, number>();
  for (const [c, s] of scored) {
    const f = ix.bm25.chunk(c)!.file;
    if (!fileBest.has(f)) fileBest.set(f, s);
  }

  // Personalisation: lexical hits, path matches, mentions.
  const personal = new Float64Array(graph.nodes);
  for (const [f, s] of fileBest) personal[nodeOf[f]!]! += s / maxBm;
  for (const t of qTerms) for (const f of pathIndex.get(t) ?? []) personal[nodeOf[f]!]! += 0.5;
  for (const f of mentioned) personal[nodeOf[f]!]! += 3;
  const rank = pageRank(graph, personal);
  let maxRank = 0;
  for (const r of rank) if (r > maxRank) maxRank = r;
  const rankOf = (f: number) => (maxRank > 0 ? rank[nodeOf[f]!]! / maxRank : 0);
  opts.signal?.throwIfAborted();

  // Snippets: BM25 and rank combined, a few per file.
  const candidates = scored.map(([c, s]) => {
    const info = ix.bm25.chunk(c)!;
    const score = (0.7 * s) / maxBm + 0.3 * rankOf(info.file) + (mentioned.has(info.file) ? 1 : 0);
    return { ...info, score, mentioned: mentioned.has(info.file) };
  });
  for (const f of mentioned) {
    if (fileBest.has(f)) continue;
    const rec = ix.files[f]!;
    const first = rec.chunks.map((c) => ix.bm25.chunk(c)).find((x) => x !== undefined);
    if (first) candidates.push({ ...first, score: 1 + 0.3 * rankOf(f), mentioned: true });
  }
  candidates.sort((a, b) => b.score - a.score);
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
  const perFile = new Map<number, number>();
  const picked: typeof candidates = [];
  for (const c of candidates) {
    if (picked.length >= maxFiles) break;
    const n = perFile.get(c.file) ?? 0;
    if (n >= PER_FILE) continue;
    perFile.set(c.file, n + 1);
    picked.push(c);
  }

  const files: QueryFile[] = [];
  const parts: string[] = [];
  let used = 0;
  const snippetBudget = Math.floor(budget * SNIPPET_SHARE);
  const q = new Set(qTerms);
  const texts = await Promise.all(
    [...new Set(picked.map((p) => p.file))].map(async (f) => {
      const rec = ix.files[f];
      const bytes = rec ? await ix.source.read(rec.path, 1024 * 1024, opts.signal).catch(() => undefined) : undefined;
      const d = bytes ? decodeText(bytes) : undefined;
      return [f, d && "text" in d ? d.text.split("\n") : undefined] as const;
    }),
  );
  const textOf = new Map(texts);
  const header = "Code from the repository that matches the question (path:lines):\n";
  for (const p of picked) {
    const rec = ix.files[p.file];
    const lines = textOf.get(p.file);
    if (!rec || !lines) continue;
    let end = Math.min(p.endLine, lines.length);
    const start = Math.min(p.startLine, end);
    const render = (e: number) =>
      `\n${rec.path}:${start}-${e}\n\`\`\`\n${lines.slice(start - 1, e).join("\n")}\n\`\`\`\n`;
    let block = render(end);
    let cost = estimateTokens(block) + (parts.length === 0 ? estimateTokens(header) : 0);
    while (used + cost > snippetBudget && end - start >= 3) {
      end = start + Math.floor((end - start) / 2);
      block = render(end);
      cost = estimateTokens(block) + (parts.length === 0 ? estimateTokens(header) : 0);
    }
    if (used + cost > snippetBudget) continue;
    if (parts.length === 0) parts.push(header);
    parts.push(block);
    used += cost;
    const matched = [...new Set(termsOf(lines.slice(start - 1, end).join("\n")).filter((t) => q.has(t)))];
    const reason = [p.mentioned ? "mentioned" : "", matched.length ? `matches ${matched.slice(0, 5).join(", ")}` : ""]
      .filter(Boolean)
      .join("; ");
    files.push({
      path: rec.path,
      startLine: start,
      endLine: end,
      score: round(p.score),
      reason: reason || "repository map",
    });
  }

  // Repository map with what is left.
  const mapHeader = "\nRepository map (files by relevance, with their definitions):\n";
  let mapBudget = budget - used - estimateTokens(mapHeader);
  const mapParts: string[] = [];
  const order = bestFiles(rank, fileOf, MAP_CANDIDATES);
  let misses = 0;
  for (const f of order) {
    if (mapBudget <= 0 || misses > 20) break;
    const rec = ix.files[f];
    if (!rec || rec.defs.length === 0) continue;
    const defs = rec.defs
      .map((d, k) => ({
        d,
        s: (refWeight[rec.defIds[k]!] ?? 0) + (splitIdentifier(d.name).some((w) => q.has(stem(w))) ? 100 : 0),
      }))
      .sort((a, b) => b.s - a.s)
      .slice(0, MAP_DEFS_PER_FILE)
      .map((x) => x.d)
      .sort((a, b) => a.line - b.line);
    const block = `${rec.path}:\n${defs.map((d) => `  ${d.signature.trim()}`).join("\n")}\n`;
    const cost = estimateTokens(block);
    if (cost > mapBudget) {
      misses++;
      continue;
    }
    mapParts.push(block);
    mapBudget -= cost;
  }
  if (mapParts.length > 0) parts.push(mapHeader, ...mapParts);
  return { context: parts.join("").trim(), files };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** File ids of the `limit` best-ranked nodes, best first, without sorting every file. */
function bestFiles(rank: Float64Array, fileOf: Int32Array, limit: number): number[] {
  let nodes = Array.from(fileOf.keys());
  if (nodes.length > limit) {
    const cut = Float64Array.from(rank).sort()[rank.length - limit]!;
    nodes = nodes.filter((n) => rank[n]! >= cut);
  }
  return nodes.sort((a, b) => rank[b]! - rank[a]!).map((n) => fileOf[n]!);
}
