/**
 * How a proposal from elsewhere (chat's Apply) meets the file, when nothing is selected:
 * a proposal about the size of the file replaces it (reviewed as a diff); a snippet much
 * smaller than the file is merged in by the model — replacing a 300-line file with a
 * 10-line snippet would make the review a wall of deletions.
 */
export type ApplyStrategy = "replace" | "merge";

// Small files are cheap to review whole; below this the snippet simply replaces.
const MIN_LINES_TO_MERGE = 12;
const SNIPPET_RATIO = 0.6;

export function applyStrategy(fileLines: number, proposalLines: number, hasSelection: boolean): ApplyStrategy {
  if (hasSelection) return "replace";
  if (fileLines < MIN_LINES_TO_MERGE) return "replace";
  return proposalLines < fileLines * SNIPPET_RATIO ? "merge" : "replace";
}

export function mergeInstruction(proposed: string): string {
  const ticks = proposed.includes("```") ? "````" : "```";
  return [
    "Integrate the following code into this file where it belongs.",
    "Change only what the code implies (replace the definitions it redefines, add what is new); keep everything else exactly as it is.",
    "",
    `${ticks}`,
    proposed.replace(/\r?\n$/, ""),
    `${ticks}`,
  ].join("\n");
}
