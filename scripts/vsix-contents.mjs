/**
 * Lists a .vsix (a zip) and checks what native code it carries: exactly the target's CPU (or
 * Metal) llama.cpp binary, and no CUDA or Vulkan payload. `node scripts/vsix-contents.mjs
 * <file.vsix> [target]` prints the check; package-vsix.mjs and test/unit/packaging run it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";

/** Entry names and sizes from the zip's central directory. */
export function zipEntries(path) {
  const buf = readFileSync(path);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${path} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${path}: bad central directory entry ${n}`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const local = buf.readUInt32LE(p + 42);
    entries.push({ name: buf.subarray(p + 46, p + 46 + nameLen).toString("utf8"), size, method, compressed, local });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Extracts the entries under `prefix` (e.g. "extension/") into `dest`: enough to run the packaged backend. */
export function extractVsix(path, dest, prefix = "extension/") {
  const buf = readFileSync(path);
  for (const e of zipEntries(path)) {
    if (!e.name.startsWith(prefix) || e.name.endsWith("/") || e.name.includes("..")) continue;
    const nameLen = buf.readUInt16LE(e.local + 26);
    const extraLen = buf.readUInt16LE(e.local + 28);
    const start = e.local + 30 + nameLen + extraLen;
    const raw = buf.subarray(start, start + e.compressed);
    const out = join(dest, e.name);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, e.method === 8 ? inflateRawSync(raw) : raw);
  }
}

const GPU_PAYLOAD = /(cuda|cublas|vulkan)/i;

/** Throws with the offending paths; returns what was found. */
export function checkVsix(path, target) {
  const entries = zipEntries(path);
  const names = entries.map((e) => e.name);
  const gpu = names.filter((n) => n.includes("node_modules/") && GPU_PAYLOAD.test(n));
  if (gpu.length > 0)
    throw new Error(
      `${path} carries CUDA/Vulkan payload (${gpu.length} files), e.g.:\n  ${gpu.slice(0, 10).join("\n  ")}`,
    );
  const binaries = [
    ...new Set(
      names.flatMap((n) => {
        const m = /node_modules\/@node-llama-cpp\/([^/]+)\/bins\/[^/]+\/llama-addon\.node$/.exec(n);
        return m ? [m[1]] : [];
      }),
    ),
  ];
  if (binaries.length !== 1)
    throw new Error(
      `${path} should carry exactly one llama.cpp binary package, found: ${binaries.join(", ") || "none"}`,
    );
  if (
    target &&
    !binaries[0].startsWith(target.replace("darwin", "mac").replace("win32", "win").replace("armhf", "armv7l"))
  )
    throw new Error(`${path} is for ${target} but carries the ${binaries[0]} binary`);
  for (const must of [
    "extension/dist/server.js",
    "extension/dist/local-model-worker.js",
    "extension/dist/node_modules/node-llama-cpp/package.json",
  ])
    if (!names.includes(must)) throw new Error(`${path} lacks ${must}`);
  return { entries: entries.length, binaries };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const [file, target] = process.argv.slice(2);
  const r = checkVsix(file, target);
  console.log(`${file}: ${r.entries} files; llama.cpp binary: ${r.binaries.join(", ")}; no CUDA/Vulkan payload`);
}
