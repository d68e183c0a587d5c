/**
 * The tree-sitter runtime (web-tree-sitter, WebAssembly) and its grammars, loaded on first
 * use: the runtime when the first document is parsed, each grammar when the first document
 * of its language is (10–100 ms each; the backend starts without paying for any of them).
 *
 * In the bundle (dist/server.js + dist/server/*.mjs) the .wasm files sit in dist/: dist/tree-sitter.wasm and
 * dist/grammars/*.wasm, copied by esbuild.config.mjs and shipped in the .vsix. From source
 * (tests, `tsx`) they resolve from node_modules.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { Language, Parser } from "web-tree-sitter";
import { WASM_FILES, type Grammar, type WasmFile } from "./languages";

const requireHere = createRequire(__filename);

/** dist/: the bundle's chunks run from dist/server/ (scripts/server-bundle.mjs), the .wasm files sit one level up. */
const DIST = join(__dirname, "..");

function wasmPath(f: WasmFile, dir = ""): string {
  const inDist = join(DIST, dir, f.file);
  return existsSync(inDist) ? inDist : requireHere.resolve(`${f.package}/${f.path}`);
}

let runtime: Promise<void> | undefined;
const languages = new Map<Grammar, Promise<Language>>();

/**
 * V8 compiles WebAssembly lazily by default: each function on its first call, on the main
 * thread. A grammar's lexer is one huge function, so the first parse of a language held the
 * event loop for 20–40 ms (C++, C#, Ruby, Bash, Rust) while it compiled, whatever the
 * parse's time slices. Compiled eagerly, the whole module compiles on V8's background
 * threads while `Language.load` awaits, and the first parse is as short as the next ones.
 * The flag only changes when wasm code compiles; the backend loads no other wasm module.
 */
let eagerWasm = false;
function compileWasmEagerly(): void {
  if (eagerWasm) return;
  eagerWasm = true;
  setFlagsFromString("--no-wasm-lazy-compilation");
}

function init(): Promise<void> {
  compileWasmEagerly();
  runtime ??= Parser.init({
    locateFile: () => wasmPath(WASM_FILES.runtime),
  }).catch((err: unknown) => {
    runtime = undefined; // a failed start may be retried by the next parse
    throw err;
  });
  return runtime;
}

/** The grammar, loaded once per process (concurrent callers share one load). */
export function loadLanguage(grammar: Grammar): Promise<Language> {
  let p = languages.get(grammar);
  if (!p) {
    p = init()
      .then(() => Language.load(wasmPath(WASM_FILES.grammars[grammar], "grammars")))
      .catch((err: unknown) => {
        languages.delete(grammar); // a missing file stays missing, but a transient failure may pass
        throw err;
      });
    languages.set(grammar, p);
  }
  return p;
}

/** Grammars loaded so far (for /health-style diagnostics and tests of laziness). */
export function loadedGrammars(): Grammar[] {
  return [...languages.keys()];
}
