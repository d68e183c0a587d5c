/**
 * Golden case files: readable text, one case per file.
 *
 *   # free comment lines
 *   key: value            header (language, template, multiline, replace, partial, stop)
 *   --- document          the file being edited; █ marks the cursor (exactly once)
 *   --- model             raw model output, verbatim
 *   --- expected          the insertion; the single word <null> means nothing is shown
 *   --- result            optional: the document after applying the completion (█ = cursor)
 *   --- snippet <path>    (template cases) a context file
 *   --- prompt            (template cases) the rendered prompt / messages
 *
 * A section's text runs to the line before the next `--- ` header; the newline that ends
 * a section's last line belongs to the format, not to the text. `⏎` at the very end of a
 * section stands for a trailing newline that is part of the text; `·` at the end of a line
 * for a trailing space (invisible otherwise).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const CURSOR = "█";

export interface GoldenCase {
  name: string;
  header: Record<string, string>;
  sections: Map<string, string>;
  snippets: { filepath: string; content: string }[];
}

function decode(text: string): string {
  const spaced = text.replace(/·$/gm, " ");
  return spaced.endsWith("⏎") ? spaced.slice(0, -1) + "\n" : spaced;
}

export function parseGolden(name: string, text: string): GoldenCase {
  const header: Record<string, string> = {};
  const sections = new Map<string, string>();
  const snippets: { filepath: string; content: string }[] = [];
  let current: string | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (current === null) return;
    const body = decode(buf.join("\n"));
    if (current.startsWith("snippet ")) snippets.push({ filepath: current.slice(8).trim(), content: body });
    else sections.set(current, body);
  };
  for (const line of text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n")) {
    const h = /^--- (.+)$/.exec(line);
    if (h) {
      flush();
      current = h[1]!.trim();
      buf = [];
    } else if (current === null) {
      if (line.startsWith("#") || line.trim() === "") continue;
      const kv = /^([\w-]+):\s*(.*)$/.exec(line);
      if (!kv) throw new Error(`${name}: bad header line ${JSON.stringify(line)}`);
      header[kv[1]!] = kv[2]!;
    } else {
      buf.push(line);
    }
  }
  flush();
  return { name, header, sections, snippets };
}

export function splitCursor(c: GoldenCase): { prefix: string; suffix: string } {
  const doc = c.sections.get("document");
  if (doc === undefined) throw new Error(`${c.name}: no --- document section`);
  const parts = doc.split(CURSOR);
  if (parts.length !== 2) throw new Error(`${c.name}: the document must contain exactly one ${CURSOR}`);
  return { prefix: parts[0]!, suffix: parts[1]! };
}

export function loadGolden(dir: string): GoldenCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => parseGolden(f.replace(/\.txt$/, ""), readFileSync(join(dir, f), "utf8")));
}
