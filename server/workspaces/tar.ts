/**
 * Tar for Docker's archive API, by `tar-stream`: one file in (PUT /archive), the first entry
 * out (GET /archive). Long names get a PAX header, as Docker itself writes them.
 */
import { extract, pack, type Header as TarHeaders } from "tar-stream";

/** A tar archive holding one regular file `name` (a base name: it lands in the target folder). */
export async function tarOneFile(name: string, content: Buffer, mode = 0o644, mtimeMs = Date.now()): Promise<Buffer> {
  const p = pack();
  // uid/gid 0: Docker maps ownership to the container's root.
  p.entry(
    {
      name,
      size: content.length,
      mode,
      mtime: new Date(Math.floor(mtimeMs / 1000) * 1000),
      uid: 0,
      gid: 0,
      type: "file",
    },
    content,
  );
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface TarEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
  content: Buffer;
}

function kindOf(type: TarHeaders["type"]): TarEntry["type"] {
  switch (type) {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "directory";
    case "symlink":
      return "symlink";
    default:
      return "other";
  }
}

/** The first real entry of a tar archive (PAX and GNU long-name headers applied). */
export async function firstTarEntry(archive: Buffer): Promise<TarEntry | undefined> {
  const x = extract();
  x.end(archive);
  for await (const entry of x) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const content = Buffer.concat(chunks);
    const h = entry.header;
    x.destroy();
    return { name: h.name, type: kindOf(h.type), size: h.size ?? content.length, content };
  }
  return undefined;
}
