/**
 * Where the user edited recently, as line ranges per document, newest first. Code near a
 * recent edit elsewhere is often what the user is about to use (a function they just
 * wrote, a field they just added). vscode-free: the adapter feeds it change events.
 */

export interface EditRegion {
  docId: string;
  filepath: string;
  /** First and last edited line (0-based, inclusive). */
  startLine: number;
  endLine: number;
}

export class RecentEdits {
  private regions: EditRegion[] = [];

  constructor(
    private readonly maxRegions = 8,
    /** Edits this close to an existing region of the same document extend it. */
    private readonly mergeLines = 5,
  ) {}

  record(docId: string, filepath: string, startLine: number, endLine: number): void {
    const i = this.regions.findIndex(
      (r) => r.docId === docId && startLine <= r.endLine + this.mergeLines && endLine >= r.startLine - this.mergeLines,
    );
    let region: EditRegion = { docId, filepath, startLine, endLine };
    const r = this.regions[i]; // undefined when none is close (i is -1)
    if (r !== undefined) {
      region = { docId, filepath, startLine: Math.min(r.startLine, startLine), endLine: Math.max(r.endLine, endLine) };
      this.regions.splice(i, 1);
    }
    this.regions.unshift(region);
    if (this.regions.length > this.maxRegions) this.regions.length = this.maxRegions;
  }

  forget(docId: string): void {
    this.regions = this.regions.filter((r) => r.docId !== docId);
  }

  /**
   * Regions worth sending for a cursor at `cursorLine` of `docId`: those in other
   * documents, and those in the same document far enough from the cursor that the
   * prefix/suffix windows will not already hold them.
   */
  relevant(docId: string, cursorLine: number, nearLines = 60): EditRegion[] {
    return this.regions.filter(
      (r) => r.docId !== docId || r.endLine < cursorLine - nearLines || r.startLine > cursorLine + nearLines,
    );
  }
}

/** The lines of `text` around a region, with `context` lines on each side, capped at `maxLines`. */
export function regionText(
  text: string,
  r: Pick<EditRegion, "startLine" | "endLine">,
  context = 4,
  maxLines = 30,
): string {
  const lines = text.split("\n");
  const start = Math.max(0, r.startLine - context);
  const end = Math.min(lines.length, Math.min(r.endLine + context + 1, start + maxLines));
  return lines.slice(start, end).join("\n");
}
