/**
 * Bellman–Ford negative-cycle search. With edge weights w = −ln(rate), a cycle whose rates multiply
 * to more than 1 (a profitable conversion loop) is a cycle of negative total weight.
 *
 * Every node starts at distance 0 (a virtual source joined to all nodes), so a cycle anywhere in the
 * graph is found, connected or not. O(V·E); the graphs here have a handful of currencies.
 */
export interface WeightedEdge { readonly from: number; readonly to: number; readonly weight: number }

/**
 * Indices into `edges` of one negative cycle, in traversal order, or undefined when none has total
 * weight below −`epsilon` (float noise on a fair loop must not count as profit).
 */
export function findNegativeCycle(nodeCount: number, edges: readonly WeightedEdge[], epsilon = 1e-12): number[] | undefined {
  const dist = new Float64Array(nodeCount);
  const pred = new Int32Array(nodeCount).fill(-1);
  let relaxed = -1;
  for (let pass = 0; pass < nodeCount; pass++) {
    relaxed = -1;
    for (let e = 0; e < edges.length; e++) {
      const { from, to, weight } = edges[e]!;
      if (dist[from]! + weight < dist[to]! - epsilon) { dist[to] = dist[from]! + weight; pred[to] = e; relaxed = to; }
    }
    if (relaxed < 0) return undefined;
  }
  // Still relaxing after V passes: walking predecessors V times lands inside a negative cycle.
  let v = relaxed;
  for (let i = 0; i < nodeCount; i++) v = edges[pred[v]!]!.from;
  const cycle: number[] = [];
  let u = v;
  do { const e = pred[u]!; cycle.push(e); u = edges[e]!.from; } while (u !== v && cycle.length <= nodeCount);
  cycle.reverse();
  let total = 0;
  for (const e of cycle) total += edges[e]!.weight;
  return total < -epsilon ? cycle : undefined;
}
