/**
 * Model output → HTML that is safe to put in the webview: raw HTML in the answer is shown
 * as text (escaped), links only go out through the extension (http/https), images become
 * their alt text, and code blocks get highlighting plus action buttons. DOM-free, so it is
 * unit-tested in Node.
 */
import type { Marked as MarkedClass, Tokens } from "marked" with { "resolution-mode": "import" };
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import markdown from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import plaintext from "highlight.js/lib/languages/plaintext";
import powershell from "highlight.js/lib/languages/powershell";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

// marked ships ESM only: esbuild bundles this require, and Node >= 20.19 can require() ESM (unit tests).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the import form would break the unit tests (see above)
const { Marked } = require("marked") as { Marked: typeof MarkedClass };

const LANGUAGES = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  kotlin,
  markdown,
  php,
  plaintext,
  powershell,
  python,
  ruby,
  rust,
  shell,
  sql,
  typescript,
  xml,
  yaml,
};
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);

/** Fence tags that are shell commands: their blocks get "Run in terminal". */
const SHELL_LANGS = new Set([
  "sh",
  "bash",
  "shell",
  "zsh",
  "console",
  "shellsession",
  "powershell",
  "ps1",
  "pwsh",
  "cmd",
  "bat",
]);

export interface CodeBlock {
  code: string;
  language: string;
  /** A path named after the language on the fence line (```ts src/app.ts). */
  path?: string;
  isShell: boolean;
}

export interface Rendered {
  html: string;
  blocks: CodeBlock[];
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** "ts src/my file.ts" → language "ts", path "src/my file.ts". */
export function parseFenceInfo(info: string | undefined): { language: string; path?: string } {
  const trimmed = (info ?? "").trim();
  // Both groups always participate when it matches (a one-line info string always does).
  const [, lang = "", rest = ""] = /^(\S*)\s*(.*)$/.exec(trimmed) ?? [];
  const language = lang.toLowerCase();
  let path = rest.trim().replace(/^["'`]|["'`]$/g, "");
  if (path.startsWith("title=")) path = path.slice(6).replace(/^["']|["']$/g, "");
  return path !== "" && !/[{}=]/.test(path) ? { language, path } : { language };
}

function highlight(code: string, language: string): string {
  const alias = hljs.getLanguage(language) ? language : undefined;
  if (!alias) return escapeHtml(code);
  // hljs escapes the code itself; only its own <span class> markup is added.
  return hljs.highlight(code, { language: alias, ignoreIllegals: true }).value;
}

const button = (action: string, icon: string, title: string, label?: string) =>
  `<button class="code-btn" type="button" data-action="${action}" title="${title}" aria-label="${title}"><i class="codicon codicon-${icon}"></i>${label ? `<span>${label}</span>` : ""}</button>`;

export function renderMarkdown(text: string): Rendered {
  const blocks: CodeBlock[] = [];
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  marked.use({
    renderer: {
      html({ text: raw }: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(raw);
      },
      image({ text: alt }: Tokens.Image) {
        return escapeHtml(alt);
      },
      link({ href, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        if (!/^https?:\/\//i.test(href)) return inner;
        return `<a href="#" data-href="${escapeHtml(href)}" title="${escapeHtml(href)}">${inner}</a>`;
      },
      code({ text: code, lang }: Tokens.Code) {
        const { language, path } = parseFenceInfo(lang);
        const isShell = SHELL_LANGS.has(language);
        const index = blocks.length;
        blocks.push({ code, language, ...(path ? { path } : {}), isShell });
        const label = path ? `${language || "text"} · ${path}` : language || "text";
        const actions = [
          button("copy", "copy", "Copy"),
          button("insert", "insert", "Insert at cursor"),
          // A shell block is a command to run, not code to put in a file.
          isShell
            ? button("run", "terminal", "Run in terminal (asks for confirmation)", "Run")
            : button(
                "apply",
                "diff",
                path ? `Apply to ${path} (review the diff)` : "Apply to the active editor (review the diff)",
                "Apply",
              ),
        ].join("");
        return `<div class="code-block" data-block="${index}"><div class="code-head"><span class="code-lang">${escapeHtml(label)}</span><span class="code-actions">${actions}</span></div><pre><code class="hljs">${highlight(code, language)}</code></pre></div>`;
      },
    },
  });
  const html = marked.parse(text) as string;
  return { html, blocks };
}
