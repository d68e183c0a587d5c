/** What the codebase status bar item says for an index state. Pure, so the wording is unit-tested. */

export interface IndexProgress {
  state: "indexing" | "ready" | "failed";
  indexed: number;
  /** Unknown (0) while the files are still being listed. */
  total: number;
  message?: string;
}

export interface ProgressLook {
  text: string;
  tooltip: string;
}

const n = (x: number) => x.toLocaleString("en-US");
const files = (x: number) => `${n(x)} ${x === 1 ? "file" : "files"}`;

export function progressLook(p: IndexProgress, name: string): ProgressLook {
  switch (p.state) {
    case "indexing":
      return {
        text: p.total > 0 ? `$(sync~spin) Indexing ${n(p.indexed)}/${n(p.total)}` : "$(sync~spin) Indexing…",
        tooltip: `AiCockpit is indexing "${name}" for @codebase${p.total > 0 ? ` (${Math.floor((100 * p.indexed) / p.total)}%)` : ""}. Click to re-index.`,
      };
    case "ready":
      return {
        text: `$(database) Indexed ${files(p.indexed)}`,
        tooltip: `AiCockpit: "${name}" is indexed for @codebase (${files(p.indexed)}). Click to re-index.`,
      };
    case "failed":
      return {
        text: "$(warning) Index failed",
        tooltip: `AiCockpit could not index "${name}": ${(p.message ?? "unknown error").replace(/\.$/, "")}. Click to try again.`,
      };
  }
}
