// Three bundles: the extension (runs in VS Code's extension host), the backend engine
// (spawned as `node dist/server.js`), and the chat webview (runs in the browser).
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

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
    external: ["vscode"],
  },
  {
    ...common,
    entryPoints: ["server/main.ts"],
    outfile: "dist/server.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    // Native addons cannot be bundled; ssh2 falls back to pure JS when these are absent.
    external: ["cpu-features", "./crypto/build/Release/sshcrypto.node"],
  },
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
];

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
