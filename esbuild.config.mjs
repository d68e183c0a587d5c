// Three bundles: the extension (runs in VS Code's extension host), the backend engine
// (spawned as `node dist/server.js`), and the chat webview (runs in the browser).
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";
import { cleanServerOutput, serverBuildOptions, writeServerShim } from "./scripts/server-bundle.mjs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");
// `--only=server` builds just dist/server.js (integration tests rebuild it when stale).
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

/**
 * `import * as vscode from "vscode"` of an external module compiles to `__toESM(require("vscode"))`
 * in every importing file, and each call copies the whole API object (hundreds of getters):
 * 31 copies made evaluating the bundle cost tens of milliseconds of activation. Routing every
 * import through one virtual `export * from "vscode"` module makes that one copy, shared.
 */
const vscodeOnce = {
  name: "vscode-once",
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === "vscode-once"
        ? { path: "vscode", external: true }
        : { path: "vscode", namespace: "vscode-once" },
    );
    build.onLoad({ filter: /.*/, namespace: "vscode-once" }, () => ({
      contents: 'export * from "vscode";',
      loader: "js",
    }));
  },
};

// The version the backend reports on /health and the extension compares: package.json's, compiled in.
const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const define = { __AICOCKPIT_VERSION__: JSON.stringify(version) };

const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "info",
  legalComments: "none",
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ["extension/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    plugins: [vscodeOnce],
    define,
  },
  // dist/server.js (a shim) + dist/server/*.mjs: see scripts/server-bundle.mjs.
  serverBuildOptions({ production, outdir: "dist", define }),
  {
    ...common,
    entryPoints: ["webview-ui/main.ts"],
    outfile: "dist/webview.js",
    platform: "browser",
    format: "iife",
    target: "es2022",
    // CSS imported by the webview lands in dist/webview.css; the codicon font next to it.
    loader: { ".ttf": "file" },
    assetNames: "[name]",
  },
  {
    ...common,
    entryPoints: ["webview-ui/tasks/main.ts"],
    outfile: "dist/tasks.js",
    platform: "browser",
    format: "iife",
    target: "es2022",
    loader: { ".ttf": "file" },
    assetNames: "[name]",
  },
];

/**
 * The backend's tree-sitter runtime and grammars are WebAssembly files loaded at run time, not
 * bundled code: copied to dist/tree-sitter.wasm and dist/grammars/ (the .vsix ships them,
 * see .vscodeignore) from the table server/syntax/grammars.json.
 */
function copyWasm() {
  const require = createRequire(import.meta.url);
  const table = JSON.parse(readFileSync(new URL("./server/syntax/grammars.json", import.meta.url), "utf8"));
  const from = (f) => require.resolve(`${f.package}/${f.path}`);
  mkdirSync("dist/grammars", { recursive: true });
  copyFileSync(from(table.runtime), `dist/${table.runtime.file}`);
  for (const f of Object.values(table.grammars)) copyFileSync(from(f), `dist/grammars/${f.file}`);
}

// The local-model worker thread is its own bundle next to the backend's shim (server/local-model/native.ts).
builds.push({
  ...common,
  entryPoints: { "local-model-worker": "server/local-model/worker.ts" },
  outdir: "dist",
  platform: "node",
  format: "cjs",
  target: "node20",
  // node-llama-cpp (ESM + a native binary per platform) is imported at run time from node_modules.
  external: ["cpu-features", "./crypto/build/Release/sshcrypto.node", "node-llama-cpp"],
  // ESM-only code in the bundle gets the bundle's own URL: esbuild leaves `import.meta` empty in CommonJS output.
  define: { ...define, "import.meta.url": "__aicockpitImportMetaUrl" },
  banner: { js: 'const __aicockpitImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
});

const names = ["extension", "server", "webview", "tasks", "server"];
const selected = only ? builds.filter((_, i) => names[i] === only) : builds;
if (selected.length === 0) throw new Error(`--only=${only}: expected one of ${names.join(", ")}`);
if (!only || only === "server") copyWasm();

const server = selected.includes(builds[1]);
if (server) cleanServerOutput("dist");
if (watch) {
  if (server) writeServerShim("dist");
  for (const b of selected) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(selected.map((b) => esbuild.build(b)));
  // Last: the shim's mtime is what test/integration/helpers/backend.ts compares against the sources.
  if (server) writeServerShim("dist");
}
