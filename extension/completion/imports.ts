/**
 * Files the current one imports, for "imported definitions" context: relative import
 * specifiers found near the top of the file, turned into candidate paths. Resolving
 * package imports would need the language server and is too slow for a keystroke; local
 * modules are where the definitions the user is calling usually live. vscode-free.
 */
import { posix } from "node:path";

const JS_LIKE = new Set(["javascript", "javascriptreact", "typescript", "typescriptreact", "vue", "svelte"]);
const JS_EXTS = ["", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", "/index.ts", "/index.tsx", "/index.js"];

/** Only the head of the file is scanned: imports live there, and scanning must stay cheap. */
const SCAN_LINES = 200;

export function importSpecifiers(text: string, languageId: string): string[] {
  const head = text.split("\n", SCAN_LINES).join("\n");
  const out = new Set<string>();
  if (JS_LIKE.has(languageId)) {
    const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"'\n]+)["']/g;
    for (const [, spec] of head.matchAll(re)) if (spec !== undefined) out.add(spec);
  } else if (languageId === "python") {
    // `from .mod import x`, `from ..pkg.mod import y`; absolute `import mod` is tried as a sibling file.
    for (const [, dots = "", path = ""] of head.matchAll(/^\s*from\s+(\.+)([\w.]*)\s+import\b/gm)) {
      const up = dots.length - 1;
      const rel = path === "" ? "__init__" : path.replace(/\./g, "/");
      out.add(`${up === 0 ? "./" : "../".repeat(up)}${rel}`);
    }
    for (const m of head.matchAll(/^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))/gm)) {
      const mod = m[1] ?? m[2];
      if (mod) out.add(`./${mod.replace(/\./g, "/")}`);
    }
  }
  return [...out];
}

/** Candidate files (posix paths) for a specifier imported from `fromFile`, most likely first. */
export function candidatePaths(fromFile: string, specifier: string, languageId: string): string[] {
  const base = posix.join(posix.dirname(fromFile.replace(/\\/g, "/")), specifier);
  if (languageId === "python") return [`${base}.py`, `${base}/__init__.py`];
  if (JS_LIKE.has(languageId)) {
    // TypeScript sources import "./x.js" meaning "./x.ts".
    const stripped = base.replace(/\.(m|c)?js$/, "");
    const bases = stripped !== base ? [stripped, base] : [base];
    return [...new Set(bases.flatMap((b) => JS_EXTS.map((e) => b + e)))].filter((p) => !p.endsWith("/"));
  }
  return [];
}
