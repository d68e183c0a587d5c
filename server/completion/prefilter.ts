/**
 * Decides, before any model call, whether a completion should be attempted at all and
 * what shape it may take (single- or multi-line). Cheap checks only: this runs on every
 * keystroke that reaches the backend.
 */
import { commentSyntax } from "./languages";
import { containsPrivateKey, isSecretPath } from "../../common/secrets";
import type { IgnoreMatcher } from "../../common/ignore";

export type MultilineMode = "auto" | "always" | "never";

export interface CursorSituation {
  /** Text of the cursor's line before the cursor. */
  linePrefix: string;
  /** Text of the cursor's line after the cursor. */
  restOfLine: string;
  /** Leading whitespace of the cursor's line. */
  indent: string;
  /** Something other than closing brackets, quotes, `;`, `,` or whitespace follows on the line. */
  midLine: boolean;
  inLineComment: boolean;
  multiline: boolean;
}

export type PrefilterResult = { skip: true; reason: string } | { skip: false; situation: CursorSituation };

export interface PrefilterInput {
  filepath: string;
  /** Workspace-relative path for ignore rules; null when the file is outside the workspace. */
  relativePath: string | null;
  languageId: string;
  prefix: string;
  suffix: string;
  multiline: MultilineMode;
  ignore?: IgnoreMatcher;
}

/** Rest of the line a completion may write in front of (or rewrite): closers and the punctuation after them (`) {`, `):`). */
const ONLY_CLOSERS = /^[\s)\]}>'"`;,:{]*$/;
const BLOCK_OPENER = /(?:[{([:]|=>|->|\bdo|\bthen|\bbegin)\s*$/;
/**
 * A line that starts a block the model should write whole even before its opener is typed:
 * `for x in items│`, `while (…)`, `def total│`, `get total│`, `public int size()│`.
 */
const BLOCK_STATEMENT =
  /^\s*(?:@\w+\s+)?(?:(?:export|default|pub|public|private|protected|internal|static|async|override|final|abstract|virtual)\s+)*(?:for|foreach|while|if|elif|else|switch|match|try|with|unless|until|loop|def|class|function\*?|fn|fun|func|get|set|interface|struct|enum|impl|trait|module)\b/;
/**
 * A typed method or function header with nothing after its parameter list (`public int size()`,
 * `static std::string name(const Item& i) const`, `Task<int> RunAsync(CancellationToken ct)`):
 * a return type, a name, balanced parameters. Not `return f(x)`, `new Foo(x)`, `a = f(x)`.
 */
const TYPED_SIGNATURE =
  /^\s*(?:\[[^\]]*\]\s*|@\w+(?:\([^)]*\))?\s+)*(?!(?:return|new|throw|await|yield|case|else|delete|typeof|sizeof|co_return|co_await|goto)\b)[A-Za-z_][\w<>[\],.?*&:]*(?:\s+[A-Za-z_][\w<>[\],.?*&:]*)*\s+[*&]*[A-Za-z_~][\w:~]*\s*\([^()]*\)\s*(?:const\s*|noexcept\s*|override\s*|throws\s+[\w.,\s]+)*$/;
/** Languages whose definitions start with a type instead of a keyword (TYPED_SIGNATURE). */
const TYPED_LANGUAGES = new Set(["java", "csharp", "c", "cpp", "objective-c", "objective-cpp", "dart", "groovy"]);
/** A statement that is finished (`;`, `}` at the end): what follows is the next line(s). */
const FINISHED_STATEMENT = /[;}]\s*$/;
/** Languages where a line that balances its brackets is a finished statement (no `;`). */
const NEWLINE_TERMINATED = new Set([
  "python",
  "ruby",
  "go",
  "shellscript",
  "bash",
  "sh",
  "kotlin",
  "swift",
  "r",
  "lua",
]);

/** True when the line-comment marker occurs in `line` outside a string literal (good enough without a parser). */
export function inLineComment(line: string, languageId: string): boolean {
  const marker = commentSyntax(languageId).line;
  if (marker === null) return false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quote !== null) {
      if (ch === "\\") i += 1;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") {
      quote = ch;
      continue;
    }
    if (line.startsWith(marker, i)) return true;
  }
  return false;
}

export function describeCursor(
  prefix: string,
  suffix: string,
  languageId: string,
  mode: MultilineMode,
): CursorSituation {
  const linePrefix = prefix.slice(prefix.lastIndexOf("\n") + 1);
  const nl = suffix.indexOf("\n");
  const restOfLine = (nl === -1 ? suffix : suffix.slice(0, nl)).replace(/\r$/, "");
  const indent = /^[ \t]*/.exec(linePrefix)![0];
  const midLine = !ONLY_CLOSERS.test(restOfLine);
  const comment = inLineComment(linePrefix, languageId);
  let multiline: boolean;
  if (mode === "never" || midLine || comment) multiline = false;
  else if (mode === "always") multiline = true;
  else
    multiline =
      linePrefix.trim() === "" || BLOCK_OPENER.test(linePrefix) || multilineWorthTrying(linePrefix, languageId);
  return { linePrefix, restOfLine, indent, midLine, inLineComment: comment, multiline };
}

/**
 * In `auto` mode, beyond blank lines and block openers: after a line that starts a block
 * statement or definition (`for`, a getter name), and at the end of a finished statement,
 * where the model's next lines are what the user writes next. The end-of-scope filter keeps
 * such completions within the block they belong to.
 */
function multilineWorthTrying(linePrefix: string, languageId: string): boolean {
  if (BLOCK_STATEMENT.test(linePrefix)) return true;
  if (TYPED_LANGUAGES.has(languageId) && linePrefix.length <= 400 && TYPED_SIGNATURE.test(linePrefix)) return true;
  if (FINISHED_STATEMENT.test(linePrefix)) return true;
  if (!NEWLINE_TERMINATED.has(languageId)) return false;
  // `total = price * qty` in Python: brackets balanced, not ending in an operator or a comma.
  let depth = 0;
  for (const ch of linePrefix) {
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
  }
  return depth === 0 && /[\w)\]"']\s*$/.test(linePrefix) && /=|\(|^\s*(?:return|import|from)\b/.test(linePrefix);
}

/** The cursor stands where a new argument or element goes (`sum(│baz)`, `[a, │b]`), in front of an existing one. */
function atArgumentStart(prefix: string): boolean {
  const before = prefix.slice(prefix.lastIndexOf("\n") + 1).trimEnd();
  return /[([,]$/.test(before);
}

export function prefilter(input: PrefilterInput): PrefilterResult {
  if (isSecretPath(input.filepath) || (input.relativePath !== null && isSecretPath(input.relativePath))) {
    return { skip: true, reason: "secret-file" };
  }
  if (input.relativePath !== null && input.ignore && input.ignore.ignores(input.relativePath)) {
    return { skip: true, reason: "ignored" };
  }
  if (containsPrivateKey(input.prefix) || containsPrivateKey(input.suffix))
    return { skip: true, reason: "secret-content" };
  // Completing in front of an identifier would split it, unless a new argument goes there.
  if (/^[\p{L}\p{N}_$]/u.test(input.suffix) && !atArgumentStart(input.prefix))
    return { skip: true, reason: "mid-word" };
  return { skip: false, situation: describeCursor(input.prefix, input.suffix, input.languageId, input.multiline) };
}
