/**
 * Models rewrite code more faithfully when it is not indented deep inside a class or
 * function, so we strip the block's common indentation before prompting and put it back
 * on every line of the answer.
 */

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** The longest leading whitespace shared by every non-blank line. */
export function commonIndent(lines: readonly string[]): string {
  let indent: string | undefined;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const lead = /^[ \t]*/.exec(line)![0];
    if (indent === undefined) {
      indent = lead;
      continue;
    }
    let i = 0;
    while (i < indent.length && i < lead.length && indent[i] === lead[i]) i++;
    indent = indent.slice(0, i);
    if (indent === "") break;
  }
  return indent ?? "";
}

export function stripIndent(lines: readonly string[], indent: string): string[] {
  if (indent === "") return [...lines];
  return lines.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
}

/**
 * Re-indents one answer line. Blank lines stay empty (no trailing whitespace added).
 * `answerIndented` is true when the model kept the original indentation on its own; then
 * the line is left alone so it is not indented twice.
 */
export function restoreIndentLine(line: string, indent: string, answerIndented: boolean): string {
  if (indent === "" || answerIndented || line.trim() === "") return line.trim() === "" ? "" : line;
  return indent + line;
}
