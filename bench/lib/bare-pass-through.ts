/**
 * The floor for the /v1 gateway's overhead: the least a Node.js pass-through can do. It reads the
 * client's JSON body, checks that it parses, sends it to the AI service over a pooled keep-alive
 * undici connection (as the backend does) and writes the service's bytes back as they come. No
 * auth, limits, timeouts, validation or metrics: whatever the gateway costs beyond this is ours.
 * Run as its own process (like the backend): `node --import tsx bench/lib/bare-pass-through.ts <upstream>`;
 * prints `BARE_READY {"port": N}`.
 */
import { createServer } from "node:http";
import { Pool } from "undici";

const upstream = process.argv[2];
if (!upstream) throw new Error("usage: bare-pass-through.ts <upstream origin>");
const pool = new Pool(upstream, { connections: 4 });

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on("data", (c: Buffer) => parts.push(c));
  req.on("end", () => {
    const body = Buffer.concat(parts);
    JSON.parse(body.toString("utf8"));
    pool.dispatch(
      { path: req.url ?? "/", method: "POST", headers: { "content-type": "application/json" }, body },
      {
        onConnect: () => undefined,
        onError: (err) => res.destroy(err),
        onHeaders: (status) => {
          res.writeHead(status, { "content-type": "text/event-stream", "cache-control": "no-cache" });
          return true;
        },
        onData: (chunk) => res.write(chunk),
        onComplete: () => res.end(),
      },
    );
  });
});
process.on("SIGTERM", () => process.exit(0));
server.listen(0, "127.0.0.1", () => {
  const a = server.address();
  process.stdout.write(`BARE_READY ${JSON.stringify({ port: typeof a === "object" && a ? a.port : 0 })}\n`);
});
