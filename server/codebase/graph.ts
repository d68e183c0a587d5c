/**
 * The reference graph: file f → file g when f uses an identifier g defines, weighted like
 * Aider's (sqrt of the use count; a name defined in many files counts little, a long
 * camelCase/snake_case name more, a `_private` one less). Built after each build (the
 * "ranking" phase) and lazily after updates, yielding to the event loop every few hundred
 * files; cached until the index changes.
 */
import type { Index } from "./index";
import type { Graph } from "./pagerank";

export interface GraphCache {
  graph: Graph;
  /** File id → node (-1 for ids not in the graph); node → file id. */
  nodeOf: Int32Array;
  fileOf: Int32Array;
  /** Identifier id → total weight of the references other files make to it. */
  refWeight: Float64Array;
  /** Stemmed path term → files whose path has it. */
  pathIndex: Map<string, number[]>;
}

/** A name defined in more files than this says nothing about which one is meant. */
const MAX_DEFINERS = 50;
const FILES_PER_SLICE = 300;

export function graphOf(ix: Index, signal?: AbortSignal): Promise<GraphCache> {
  if (ix.graphCache) return Promise.resolve(ix.graphCache);
  ix.graphBuilding ??= build(ix, signal).finally(() => (ix.graphBuilding = undefined));
  return ix.graphBuilding;
}

async function build(ix: Index, signal?: AbortSignal): Promise<GraphCache> {
  const generation = ix.generation;
  const fileOf = Int32Array.from([...ix.byPath.values()].map((r) => r.id));
  const nodeOf = new Int32Array(ix.files.length).fill(-1);
  fileOf.forEach((f, i) => (nodeOf[f] = i));
  // Per identifier, computed on first use (0 = not yet): a pass over every name would hold the loop.
  const heavy = new Float32Array(ix.identNames.length);
  const refWeight = new Float64Array(ix.identNames.length);
  const offsets = new Int32Array(fileOf.length + 1);
  let targets = new Int32Array(1024);
  let weights = new Float64Array(1024);
  let edgeCount = 0;
  const outWeight = new Float64Array(fileOf.length);
  const edges = new Map<number, number>();
  for (let i = 0; i < fileOf.length; i++) {
    if (i % FILES_PER_SLICE === FILES_PER_SLICE - 1) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
    const rec = ix.files[fileOf[i]!];
    edges.clear();
    if (rec) {
      for (let k = 0; k < rec.refIds.length; k++) {
        const ident = rec.refIds[k]!;
        const d = ix.definers[ident];
        if (d === undefined) continue;
        const n = typeof d === "number" ? 1 : d.length;
        if (n === 0 || n > MAX_DEFINERS) continue;
        let h = heavy[ident]!;
        if (h === 0) heavy[ident] = h = nameWeight(ix.identNames[ident]!);
        let mul = h / n;
        if (n > 5) mul *= 0.1;
        const w = mul * Math.sqrt(rec.refCounts[k]!);
        if (typeof d === "number") {
          if (d !== rec.id && nodeOf[d]! >= 0) {
            edges.set(nodeOf[d]!, (edges.get(nodeOf[d]!) ?? 0) + w);
            refWeight[ident]! += w;
          }
        } else {
          for (const g of d) {
            if (g === rec.id || nodeOf[g]! < 0) continue;
            edges.set(nodeOf[g]!, (edges.get(nodeOf[g]!) ?? 0) + w);
            refWeight[ident]! += w;
          }
        }
      }
    }
    if (edgeCount + edges.size > targets.length) {
      const size = Math.max(targets.length * 2, edgeCount + edges.size);
      const t = new Int32Array(size);
      t.set(targets.subarray(0, edgeCount));
      targets = t;
      const w = new Float64Array(size);
      w.set(weights.subarray(0, edgeCount));
      weights = w;
    }
    for (const [n, w] of edges) {
      targets[edgeCount] = n;
      weights[edgeCount++] = w;
      outWeight[i]! += w;
    }
    offsets[i + 1] = edgeCount;
  }
  const pathIndex = new Map<string, number[]>();
  for (const f of fileOf) {
    for (const t of ix.files[f]?.pathTerms ?? []) {
      let list = pathIndex.get(t);
      if (!list) pathIndex.set(t, (list = []));
      list.push(f);
    }
  }
  const cache: GraphCache = {
    graph: {
      nodes: fileOf.length,
      offsets,
      targets: targets.slice(0, edgeCount),
      weights: weights.slice(0, edgeCount),
      outWeight,
    },
    nodeOf,
    fileOf,
    refWeight,
    pathIndex,
  };
  if (ix.generation === generation) ix.graphCache = cache;
  return cache;
}

/** Long compound names are specific (3×); `_private` ones are rarely what a question is about (0.1×). */
function nameWeight(name: string): number {
  let mul = 1;
  if (name.length >= 8 && /[a-z][A-Z]|_/.test(name)) mul *= 3;
  if (name.startsWith("_")) mul *= 0.1;
  return mul;
}
