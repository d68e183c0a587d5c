/**
 * First pass over a command line, before shell-quote sees it.
 *
 * shell-quote tokenizes quotes, operators, globs and `$VAR`, but it does not understand
 * `$(…)` nesting (it yields a lone "$" and a bare "(" operator), treats backticks as plain
 * characters, drops newlines as if they were spaces, and starts a comment at any `#`
 * even inside a word. Each of those would let a command hide from the assessment, so this
 * pass cuts every command/process substitution, backtick and here-document out of the
 * text (replacing it by a `${__AICP_Sn}` placeholder the tokenizer turns back into a
 * marker), turns unquoted newlines into `;`, and strips comments the way a shell would.
 */

export type SubKind = "command" | "process-in" | "process-out" | "heredoc" | "arithmetic";

export interface RawSub {
  kind: SubKind;
  source: string;
}

export interface Prescanned {
  text: string;
  subs: RawSub[];
  problems: string[];
}

export const SUB_VAR_PREFIX = "__AICP_S";

/** Index just past the `)` matching the `(` at `open`, honouring quotes and nesting; -1 if none. */
function matchParen(src: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i = skipDouble(src, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === "`") {
      const end = findBacktickEnd(src, i + 1);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Index just past the closing `"` of the double-quoted string opening at `open`; -1 if none. */
function skipDouble(src: string, open: number): number {
  let i = open + 1;
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === '"') return i + 1;
    if (c === "$" && src[i + 1] === "(") {
      const end = matchParen(src, i + 1);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    if (c === "`") {
      const end = findBacktickEnd(src, i + 1);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    i++;
  }
  return -1;
}

function findBacktickEnd(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === "\\") {
      i++;
      continue;
    }
    if (src[i] === "`") return i;
  }
  return -1;
}

const WORD_BREAK = new Set([" ", "\t", "\n", ";", "|", "&", "(", ")", "<", ">"]);

export function prescan(src: string): Prescanned {
  const subs: RawSub[] = [];
  const problems: string[] = [];
  let out = "";
  // Here-documents whose body starts after the next unquoted newline.
  const pendingHeredocs: { sub: RawSub; delimiter: string; stripTabs: boolean }[] = [];

  const placeholder = (kind: SubKind, source: string): string => {
    subs.push({ kind, source });
    return "${" + SUB_VAR_PREFIX + String(subs.length - 1) + "}";
  };

  /** Handles `$(`, `$((` and backticks at i (outside single quotes); returns [text, next index] or null. */
  const substitution = (i: number): [string, number] | null => {
    const c = src[i];
    if (c === "$" && src[i + 1] === "(") {
      const arithmetic = src[i + 2] === "(";
      const end = matchParen(src, i + 1);
      if (end < 0) {
        problems.push("A `$(` is never closed.");
        return [placeholder("command", src.slice(i + 2)), src.length];
      }
      if (arithmetic) return [placeholder("arithmetic", src.slice(i + 3, end - 2)), end];
      return [placeholder("command", src.slice(i + 2, end - 1)), end];
    }
    if (c === "`") {
      const end = findBacktickEnd(src, i + 1);
      if (end < 0) {
        problems.push("A backtick is never closed.");
        return [placeholder("command", src.slice(i + 1)), src.length];
      }
      // Inside backticks, \` \$ and \\ are escapes for the inner shell.
      const inner = src.slice(i + 1, end).replace(/\\([`$\\])/g, "$1");
      return [placeholder("command", inner), end + 1];
    }
    return null;
  };

  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    const atWordStart = out.length === 0 || WORD_BREAK.has(src[i - 1] ?? " ");

    if (c === "\\") {
      if (src[i + 1] === "\n") {
        i += 2; // line continuation
        continue;
      }
      out += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "'") {
      // ANSI-C quoting `$'…'` allows \' inside; plain single quotes allow nothing.
      const ansi = out.endsWith("$") && !out.endsWith("\\$");
      let end = i + 1;
      while (end < src.length && src[end] !== "'") end += ansi && src[end] === "\\" ? 2 : 1;
      if (end >= src.length) {
        problems.push("A single quote is never closed.");
        out += src.slice(i) + "'";
        break;
      }
      out += src.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      out += '"';
      i++;
      let closed = false;
      while (i < src.length) {
        const d = src.charAt(i);
        if (d === "\\") {
          out += src.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (d === '"') {
          out += '"';
          i++;
          closed = true;
          break;
        }
        const sub = substitution(i);
        if (sub) {
          out += sub[0];
          i = sub[1];
          continue;
        }
        out += d;
        i++;
      }
      if (!closed) {
        problems.push("A double quote is never closed.");
        out += '"';
      }
      continue;
    }
    const sub = substitution(i);
    if (sub) {
      out += sub[0];
      i = sub[1];
      continue;
    }
    if ((c === "<" || c === ">") && src[i + 1] === "(" && atWordStart) {
      const end = matchParen(src, i + 1);
      const kind: SubKind = c === "<" ? "process-in" : "process-out";
      if (end < 0) {
        problems.push(`A \`${c}(\` is never closed.`);
        out += " " + placeholder(kind, src.slice(i + 2));
        break;
      }
      out += " " + placeholder(kind, src.slice(i + 2, end - 1));
      i = end;
      continue;
    }
    if (c === "<" && src[i + 1] === "<" && src[i + 2] !== "<" && src[i - 1] !== "<") {
      // Here-document: the body (on the following lines) becomes the command's input.
      const m = /^<<(-?)[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([^\s;|&<>()]+))/.exec(src.slice(i));
      if (m) {
        const delimiter = m[2] ?? m[3] ?? m[4] ?? "";
        const s: RawSub = { kind: "heredoc", source: "" };
        subs.push(s);
        pendingHeredocs.push({ sub: s, delimiter, stripTabs: m[1] === "-" });
        out += "<<< ${" + SUB_VAR_PREFIX + String(subs.length - 1) + "}";
        i += m[0].length;
        continue;
      }
    }
    if (c === "#") {
      if (atWordStart) {
        const nl = src.indexOf("\n", i);
        i = nl < 0 ? src.length : nl;
        continue;
      }
      out += "\\#"; // mid-word `#` is literal for a shell, a comment for shell-quote
      i++;
      continue;
    }
    if (c === "\n") {
      out += " ; ";
      i++;
      for (let h = pendingHeredocs.shift(); h !== undefined; h = pendingHeredocs.shift()) {
        const body: string[] = [];
        let found = false;
        while (i < src.length) {
          const nl = src.indexOf("\n", i);
          const lineEnd = nl < 0 ? src.length : nl;
          let line = src.slice(i, lineEnd);
          i = nl < 0 ? src.length : nl + 1;
          if (h.stripTabs) line = line.replace(/^\t+/, "");
          if (line === h.delimiter) {
            found = true;
            break;
          }
          body.push(line);
        }
        if (!found) problems.push(`The here-document ending in ${h.delimiter} is never closed.`);
        h.sub.source = body.join("\n");
      }
      continue;
    }
    out += c;
    i++;
  }
  return { text: out, subs, problems };
}
