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

/** A name the file imports: `local` is what the code calls it, `exported` what the module defines. */
export interface ImportBinding {
  local: string;
  exported: string;
  specifier: string;
  /** `import * as ns` / `import mod`: `ns.x` refers to `x` in the module. */
  namespace: boolean;
}

function splitNames(list: string): { exported: string; local: string }[] {
  return list
    .split(",")
    .map((s) => s.replace(/^\s*type\s+/, "").trim())
    .filter((s) => /^[\w$]+(?:\s+as\s+[\w$]+)?$/.test(s))
    .map((s) => {
      const [exported = "", local] = s.split(/\s+as\s+/);
      return { exported, local: local ?? exported };
    });
}

/** Names imported from local modules (relative specifiers; Python modules tried as files), in source order. */
export function importBindings(text: string, languageId: string): ImportBinding[] {
  const head = text.split("\n", SCAN_LINES).join("\n");
  const out: ImportBinding[] = [];
  if (JS_LIKE.has(languageId)) {
    for (const [, clause = "", specifier = ""] of head.matchAll(
      /\bimport\s+(?:type\s+)?([^;'"]*?)\s*from\s*["'](\.{1,2}\/[^"'\n]+)["']/g,
    )) {
      const ns = /\*\s*as\s+([\w$]+)/.exec(clause);
      if (ns) out.push({ local: ns[1]!, exported: ns[1]!, specifier, namespace: true });
      const braces = /\{([^}]*)\}/.exec(clause);
      if (braces) for (const n of splitNames(braces[1]!)) out.push({ ...n, specifier, namespace: false });
      const def = /^([\w$]+)\s*(?:,|$)/.exec(clause.trim());
      if (def) out.push({ local: def[1]!, exported: def[1]!, specifier, namespace: false });
    }
    for (const [, names = "", specifier = ""] of head.matchAll(
      /\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*["'](\.{1,2}\/[^"'\n]+)["']\s*\)/g,
    ))
      for (const n of splitNames(names.replace(/:/g, " as "))) out.push({ ...n, specifier, namespace: false });
  } else if (languageId === "python") {
    for (const m of head.matchAll(/^\s*from\s+(\.*)([\w.]*)\s+import\s+(?:\(([^)]*)\)|([^(\n]+))/gm)) {
      const [, dots = "", mod = "", inParens, plain] = m;
      const up = Math.max(0, dots.length - 1);
      const rel = mod === "" ? "__init__" : mod.replace(/\./g, "/");
      const specifier = `${up === 0 ? "./" : "../".repeat(up)}${rel}`;
      const names = (inParens ?? plain ?? "").replace(/#.*$/gm, "").replace(/\n/g, ",");
      for (const n of splitNames(names)) out.push({ ...n, specifier, namespace: false });
    }
    for (const [, mod = "", alias] of head.matchAll(/^\s*import\s+([\w.]+)(?:\s+as\s+(\w+))?\s*$/gm)) {
      const local = alias ?? mod.split(".").pop()!;
      out.push({ local, exported: local, specifier: `./${mod.replace(/\./g, "/")}`, namespace: true });
    }
  } else {
    out.push(...packageImportBindings(text, languageId));
  }
  return out;
}

/**
 * Go, Rust and Java name modules by package path, not by file: the bindings carry the path
 * as written (`example.com/shop/cart`, `crate::cart`, `com.shop.cart.Cart`) and the backend
 * resolves it against the workspace (go.mod's module path, the crate's `src/`, the source
 * root the file's own `package` line implies).
 */
export function packageImportBindings(text: string, languageId: string): ImportBinding[] {
  const head = text.split("\n", SCAN_LINES).join("\n");
  const out: ImportBinding[] = [];
  if (languageId === "go") {
    // `import "a/b"`, `import x "a/b"`, and the same lines inside `import ( … )`.
    const specs: string[] = [];
    for (const m of head.matchAll(/^\s*import\s*\(([^)]*)\)/gm)) specs.push(...m[1]!.split("\n"));
    for (const m of head.matchAll(/^\s*import\s+((?:[\w.]+\s+)?"[^"\n]+")/gm)) specs.push(m[1]!);
    for (const line of specs) {
      const m = /^\s*([\w.]+\s+)?"([^"\n]+)"/.exec(line);
      if (!m) continue;
      const alias = m[1]?.trim();
      const path = m[2]!;
      if (alias === "_" || alias === ".") continue;
      const local = alias ?? path.split("/").pop()!;
      out.push({ local, exported: local, specifier: path, namespace: true });
    }
  } else if (languageId === "rust") {
    // `use crate::a::b::{X, Y as Z};`, `use super::m::X;`, `use crate::a::b;` (then `b::X`).
    for (const m of head.matchAll(
      /^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+((?:crate|super|self)(?:::\w+)*)(?:::\{([^}]*)\})?\s*(?:as\s+(\w+))?\s*;/gm,
    )) {
      const path = m[1]!;
      if (m[2] !== undefined) {
        for (const n of splitNames(m[2])) {
          if (n.exported === "self") continue;
          out.push({ ...n, specifier: path, namespace: false });
          out.push({ local: n.local, exported: n.local, specifier: `${path}::${n.exported}`, namespace: true });
        }
        continue;
      }
      const parts = path.split("::");
      if (parts.length < 2) continue;
      const last = parts[parts.length - 1]!;
      const local = m[3] ?? last;
      // The last segment is an item of the module before it, or a module itself.
      out.push({ local, exported: last, specifier: parts.slice(0, -1).join("::"), namespace: false });
      out.push({ local, exported: local, specifier: path, namespace: true });
    }
  } else if (languageId === "java") {
    for (const [, path = "", star] of head.matchAll(/^\s*import\s+(?!static\b)([\w.]+?)(\.\*)?\s*;/gm)) {
      if (star) {
        out.push({ local: "*", exported: "*", specifier: path, namespace: true });
      } else {
        const name = path.split(".").pop()!;
        out.push({ local: name, exported: name, specifier: path, namespace: false });
      }
    }
  }
  return out;
}
