/**
 * Just enough tar for Docker's archive API: one file in (PUT /archive), the first entry
 * out (GET /archive). Long names use a PAX header, as Docker itself writes them.
 */
const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, type: string, mode: number, mtimeSec: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name.slice(0, 100), 0, "utf8");
  h.write(octal(mode, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid root: Docker maps ownership to the container's root
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(mtimeSec, 12), 136, "ascii");
  h.write("        ", 148, "ascii"); // checksum field counts as spaces
  h.write(type, 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148, "ascii");
  return h;
}

function pad(len: number): Buffer {
  const rest = len % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

function paxRecord(key: string, value: string): string {
  // "<len> key=value\n" where len counts itself
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** A tar archive holding one regular file `name` (a base name: it lands in the target folder). */
export function tarOneFile(name: string, content: Buffer, mode = 0o644, mtimeMs = Date.now()): Buffer {
  const parts: Buffer[] = [];
  const mtime = Math.floor(mtimeMs / 1000);
  if (Buffer.byteLength(name) > 100) {
    const pax = Buffer.from(paxRecord("path", name), "utf8");
    parts.push(header("PaxHeader", pax.length, "x", 0o644, mtime), pax, pad(pax.length));
  }
  parts.push(header(name, content.length, "0", mode, mtime), content, pad(content.length));
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

export interface TarEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
  content: Buffer;
}

function readString(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? s.length : nul).toString("utf8");
}

function readOctal(b: Buffer, start: number, len: number): number {
  const s = readString(b, start, len).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

/** The first real entry of a tar archive (PAX and GNU long-name headers applied). */
export function firstTarEntry(archive: Buffer): TarEntry | undefined {
  let off = 0;
  let longName: string | undefined;
  while (off + BLOCK <= archive.length) {
    const h = archive.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) return undefined;
    const size = readOctal(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 0);
    const dataStart = off + BLOCK;
    const data = archive.subarray(dataStart, dataStart + size);
    off = dataStart + size + ((BLOCK - (size % BLOCK)) % BLOCK);
    if (type === "x" || type === "g") {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"));
      if (m && type === "x") longName = m[1];
      continue;
    }
    if (type === "L") {
      longName = readString(data, 0, data.length);
      continue;
    }
    const prefix = readString(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100));
    const kind = type === "0" || type === "\0" || type === "7" ? "file" : type === "5" ? "directory" : type === "2" ? "symlink" : "other";
    return { name, type: kind, size, content: Buffer.from(data) };
  }
  return undefined;
}
