/**
 * A git remote over https that can drop the connection: git's own smart-HTTP server
 * (`git http-backend`, run as CGI per request) behind a TLS server with a throwaway
 * self-signed certificate (give the backend GIT_SSL_CAINFO = `caFile`). `cutNext` arms a
 * fault for the next transfer of a service: an upload-pack answer (clone, fetch) is cut after
 * `afterBytes` bytes of its body, a receive-pack request (push) after `afterBytes` bytes of
 * the pack sent — the socket destroyed, as when a network or a proxy drops mid-transfer.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface GitHttpRemote {
  /** https://127.0.0.1:<port> — append `/<path under projectRoot>`. */
  url: string;
  caFile: string;
  /**
   * Cuts the next `times` requests of `service`. A push needs more than one: curl quietly
   * retries a request whose reused connection died before any answer.
   */
  cutNext(service: "git-upload-pack" | "git-receive-pack", afterBytes: number, times?: number): void;
  /** Ends every armed cut: the network is back. */
  heal(): void;
  /** How many requests were cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startGitHttpRemote(projectRoot: string, certDir: string): Promise<GitHttpRemote> {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "key.pem",
      "-out",
      "cert.pem",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { cwd: certDir, stdio: "pipe" },
  );
  const armed = new Map<string, { afterBytes: number; times: number }>();
  const disarm = (service: string) => {
    const a = armed.get(service);
    if (a && --a.times <= 0) armed.delete(service);
    cuts++;
  };
  let cuts = 0;
  const server: Server = createServer({
    key: readFileSync(join(certDir, "key.pem")),
    cert: readFileSync(join(certDir, "cert.pem")),
  });
  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", "https://x");
    const service = /\/(git-upload-pack|git-receive-pack)$/.exec(url.pathname)?.[1];
    const cutAt = service && req.method === "POST" ? armed.get(service)?.afterBytes : undefined;
    if (service === "git-receive-pack" && cutAt !== undefined) {
      // The push's pack arrives; part-way through, the connection drops. Nothing reaches the repository.
      let got = 0;
      let cut = false;
      req.on("data", (c: Buffer) => {
        got += c.length;
        if (got >= cutAt && !cut) {
          cut = true;
          disarm(service);
          req.socket.destroy();
        }
      });
      return;
    }
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_USER: "tester",
        REMOTE_ADDR: "127.0.0.1",
        ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] } : {}),
        ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
      },
      stdio: ["pipe", "pipe", "ignore"],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let sent = 0;
    let headersDone = false;
    let cut = false;
    cgi.stdout.on("data", (c: Buffer) => {
      if (cut || res.destroyed) return;
      let body = c;
      if (!headersDone) {
        head = Buffer.concat([head, c]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        headersDone = true;
        let status = 200;
        for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
          const at = line.indexOf(":");
          const k = line.slice(0, at).trim();
          const v = line.slice(at + 1).trim();
          if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
          else res.setHeader(k, v);
        }
        res.writeHead(status);
        body = head.subarray(end + 4);
      }
      if (cutAt !== undefined && service && sent + body.length >= cutAt) {
        res.write(body.subarray(0, Math.max(0, cutAt - sent)));
        cut = true;
        disarm(service);
        cgi.kill("SIGKILL");
        res.socket?.destroy();
        return;
      }
      sent += body.length;
      res.write(body);
    });
    cgi.stdout.on("end", () => {
      if (!cut && !res.destroyed) res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile: join(certDir, "cert.pem"),
    cutNext: (service, afterBytes, times = 1) => armed.set(service, { afterBytes, times }),
    heal: () => armed.clear(),
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
