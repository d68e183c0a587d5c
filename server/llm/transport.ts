/**
 * Outbound network for AI services: which undici dispatcher carries a request.
 *
 * Corporate users need an HTTPS proxy and an extra CA bundle (a TLS-inspecting proxy
 * re-signs certificates). We use undici's own `fetch` with an explicit dispatcher rather
 * than the global one so the proxy/CA choice is ours and testable, and so keep-alive
 * connections are pooled per target across requests.
 *
 * HTTPS_PROXY applies to every AI target (http ones too: a local vLLM behind a jump proxy
 * is a real setup) unless NO_PROXY matches. Users with a local LM Studio/Ollama and a
 * global HTTPS_PROXY should list `localhost,127.0.0.1` in NO_PROXY, as with curl.
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
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1]!;
      entryPort = m[2]!;
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
    throw new ConfigError([`AICOCKPIT_CA_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): ${caFile}`]);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new ConfigError([`AICOCKPIT_CA_FILE is not a PEM certificate bundle: ${caFile}`]);
  }
  return [...rootCertificates, pem];
}

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface Transport {
  route(target: string): Route;
  /** The pooled dispatcher (direct or via the proxy) for this target. */
  dispatcher(target: string): Promise<Dispatcher>;
  /** A `fetch` bound to the right dispatcher for this target (what the openai client gets). */
  fetchFor(target: string): FetchFn;
  close(): Promise<void>;
}

type Undici = typeof import("undici");

function headerRecord(h: RequestInit["headers"]): Record<string, string> {
  if (!h) return {};
  if (h instanceof Headers || Array.isArray(h)) return Object.fromEntries(h as Iterable<[string, string]>);
  return h as Record<string, string>;
}

/**
 * A `fetch` for the openai SDK built on undici's `dispatcher.request` instead of WHATWG
 * fetch. On the gateway's hot path fetch's web streams, transferables and per-request
 * DOMExceptions cost more than the proxying itself. The Response is deliberately minimal
 * (ok, status, headers, url, body as a Node stream, text(), json()): it serves the SDK's
 * status handling and our `asResponse()` consumers, which read `body` as an async iterable.
 */
async function lightFetch(dispatcher: Dispatcher, input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== "string") throw new TypeError("lightFetch sends string bodies only");
  const res = await dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: (init.method ?? "GET").toUpperCase() as Dispatcher.HttpMethod,
    headers: headerRecord(init.headers),
    ...(typeof body === "string" ? { body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  const minimal = {
    ok: res.statusCode >= 200 && res.statusCode < 300,
    status: res.statusCode,
    statusText: "",
    url: url.href,
    headers,
    body: res.body,
    bodyUsed: false,
    text: () => res.body.text(),
    json: () => res.body.json(),
  };
  return minimal as unknown as Response;
}
let undiciModule: Promise<Undici> | undefined;

/**
 * undici is the largest module in the backend bundle; loading it on first use (or in the
 * background right after the ready line, see `warm`) keeps it off the startup path.
 */
function loadUndici(): Promise<Undici> {
  undiciModule ??= import("undici");
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
    fetchFor(target) {
      let dispatcher: Dispatcher | undefined;
      return (async (input: string | URL | Request, init?: RequestInit) => {
        if (!dispatcher) dispatcher = dispatcherFor(await loadUndici(), target);
        return lightFetch(dispatcher, input, init);
      }) as unknown as FetchFn;
    },
    async warm() {
      await loadUndici();
    },
    async close() {
      await Promise.all([direct?.close(), proxied?.close()]);
    },
  };
}
