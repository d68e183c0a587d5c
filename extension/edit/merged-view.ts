/**
 * What the edited region of the document shows while an edit is pending: original and
 * proposed lines interleaved, each tagged so the controller can decorate it. Pure and
 * vscode-free: the controller renders `lines` into the document and decorates by kind.
 */
import type { DiffLine, Hunk } from "../../server/api/edit";

export type RegionKind = "same" | "added" | "removed" | "pending";
export type HunkState = "pending" | "accepted" | "rejected";

export interface RegionLine {
  text: string;
  kind: RegionKind;
  /** Index of the hunk a line belongs to (review phase only). */
  hunk?: number;
}

export interface RegionView {
  lines: RegionLine[];
  /** Region-relative line where each still-pending hunk starts (for Accept/Reject lenses). */
  hunkStarts: Map<number, number>;
}

/** While streaming: the diff so far, then the original lines the model has not reached. */
export function streamingView(
  streamed: readonly DiffLine[],
  oldLines: readonly string[],
  position: number,
): RegionView {
  const lines: RegionLine[] = streamed.map((d) => ({ text: d.text, kind: d.kind }));
  for (const text of oldLines.slice(position)) lines.push({ text, kind: "pending" });
  return { lines, hunkStarts: new Map() };
}

/** After the stream: each pending hunk shows its old lines (removed) above its new ones (added). */
export function reviewView(
  oldLines: readonly string[],
  hunks: readonly Hunk[],
  states: readonly HunkState[],
): RegionView {
  const lines: RegionLine[] = [];
  const hunkStarts = new Map<number, number>();
  let pos = 0;
  hunks.forEach((h, i) => {
    for (const text of oldLines.slice(pos, h.oldStart)) lines.push({ text, kind: "same" });
    const state = states[i] ?? "pending";
    if (state === "pending") {
      hunkStarts.set(i, lines.length);
      for (const text of h.oldLines) lines.push({ text, kind: "removed", hunk: i });
      for (const text of h.newLines) lines.push({ text, kind: "added", hunk: i });
    } else {
      for (const text of state === "accepted" ? h.newLines : h.oldLines) lines.push({ text, kind: "same" });
    }
    pos = h.oldStart + h.oldLines.length;
  });
  for (const text of oldLines.slice(pos)) lines.push({ text, kind: "same" });
  return { lines, hunkStarts };
}

/** The text the region ends with once every hunk is decided (pending counts as rejected). */
export function resolvedLines(
  oldLines: readonly string[],
  hunks: readonly Hunk[],
  states: readonly HunkState[],
): string[] {
  return reviewView(
    oldLines,
    hunks,
    states.map((s) => (s === "accepted" ? "accepted" : "rejected")),
  ).lines.map((l) => l.text);
}

/** Region text for a list of lines, keeping the original's line ending style and final newline. */
export function joinRegion(lines: readonly string[], eol: string, trailingEol: boolean): string {
  if (lines.length === 0) return "";
  return lines.join(eol) + (trailingEol ? eol : "");
}
