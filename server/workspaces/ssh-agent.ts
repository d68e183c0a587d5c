/**
 * An http.Agent that reaches a remote Docker Engine through ONE shared SSH connection:
 * every HTTP connection is a new `docker system dial-stdio` channel on it. dockerode's own
 * ssh protocol does a full SSH handshake (key exchange + auth) per request, which made
 * each list/inspect cost a few hundred milliseconds; a channel costs one round trip.
 * Host key checking stays the caller's `hostVerifier` (pinned fingerprint).
 */
import { Agent, type ClientRequestArgs } from "node:http";
import type { Duplex } from "node:stream";
import { Client, type ConnectConfig } from "ssh2";

export class SshDialAgent extends Agent {
  private client: Promise<Client> | undefined;

  constructor(private readonly config: ConnectConfig) {
    // No keep-alive: an SSH channel is not a socket that can be parked; channels are cheap.
    super({ keepAlive: false });
  }

  private connection(): Promise<Client> {
    this.client ??= new Promise<Client>((resolve, reject) => {
      const c = new Client();
      const forget = () => {
        this.client = undefined;
      };
      c.once("ready", () => resolve(c));
      c.once("error", (err: Error) => {
        forget();
        reject(err);
      });
      c.once("close", forget);
      c.connect({ keepaliveInterval: 15_000, ...this.config });
    });
    return this.client;
  }

  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const done = callback ?? (() => undefined);
    this.connection().then(
      (c) =>
        c.exec("docker system dial-stdio", (err, channel) => {
          if (err) {
            // a broken connection: the next request reconnects
            this.client = undefined;
            c.end();
            done(err, undefined as unknown as Duplex);
            return;
          }
          done(null, channel);
        }),
      (err: Error) => done(err, undefined as unknown as Duplex),
    );
    return undefined;
  }

  /** Closes the shared connection (host removed or changed). */
  close(): void {
    void this.client?.then((c) => c.end()).catch(() => undefined);
    this.client = undefined;
    this.destroy();
  }
}
