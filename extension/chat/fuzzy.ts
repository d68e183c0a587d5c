/**
 * Fuzzy ranking for the @-picker: query characters must appear in order; matches in the
 * file name, at word starts and in runs score higher, shorter paths break ties. Small and
 * predictable beats clever here: the list is re-ranked on every keystroke.
 */

export function fuzzyScore(query: string, path: string): number | undefined {
  const q = query.toLowerCase().replace(/\s+/g, "");
  if (q === "") return 0;
  const p = path.toLowerCase();
  const nameStart = p.lastIndexOf("/") + 1;
  let score = 0;
  let pi = 0;
  let prev = -2;
  for (const ch of q) {
    const found = p.indexOf(ch, pi);
    if (found === -1) return undefined;
    let s = 1;
    if (found === prev + 1) s += 3; // a run
    const before = found === 0 ? "/" : p.charAt(found - 1);
    if ("/ _-.".includes(before)) s += 4; // a word start
    if (found >= nameStart) s += 2; // in the file name
    score += s;
    prev = found;
    pi = found + 1;
  }
  if (p.slice(nameStart).startsWith(q)) score += 10;
  return score - path.length * 0.01;
}

export function fuzzyFilter(query: string, paths: readonly string[], limit: number): string[] {
  const scored: { path: string; score: number }[] = [];
  for (const path of paths) {
    const score = fuzzyScore(query, path);
    if (score !== undefined) scored.push({ path, score });
  }
  scored.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
  return scored.slice(0, limit).map((s) => s.path);
}
