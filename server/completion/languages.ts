/**
 * Per-language facts the engine needs without a parser: the line-comment marker (to put
 * snippets into a FIM prompt as comments, and to know when the cursor sits inside a
 * one-line comment, where completions must stay single-line).
 */

const HASH = [
  "python",
  "shellscript",
  "bash",
  "sh",
  "zsh",
  "ruby",
  "perl",
  "r",
  "yaml",
  "toml",
  "dockerfile",
  "makefile",
  "powershell",
  "elixir",
  "julia",
  "coffeescript",
  "nix",
  "cmake",
  "properties",
  "ini",
];
const DASH = ["sql", "lua", "haskell", "elm", "ada", "vhdl"];
const SEMI = ["clojure", "lisp", "scheme", "racket", "asm"];
const PERCENT = ["latex", "tex", "erlang", "matlab", "prolog"];
const BLOCK_ONLY: Record<string, [string, string]> = {
  html: ["<!--", "-->"],
  xml: ["<!--", "-->"],
  markdown: ["<!--", "-->"],
  vue: ["<!--", "-->"],
  svelte: ["<!--", "-->"],
  css: ["/*", "*/"],
  json: ["//", ""], // JSONC tolerates it; plain JSON never gets snippets anyway (see comment())
};

export interface CommentSyntax {
  /** Marker that starts a comment running to the end of the line, if the language has one. */
  line: string | null;
  /** Wrapper used to render a line of context as a comment. */
  open: string;
  close: string;
}

export function commentSyntax(languageId: string): CommentSyntax {
  const id = languageId.toLowerCase();
  if (HASH.includes(id)) return { line: "#", open: "# ", close: "" };
  if (DASH.includes(id)) return { line: "--", open: "-- ", close: "" };
  if (SEMI.includes(id)) return { line: ";", open: "; ", close: "" };
  if (PERCENT.includes(id)) return { line: "%", open: "% ", close: "" };
  const block = BLOCK_ONLY[id];
  if (block)
    return {
      line: block[1] === "" ? block[0] : null,
      open: `${block[0]} `,
      close: block[1] === "" ? "" : ` ${block[1]}`,
    };
  return { line: "//", open: "// ", close: "" };
}

/** Renders text as comment lines in the given language (used for snippets in FIM prompts). */
export function asComment(text: string, languageId: string): string {
  const c = commentSyntax(languageId);
  return text
    .split("\n")
    .map((l) => `${c.open}${l}${c.close}`.trimEnd())
    .join("\n");
}
