/**
 * Opening one SSH connection through zero or more jump hosts (ProxyJump): connect to the
 * first hop, `forwardOut` to the next, hand that stream to the next client as its socket.
 * Every hop is a full SSH session of its own: its key is judged (host-keys.ts) and it logs
 * in with its own credentials. Failures become AppErrors naming the hop.
 */
import { Client, type ClientChannel, type ConnectConfig } from "ssh2";
import type { CredentialsByHost, HostView } from "../api/hosts";
import { AppError } from "../errors";
import { authConfig } from "./auth";
import { HostKeyError, judgeHostKey, type HostKeyVerdict } from "./host-keys";

export interface ChainOptions {
  knownHostsFiles: readonly string[];
  agentSocket: string | undefined;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  credentials?: CredentialsByHost;
  /** Called with each hop's verdict (test connection reports it). */
  onVerdict?: (hop: HostView, v: HostKeyVerdict) => void;
  /** Stop after the key check of the last hop, without logging in there (a probe). */
  probeOnly?: boolean;
}

export interface Chain {
  /** The target's client. */
  client: Client;
  /** Every client, first hop first (the target last). */
  clients: Client[];
}

const where = (h: HostView) => `${h.user}@${h.host}:${h.port}${h.id !== h.host ? ` (${h.id})` : ""}`;

function forward(via: Client, to: HostView): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    via.forwardOut("127.0.0.1", 0, to.host, to.port, (err, stream) => {
      if (err)
        reject(
          new AppError(
            "HOST_UNREACHABLE",
            `The jump host could not reach ${to.host}:${to.port} (${err.message}).`,
            "Check the target's address as the jump host sees it, and that the jump host allows TCP forwarding.",
          ),
        );
      else resolve(stream);
    });
  });
}

/** Connects one hop; with probeOnly the handshake is aborted after the key check (no login). */
export function connectHop(
  hop: HostView,
  sock: ClientChannel | undefined,
  o: ChainOptions,
  probeOnly: boolean,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    let verdict: HostKeyVerdict | undefined;
    let auth: Partial<ConnectConfig> = {};
    if (!probeOnly) {
      try {
        auth = authConfig(hop, o.credentials?.[hop.id], o.agentSocket);
      } catch (err) {
        reject(err);
        return;
      }
    }
    const c = new Client();
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      c.end();
      reject(e);
    };
    c.once("ready", () => {
      settled = true;
      resolve(c);
    });
    c.on("error", (err: Error & { level?: string; code?: string }) => {
      if (verdict && verdict.status !== "trusted") return fail(new HostKeyError(hop.id, verdict, where(hop)));
      if (probeOnly && verdict) return fail(new ProbeDone());
      if (err.level === "client-authentication") {
        return fail(
          new AppError(
            "HOST_AUTH_FAILED",
            `SSH login to ${where(hop)} was refused (${hop.auth.kind} auth).`,
            hop.auth.kind === "key"
              ? "Check the user name and that this key is in the host's authorized_keys."
              : hop.auth.kind === "agent"
                ? "Check that ssh-agent holds a key the host accepts (ssh-add -l)."
                : "Check the user name and password.",
          ),
        );
      }
      fail(
        new AppError(
          "HOST_UNREACHABLE",
          `Cannot reach ${where(hop)} over SSH (${err.code ?? err.message}).`,
          "Check the host name, port and network (and the jump hosts, if any).",
        ),
      );
    });
    c.on("close", () =>
      fail(
        verdict && verdict.status !== "trusted"
          ? new HostKeyError(hop.id, verdict, where(hop))
          : new AppError("HOST_UNREACHABLE", `The SSH connection to ${where(hop)} closed during the handshake.`),
      ),
    );
    c.connect({
      host: hop.host,
      port: hop.port,
      username: hop.user,
      ...(sock ? { sock } : {}),
      readyTimeout: o.readyTimeoutMs,
      keepaliveInterval: o.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      ...auth,
      hostVerifier: (key: Buffer) => {
        verdict = judgeHostKey(hop, key, o.knownHostsFiles);
        o.onVerdict?.(hop, verdict);
        return verdict.status === "trusted" && !probeOnly;
      },
    });
  });
}

/** Thrown internally when a probe has seen the key it wanted. */
export class ProbeDone extends Error {}

/** Which hop a connectChain error came from. */
export const failedHop = new WeakMap<object, string>();

export async function connectChain(chain: readonly HostView[], o: ChainOptions): Promise<Chain> {
  const clients: Client[] = [];
  try {
    let sock: ClientChannel | undefined;
    for (const [i, hop] of chain.entries()) {
      const next = chain[i + 1];
      const last = next === undefined;
      const c = await connectHop(hop, sock, o, last && o.probeOnly === true).catch((e: unknown) => {
        if (typeof e === "object" && e !== null) failedHop.set(e, hop.id);
        throw e;
      });
      clients.push(c);
      if (next !== undefined) sock = await forward(c, next);
    }
    const client = clients.at(-1);
    if (client === undefined) throw new Error("connectChain needs at least one host");
    return { client, clients };
  } catch (err) {
    for (const c of clients.reverse()) c.end();
    throw err;
  }
}
