// The backend bundle's build options, shared by esbuild.config.mjs and bench/gateway.ts.
//
// Why ES modules split into chunks: as one CommonJS file (3.35 MB minified) the backend spent
// most of its spawn → ready time having V8 read and compile code it does not run at startup
// (dockerode, ssh2, undici, the gateway, tasks…). Split at its dynamic `import()`s, startup
// compiles only the entry and the chunks it imports statically; each domain's chunk loads on
// first use. `dist/server.js` stays the one command (`node dist/server.js`): a CommonJS shim
// that imports `dist/server/main.mjs`.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Bundled CommonJS packages call `require("fs")` etc.; ESM output has no `require` of its own.
 * `__filename` is the entry's path for the CPU worker (server/main.ts starts it from this file);
 * some packages (dockerode) build paths from `__dirname`.
 */
const ESM_BANNER = [
  'import { createRequire as __aicockpitCreateRequire } from "node:module";',
  'import { fileURLToPath as __aicockpitFileURLToPath } from "node:url";',
  'import { dirname as __aicockpitDirname } from "node:path";',
  "const require = __aicockpitCreateRequire(import.meta.url);",
  "const __filename = __aicockpitFileURLToPath(import.meta.url);",
  "const __dirname = __aicockpitDirname(__filename);",
].join("\n");

/**
 * Parts of dependencies the backend never reaches, left out so they are not compiled at startup:
 * - zod's error messages in 40 languages (262 KB): only English is configured (zod loads `en` itself);
 * - iconv-lite's double-byte code page tables (370 KB; CJK encodings): express.json() accepts only
 *   UTF-8/16/32 bodies, which need no table. Reaching a left-out table throws; it never decodes wrongly.
 */
const dropUnused = {
  name: "drop-unused",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir)
        ? { path: args.path, namespace: "drop-unused", pluginData: { resolveDir: args.resolveDir } }
        : undefined,
    );
    build.onResolve({ filter: /^\.\/tables\/.*\.json$/ }, (args) =>
      /[\\/]iconv-lite[\\/]encodings$/.test(args.resolveDir)
        ? { path: args.path, namespace: "drop-unused" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "drop-unused" }, (args) =>
      args.pluginData
        ? {
            contents: 'export { default as en } from "../locales/en.js";',
            loader: "js",
            resolveDir: args.pluginData.resolveDir,
          }
        : {
            contents: `throw new Error("iconv-lite: ${args.path} is not bundled with the AiCockpit backend");`,
            loader: "js",
          },
    );
  },
};

/** @returns {import('esbuild').BuildOptions} */
export function serverBuildOptions({ production, outdir, define }) {
  return {
    bundle: true,
    sourcemap: production ? false : "linked",
    minify: production,
    logLevel: "info",
    legalComments: "none",
    entryPoints: { main: "server/main.ts" },
    outdir: join(outdir, "server"),
    outExtension: { ".js": ".mjs" },
    chunkNames: "[name]-[hash]",
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    banner: { js: ESM_BANNER },
    // Native addons cannot be bundled; ssh2 falls back to pure JS when these are absent.
    // node-llama-cpp (ESM + a native binary per platform) is imported at run time from
    // node_modules (server/local-model/native.ts); the .vsix carries it (scripts/package-vsix.mjs).
    external: ["cpu-features", "./crypto/build/Release/sshcrypto.node", "node-llama-cpp"],
    plugins: [dropUnused],
    define,
  };
}

/** Before a build: chunk names carry a hash, so old ones would pile up (and ship in the .vsix). */
export function cleanServerOutput(outdir) {
  rmSync(join(outdir, "server"), { recursive: true, force: true });
  rmSync(join(outdir, "server.js.map"), { force: true }); // from the single-file bundle before the split
}

/** `node dist/server.js` — the command the extension, the tests and other editors run. */
export function writeServerShim(outdir) {
  writeFileSync(
    join(outdir, "server.js"),
    [
      "// The AiCockpit backend: ES module chunks in ./server/ (see scripts/server-bundle.mjs).",
      '"use strict";',
      'import("./server/main.mjs").catch((err) => {',
      "  process.stderr.write(`aicockpit backend: ${err && err.stack ? err.stack : err}\\n`);",
      "  process.exit(1);",
      "});",
      "",
    ].join("\n"),
  );
}
