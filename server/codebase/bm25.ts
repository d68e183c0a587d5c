/**
 * BM25 over chunks (a definition or a window of lines). Postings are one growable
 * Int32Array per term holding `chunkId * 256 + min(tf, 255)`; a removed chunk is a
 * tombstone skipped when scoring, and the lists are compacted once tombstones outnumber
 * the live chunks — so update/remove cost the changed file only.
 */

const K1 = 1.2;
const B = 0.75;
const TF_BITS = 256;
/** Chunk ids must fit `id * 256` in an int32. */
const MAX_CHUNK_ID = Math.floor(0x7fffffff / TF_BITS);

export interface ChunkInfo {
  file: number;
  startLine: number;
  endLine: number;
}

export class Bm25 {
  private readonly termIds = new Map<string, number>();
  private lists: Int32Array[] = [];
  private lens: number[] = [];
  /** Per chunk: owning file (-1 once removed), lines, length in terms. */
  private chunkFile: number[] = [];
  private chunkStart: number[] = [];
  private chunkEnd: number[] = [];
  private chunkLen: number[] = [];
  private live = 0;
  private dead = 0;
  private totalLen = 0;

  get terms(): number {
    return this.termIds.size;
  }

  get chunks(): number {
    return this.live;
  }

  add(file: number, startLine: number, endLine: number, terms: readonly string[]): number {
    if (this.chunkFile.length >= MAX_CHUNK_ID) this.renumber();
    const id = this.chunkFile.length;
    this.chunkFile.push(file);
    this.chunkStart.push(startLine);
    this.chunkEnd.push(endLine);
    this.chunkLen.push(terms.length);
    this.live++;
    this.totalLen += terms.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let tid = this.termIds.get(t);
      if (tid === undefined) {
        tid = this.lists.length;
        this.termIds.set(t, tid);
        this.lists.push(new Int32Array(2));
        this.lens.push(0);
      }
      this.push(tid, id * TF_BITS + Math.min(n, TF_BITS - 1));
    }
    return id;
  }

  remove(chunk: number): void {
    if (this.chunkFile[chunk] === undefined || this.chunkFile[chunk] === -1) return;
    this.chunkFile[chunk] = -1;
    this.live--;
    this.dead++;
    this.totalLen -= this.chunkLen[chunk]!;
    if (this.dead > 10_000 && this.dead > this.live) this.compact();
  }

  chunk(id: number): ChunkInfo | undefined {
    const file = this.chunkFile[id];
    if (file === undefined || file === -1) return undefined;
    return { file, startLine: this.chunkStart[id]!, endLine: this.chunkEnd[id]! };
  }

  /**
   * The `limit` best chunks for these terms, best first, as [chunkId, score] pairs. Scores
   * accumulate in a dense array (a Map per hit is several times slower on long lists).
   */
  top(terms: readonly string[], limit: number): Array<[number, number]> {
    if (this.live === 0) return [];
    const avg = this.totalLen / this.live || 1;
    const acc = new Float64Array(this.chunkFile.length);
    const touched: number[] = [];
    const known = [...new Set(terms)].flatMap((t) => {
      const tid = this.termIds.get(t);
      return tid === undefined ? [] : [tid];
    });
    // A term in most chunks ranks nothing and costs the most: dropped when rarer terms are there.
    const rare = known.filter((tid) => this.lens[tid]! <= this.live / 2);
    const chunkFile = this.chunkFile;
    const chunkLen = this.chunkLen;
    const checkDead = this.dead > 0;
    const lenNorm = (K1 * B) / avg;
    const base = K1 * (1 - B);
    for (const tid of rare.length > 0 ? rare : known) {
      const list = this.lists[tid]!;
      const len = this.lens[tid]!;
      let df = len;
      if (checkDead) {
        df = 0;
        for (let i = 0; i < len; i++) if (chunkFile[(list[i]! / TF_BITS) | 0] !== -1) df++;
      }
      if (df === 0) continue;
      const idf = Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
      const idfK = idf * (K1 + 1);
      for (let i = 0; i < len; i++) {
        const v = list[i]!;
        const c = (v / TF_BITS) | 0;
        if (checkDead && chunkFile[c] === -1) continue;
        const tf = v & (TF_BITS - 1);
        const add = (idfK * tf) / (tf + base + lenNorm * chunkLen[c]!);
        if (acc[c] === 0) touched.push(c);
        acc[c]! += add;
      }
    }
    if (touched.length > limit) {
      // Threshold at the limit-th best score (a sort of the scores alone, no pairs), then keep those above it.
      const sorted = new Float64Array(touched.length);
      for (let i = 0; i < touched.length; i++) sorted[i] = acc[touched[i]!]!;
      sorted.sort();
      const cut = sorted[sorted.length - limit]!;
      const kept = touched.filter((c) => acc[c]! >= cut);
      return kept
        .map((c): [number, number] => [c, acc[c]!])
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit);
    }
    return touched.map((c): [number, number] => [c, acc[c]!]).sort((a, b) => b[1] - a[1]);
  }

  approxBytes(): number {
    let n = this.chunkFile.length * 32 + this.termIds.size * 64;
    for (const l of this.lists) n += l.byteLength + 48;
    return n;
  }

  private push(tid: number, value: number): void {
    let list = this.lists[tid]!;
    const len = this.lens[tid]!;
    if (len === list.length) {
      const bigger = new Int32Array(list.length * 2);
      bigger.set(list);
      this.lists[tid] = list = bigger;
    }
    list[len] = value;
    this.lens[tid] = len + 1;
  }

  private compact(): void {
    for (let tid = 0; tid < this.lists.length; tid++) {
      const list = this.lists[tid]!;
      let w = 0;
      for (let r = 0; r < this.lens[tid]!; r++) {
        const v = list[r]!;
        if (this.chunkFile[Math.floor(v / TF_BITS)] !== -1) list[w++] = v;
      }
      this.lens[tid] = w;
      if (w < list.length / 4 && list.length > 8) this.lists[tid] = list.slice(0, Math.max(2, w * 2));
    }
    this.dead = 0;
  }

  /** Ids ran out (a very long session of updates): renumber live chunks densely. */
  private renumber(): void {
    this.compact();
    const map = new Map<number, number>();
    const f: number[] = [];
    const s: number[] = [];
    const e: number[] = [];
    const l: number[] = [];
    for (let c = 0; c < this.chunkFile.length; c++) {
      if (this.chunkFile[c] === -1) continue;
      map.set(c, f.length);
      f.push(this.chunkFile[c]!);
      s.push(this.chunkStart[c]!);
      e.push(this.chunkEnd[c]!);
      l.push(this.chunkLen[c]!);
    }
    for (let tid = 0; tid < this.lists.length; tid++) {
      const list = this.lists[tid]!;
      for (let i = 0; i < this.lens[tid]!; i++) {
        const v = list[i]!;
        list[i] = map.get(Math.floor(v / TF_BITS))! * TF_BITS + (v % TF_BITS);
      }
    }
    this.chunkFile = f;
    this.chunkStart = s;
    this.chunkEnd = e;
    this.chunkLen = l;
    this.onRenumber?.(map);
  }

  /** Told the old → new chunk ids after a renumbering (the owner keeps chunk ids per file). */
  onRenumber?: (map: ReadonlyMap<number, number>) => void;
}
