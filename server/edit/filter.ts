/**
 * Turns a model's streamed answer into code lines only: drops a leading sentence of prose
 * ("Here is the updated function:"), the opening ``` fence, and everything from the closing
 * fence on (trailing explanations). Works on a stream: lines leave as soon as they are
 * known to be code.
 */

const FENCE = /^\s*(```|~~~)/;
// A first line that is prose, not code: ends with a colon, or opens with a typical phrase.
const PROSE_START =
  /^(here('s| is| are)|sure|certainly|okay|ok,|below|i('ve| have)|the (updated|modified|new|rewritten))\b/i;

type State = "start" | "code-fenced" | "code-bare" | "after";

export class AnswerFilter {
  private buffer = "";
  private state: State = "start";
  /** Prose lines seen before any code; kept in case no fence ever comes. */
  private preamble: string[] = [];

  /** True once the answer opened a fenced block (even an empty one: "delete this" is a valid edit). */
  get sawFence(): boolean {
    return this.fenced;
  }
  private fenced = false;

  /** Feeds a chunk; returns the code lines that are now complete. */
  push(chunk: string): string[] {
    // The search starts where the new chunk does: rescanning the held partial line on every
    // chunk made a long line without a newline quadratic (minutes of CPU for 1 MB in small deltas).
    let from = this.buffer.length;
    this.buffer += chunk;
    // Most chunks are a token inside a line: searching only them keeps a long line (or a
    // model that never sends a newline) linear instead of rescanning the whole buffer.
    if (!chunk.includes("\n")) return [];
    const out: string[] = [];
    let start = 0;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n", from)) >= 0) {
      const line = this.buffer.slice(start, nl);
      out.push(...this.line(line.endsWith("\r") ? line.slice(0, -1) : line));
      start = from = nl + 1;
    }
    if (start > 0) this.buffer = this.buffer.slice(start);
    return out;
  }

  /** Flushes the last partial line at the end of the stream. */
  end(): string[] {
    const out: string[] = [];
    if (this.buffer !== "") {
      out.push(...this.line(this.buffer.replace(/\r$/, "")));
      this.buffer = "";
    }
    if (this.state === "start") out.push(...this.preamble);
    this.preamble = [];
    return out;
  }

  private line(line: string): string[] {
    switch (this.state) {
      case "after":
        return [];
      case "code-fenced":
        if (FENCE.test(line)) {
          this.state = "after";
          return [];
        }
        return [line];
      case "code-bare":
        if (FENCE.test(line)) {
          this.state = "after";
          return [];
        }
        return [line];
      case "start": {
        if (FENCE.test(line)) {
          this.state = "code-fenced";
          this.fenced = true;
          this.preamble = [];
          return [];
        }
        const t = line.trim();
        // Leading blank lines carry nothing; the model often opens with one.
        if (t === "" && this.preamble.length === 0) return [];
        const looksProse = PROSE_START.test(t) || (/[:：]$/.test(t) && /^[A-Z][a-z]/.test(t) && t.includes(" "));
        if (this.preamble.length === 0 && looksProse) {
          this.preamble.push(line);
          return [];
        }
        if (this.preamble.length > 0 && t === "") {
          this.preamble.push(line);
          return [];
        }
        // The first real code line: whatever prose came before it is dropped.
        this.state = "code-bare";
        this.preamble = [];
        return [line];
      }
    }
  }
}
