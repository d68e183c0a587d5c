/**
 * Outbound network for AI services: which undici dispatcher carries a request.
 *
 * Corporate users need an HTTPS proxy and an extra CA bundle (a TLS-inspecting proxy
 * re-signs certificates). Requests go through undici dispatchers of our own rather than
 * the global fetch, so the proxy/CA choice is explicit and testable, and keep-alive
 * connections are pooled per target across requests.
 *
 * HTTPS_PROXY applies to every AI target (http ones too: a local vLLM behind a jump proxy
 * is a real setup) unless NO_PROXY matches. Users with a local LM Studio/Ollama and a
 * global HTTPS_PROXY should list `localhost,127.0.0.1` in NO_PROXY (unlike curl, which
 * sends plain-http targets direct when only HTTPS_PROXY is set).
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Dispatcher } from "undici";
import { ConfigError } from "../config/env";

export interface TransportConfig {
  httpsProxy?: string;
  noProxy?: string;
  caFile?: string;
}

export type Route = { via: "direct" } | { via: "proxy"; proxy: string };

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : "80";
}

/**
 * NO_PROXY as curl reads it: comma/space separated; `*` matches everything; an entry
 * matches the host itself and its subdomains (a leading dot is optional); `host:port`
 * restricts to that port. CIDR ranges are not supported.
 */
export function matchesNoProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = target.port || defaultPort(target.protocol);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let entryPort: string | undefined;
    const [, hostPart, portPart] = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry) ?? [];
    if (hostPart !== undefined && portPart !== undefined) {
      entry = hostPart;
      entryPort = portPart;
    }
    entry = entry.replace(/^\[|\]$/g, "").replace(/^\*?\./, "");
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

export function routeFor(target: string | URL, cfg: TransportConfig): Route {
  const url = typeof target === "string" ? new URL(target) : target;
  if (cfg.httpsProxy && !matchesNoProxy(url, cfg.noProxy)) return { via: "proxy", proxy: cfg.httpsProxy };
  return { via: "direct" };
}

/** Extra CAs are added to Node's roots, not substituted: public services must keep working. */
export function loadCa(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined;
  let pem: string;
  try {
    pem = readFileSync(caFile, "utf8");
  } catch (err) {
    throw new ConfigError([
      `AICOCKPIT_CA_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): ${caFile}`,
    ]);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new ConfigError([`AICOCKPIT_CA_FILE is not a PEM certificate bundle: ${caFile}`]);
  }
  return [...rootCertificates, pem];
}

export interface Transport {
  route(target: string): Route;
  /** The pooled dispatcher (direct or via the proxy) for this target. */
  dispatcher(target: string): Promise<Dispatcher>;
  close(): Promise<void>;
}

type Undici = typeof import("undici");

let undiciModule: Promise<Undici> | undefined;

/**
 * undici is the largest module in the backend bundle; loading it on first use (or in the
 * background right after the ready line, see `warm`) keeps it off the startup path.
 */
export function loadUndici(): Promise<Undici> {
  // undici is CommonJS: in the split ES module bundle (scripts/server-bundle.mjs) import() gives its
  // exports as `default` only, as Node does for a package it cannot analyse; from source they are named too.
  undiciModule ??= import("undici").then((m) => (m as { default?: Undici }).default ?? m);
  return undiciModule;
}

export function createTransport(cfg: TransportConfig): Transport & { warm(): Promise<void> } {
  const ca = loadCa(cfg.caFile);
  const tls = ca ? { ca } : undefined;
  // keep-alive pooling matters for latency: every request reuses a warm socket.
  const common = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connect: { ...tls, noDelay: true } };
  let direct: Dispatcher | undefined;
  let proxied: Dispatcher | undefined;

  const dispatcherFor = (u: Undici, target: string): Dispatcher => {
    const r = routeFor(target, cfg);
    if (r.via === "direct") return (direct ??= new u.Agent(common));
    return (proxied ??= new u.ProxyAgent({
      uri: r.proxy,
      keepAliveTimeout: common.keepAliveTimeout,
      keepAliveMaxTimeout: common.keepAliveMaxTimeout,
      ...(tls ? { requestTls: tls, proxyTls: tls } : {}),
    }));
  };

  return {
    route: (target) => routeFor(target, cfg),
    dispatcher: async (target) => dispatcherFor(await loadUndici(), target),
    async warm() {
      await loadUndici();
    },
    async close() {
      await Promise.all([direct?.close(), proxied?.close()]);
    },
  };
}
