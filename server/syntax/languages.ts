/**
 * Which tree-sitter grammar parses a document: from VS Code's language id, or from the file
 * name when the id says nothing (a plain-text editor, a remote file, a file read from disk
 * for the repository map). Pure table; the grammar files themselves load in runtime.ts.
 */
import { basename, extname } from "node:path";
import grammarsJson from "./grammars.json";

export type Grammar =
  | "typescript"
  | "tsx"
  | "javascript"
  | "python"
  | "go"
  | "rust"
  | "java"
  | "c"
  | "cpp"
  | "csharp"
  | "ruby"
  | "php"
  | "bash"
  | "json"
  | "yaml";

export interface WasmFile {
  /** npm package and path inside it (resolved from node_modules when running from source). */
  package: string;
  path: string;
  /** Its name next to the bundle: dist/<file> for the runtime, dist/grammars/<file> for a grammar. */
  file: string;
}

/** One table for the code and for esbuild.config.mjs, which copies the files into dist/. */
export const WASM_FILES = grammarsJson as { runtime: WasmFile; grammars: Record<Grammar, WasmFile> };

const BY_LANGUAGE_ID: Record<string, Grammar> = {
  typescript: "typescript",
  typescriptreact: "tsx",
  javascript: "javascript",
  javascriptreact: "javascript",
  python: "python",
  go: "go",
  rust: "rust",
  java: "java",
  c: "c",
  cpp: "cpp",
  "cuda-cpp": "cpp",
  csharp: "csharp",
  ruby: "ruby",
  php: "php",
  shellscript: "bash",
  bash: "bash",
  sh: "bash",
  zsh: "bash",
  json: "json",
  jsonc: "json",
  jsonl: "json",
  yaml: "yaml",
  "github-actions-workflow": "yaml",
  dockercompose: "yaml",
};

const BY_EXTENSION: Record<string, Grammar> = {
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascript",
  ".py": "python",
  ".pyi": "python",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".c": "c",
  ".h": "c",
  ".cc": "cpp",
  ".cpp": "cpp",
  ".cxx": "cpp",
  ".hpp": "cpp",
  ".hh": "cpp",
  ".hxx": "cpp",
  ".cs": "csharp",
  ".rb": "ruby",
  ".rake": "ruby",
  ".php": "php",
  ".sh": "bash",
  ".bash": "bash",
  ".zsh": "bash",
  ".json": "json",
  ".jsonc": "json",
  ".yaml": "yaml",
  ".yml": "yaml",
};

const BY_NAME: Record<string, Grammar> = {
  Rakefile: "ruby",
  Gemfile: "ruby",
  ".bashrc": "bash",
  ".zshrc": "bash",
  ".profile": "bash",
};

/**
 * The grammar for a document: by language id first (what the editor decided), else by the
 * file name; undefined when no bundled grammar fits (plaintext, markdown, Dockerfile…).
 */
export function languageFor(languageId: string | undefined, filename?: string): Grammar | undefined {
  const byId = languageId ? BY_LANGUAGE_ID[languageId.toLowerCase()] : undefined;
  if (byId) return byId;
  if (!filename) return undefined;
  const name = basename(filename);
  return BY_NAME[name] ?? BY_EXTENSION[extname(name).toLowerCase()];
}
