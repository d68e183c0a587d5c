#!/usr/bin/env node
/**
 * `npm run package [-- --target linux-x64]`: the .vsix for one platform.
 *
 * The bundles (dist/*.js) inline every dependency except node-llama-cpp, an ESM package with a
 * native binary per platform that the backend imports at run time (server/local-model/native.ts).
 * This stages node-llama-cpp, its runtime dependency closure and ONLY the CPU binary package of
 * the target (`@node-llama-cpp/linux-x64`, not -cuda / -cuda-ext / -vulkan: several hundred MB
 * that must not ship) into dist/node_modules, packages with `vsce --target`, prints the size and
 * checks the contents (scripts/vsix-contents.mjs fails on any CUDA/Vulkan payload).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { checkVsix } from "./vsix-contents.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/** vsce target → the node-llama-cpp binary package(s) it carries (CPU or the platform's own GPU API only). */
const BINARIES = {
  "linux-x64": ["@node-llama-cpp/linux-x64"],
  "linux-arm64": ["@node-llama-cpp/linux-arm64"],
  "linux-armhf": ["@node-llama-cpp/linux-armv7l"],
  "darwin-arm64": ["@node-llama-cpp/mac-arm64-metal"],
  "darwin-x64": ["@node-llama-cpp/mac-x64"],
  "win32-x64": ["@node-llama-cpp/win-x64"],
  "win32-arm64": ["@node-llama-cpp/win-arm64"],
};
const hostTarget = `${process.platform}-${process.arch === "arm" ? "armhf" : process.arch}`;
const target = arg("--target") ?? hostTarget;
if (!BINARIES[target]) throw new Error(`--target ${target}: expected one of ${Object.keys(BINARIES).join(", ")}`);
const out = arg("--out") ?? join(ROOT, "dist", "aicockpit.vsix");

/** Only what runs: llama.cpp's source bundle (for building from source) and type/map/doc files stay out. */
function keep(src) {
  const rel = "/" + relative(ROOT, src).split(sep).join("/");
  if (/\/node_modules\/[^/]+(\/[^/]+)?\/node_modules$/.test(rel)) return false; // copied on their own
  if (rel.endsWith("node-llama-cpp/llama/gitRelease.bundle")) return false;
  // Markers npm leaves for the binary packages of other platforms.
  if (/node-llama-cpp\/bins\/_[^/]+\.moved\.txt$/.test(rel)) return false;
  if (/node-llama-cpp\/llama\/(addon|cmake|toolchains|patches)(\/|$)/.test(rel)) return false;
  return !/\.(d\.ts|d\.mts|d\.cts|map|md|markdown)$/.test(rel) || /LICEN[CS]E/i.test(rel);
}

/** Node's lookup from a package folder: its own node_modules, then each parent's. */
function resolveFrom(fromDir, name) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const up = dirname(dir);
    if (up === dir || !up.startsWith(ROOT)) return undefined;
    dir = up;
  }
}

function stage() {
  const dest = join(ROOT, "dist", "node_modules");
  rmSync(dest, { recursive: true, force: true });
  const seen = new Set();
  const queue = [{ dir: join(ROOT, "node_modules", "node-llama-cpp"), binaries: true }];
  for (const b of BINARIES[target]) {
    const dir = resolveFrom(ROOT, b);
    if (!dir) throw new Error(`${b} is not installed (npm ci on a ${target} machine installs it)`);
    queue.push({ dir, binaries: false });
  }
  while (queue.length > 0) {
    const { dir } = queue.shift();
    if (seen.has(dir)) continue;
    seen.add(dir);
    const rel = relative(join(ROOT, "node_modules"), dir);
    cpSync(dir, join(dest, rel), { recursive: true, filter: keep, dereference: true });
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const found = resolveFrom(dir, dep);
      if (!found) throw new Error(`${pkg.name} needs ${dep}, which is not installed`);
      queue.push({ dir: found, binaries: false });
    }
  }
  return seen.size;
}

function du(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return execFileSync("du", ["-sb", path], { encoding: "utf8" }).split("\t")[0] * 1;
}

execFileSync(process.execPath, [join(ROOT, "esbuild.config.mjs"), "--production"], { cwd: ROOT, stdio: "inherit" });
const packages = stage();
console.log(
  `staged node-llama-cpp + ${packages - 1} packages for ${target}: ${(du(join(ROOT, "dist/node_modules")) / 1e6).toFixed(1)} MB`,
);
execFileSync(
  join(ROOT, "node_modules", ".bin", "vsce"),
  ["package", "--no-dependencies", "--target", target, "--out", out],
  { cwd: ROOT, stdio: "inherit" },
);
const report = checkVsix(out, target);
console.log(
  `${relative(ROOT, out)}: ${(statSync(out).size / 1e6).toFixed(1)} MB (${target}), ${report.entries} files; llama.cpp binary: ${report.binaries.join(", ")}`,
);
