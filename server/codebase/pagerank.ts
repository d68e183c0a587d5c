/**
 * Personalised PageRank over a weighted file graph in CSR form (the edges of file f are
 * `targets[offsets[f] .. offsets[f+1])` with `weights` alongside). Rank that would leak
 * from files without outgoing edges goes back to the personalisation vector.
 */

export interface Graph {
  nodes: number;
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  /** Sum of each node's outgoing weights. */
  outWeight: Float64Array;
}

export function pageRank(g: Graph, personal?: Float64Array, iterations = 20, damping = 0.85): Float64Array {
  const n = g.nodes;
  const p = new Float64Array(n);
  let sum = 0;
  if (personal) for (let i = 0; i < n; i++) sum += personal[i]!;
  if (personal && sum > 0) for (let i = 0; i < n; i++) p[i] = personal[i]! / sum;
  else p.fill(1 / Math.max(1, n));
  let r = Float64Array.from(p);
  let next = new Float64Array(n);
  const { offsets, targets, weights, outWeight } = g;
  for (let it = 0; it < iterations; it++) {
    next.fill(0);
    let leaked = 0;
    for (let f = 0; f < n; f++) {
      const rf = r[f]!;
      const out = outWeight[f]!;
      if (out === 0) {
        leaked += rf;
        continue;
      }
      const share = (damping * rf) / out;
      const end = offsets[f + 1]!;
      for (let e = offsets[f]!; e < end; e++) next[targets[e]!]! += share * weights[e]!;
    }
    const base = 1 - damping + damping * leaked;
    let delta = 0;
    for (let i = 0; i < n; i++) {
      next[i]! += base * p[i]!;
      delta += Math.abs(next[i]! - r[i]!);
    }
    [r, next] = [next, r];
    if (delta < 1e-5) break; // converged enough for an order; usually well before `iterations`
  }
  return r;
}
