// Three bundles: the extension (runs in VS Code's extension host), the backend engine
// (spawned as `node dist/server.js`), and the chat webview (runs in the browser).
import { readFileSync } from "node:fs";
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

const names = ["extension", "server", "webview", "tasks"];
const selected = only ? builds.filter((_, i) => names[i] === only) : builds;
if (selected.length === 0) throw new Error(`--only=${only}: expected one of ${names.join(", ")}`);

if (selected.includes(builds[1])) {
  cleanServerOutput("dist");
  writeServerShim("dist");
}
if (watch) {
  for (const b of selected) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(selected.map((b) => esbuild.build(b)));
}
