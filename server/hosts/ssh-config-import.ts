/**
 * Host candidates from the user's ~/.ssh/config, parsed by the `ssh-config` package and
 * resolved as OpenSSH does (first obtained value wins, `Host` wildcards and `!` negation).
 * `ssh-config` does not follow `Include`, so includes are spliced in first: relative paths
 * are relative to ~/.ssh, globs expanded in order, and the enclosing `Host` line is repeated
 * after an include inside a Host block so the lines after it keep their scope (OpenSSH keeps
 * that scope too). `Match exec` is never run and CanonicalizeHostName (a DNS lookup) is
 * dropped: importing must not execute anything. Nothing is added here: the user picks.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
// ssh-config 5.3.0 ships only its CommonJS build (dist/); the ESM entry its "exports" name
// for types and `import` is missing from the package, so TypeScript gets the dist types here.
import type SSHConfigClass from "../../node_modules/ssh-config/dist/ssh-config.js";

// A plain require() so esbuild bundles it (it picks the package's "require" condition).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SSHConfig = (require("ssh-config") as { default: typeof SSHConfigClass }).default;
import type { HostCandidate, HostAuth, SshConfigImportResult } from "../api/hosts";
import { HOST_ID_PATTERN, LOCAL_HOST, MAX_JUMP_HOPS } from "./registry";
import { lookupKnownHosts } from "./known-hosts";

const MAX_FILE_BYTES = 1024 * 1024;
const MAX_INCLUDE_DEPTH = 16;
const MAX_FILES = 256;

function globToRe(p: string): RegExp {
  return new RegExp(
    `^${p
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

/** Expands `~`, relative (to ~/.ssh) and glob paths of one Include argument, sorted like glob(3). */
function expandInclude(arg: string, home: string): string[] {
  let p = arg.replace(/^~(?=\/|$)/, home);
  if (!isAbsolute(p)) p = join(home, ".ssh", p);
  if (!/[*?]/.test(p)) return [p];
  // wildcards in the last component only (the common case: config.d/*)
  const dir = dirname(p);
  const re = globToRe(basename(p));
  try {
    return readdirSync(dir)
      .filter((n) => re.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

interface Spliced {
  text: string;
  files: string[];
  warnings: string[];
}

function splice(file: string, home: string, depth: number, acc: Spliced): string {
  if (depth > MAX_INCLUDE_DEPTH) {
    acc.warnings.push(`${file}: Include nested too deep, ignored`);
    return "";
  }
  if (acc.files.length >= MAX_FILES) return "";
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) {
      acc.warnings.push(`${file}: not a regular file below ${MAX_FILE_BYTES} bytes, ignored`);
      return "";
    }
    text = readFileSync(file, "utf8");
  } catch {
    if (depth > 0) acc.warnings.push(`${file}: cannot be read, ignored`);
    return "";
  }
  acc.files.push(file);
  const out: string[] = [];
  let scope: string | undefined; // the current Host/Match line
  for (const line of text.split(/\r?\n/)) {
    const [, word, value = ""] = /^\s*(\w+)(?:\s*=\s*|\s+)(.*)$/.exec(line) ?? [];
    const key = word?.toLowerCase();
    if (key === "host" || key === "match") scope = line.trim();
    if (key === "canonicalizehostname") continue;
    if (key === "include") {
      for (const arg of value.trim().split(/\s+/)) {
        for (const f of expandInclude(arg.replace(/^"|"$/g, ""), home)) out.push(splice(f, home, depth + 1, acc));
      }
      out.push(scope ?? "Host *");
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

function str(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function expandTokens(p: string, home: string, vars: { h: string; r: string; p: number }): string {
  return p
    .replace(/^~(?=\/|$)/, home)
    .replace(
      /%(.)/g,
      (all, c: string) =>
        ({ d: home, u: userInfo().username, h: vars.h, r: vars.r, p: String(vars.p), "%": "%" })[c] ?? all,
    );
}

const toId = (alias: string) =>
  alias
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 48) || "host";

export interface ImportOptions {
  configPath?: string;
  home?: string;
  knownHostsFiles?: readonly string[];
  /** Only these aliases (and the jump hosts they need). */
  aliases?: readonly string[];
  agentAvailable?: boolean;
}

export function importSshConfig(o: ImportOptions = {}): SshConfigImportResult {
  const home = o.home ?? homedir();
  const acc: Spliced = { text: "", files: [], warnings: [] };
  const text = splice(o.configPath ?? join(home, ".ssh", "config"), home, 0, acc);
  const config = SSHConfig.parse(text);
  const compute = (name: string) =>
    config.compute(name, { matchExec: false, ignoreCase: true }) as Record<string, string | string[] | undefined>;

  // concrete aliases, in file order
  const aliases: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== "host") continue;
    const vals = Array.isArray(line.value) ? line.value.map((v) => v.val) : line.value.split(/\s+/);
    for (const v of vals) if (v && !/[*?!]/.test(v) && !aliases.includes(v)) aliases.push(v);
  }

  const candidates = new Map<string, HostCandidate>();
  const ids = new Set<string>([LOCAL_HOST]);
  const uniqueId = (alias: string) => {
    let id = toId(alias);
    for (let n = 2; ids.has(id); n++) id = `${toId(alias).slice(0, 44)}-${n}`;
    ids.add(id);
    return id;
  };

  const candidateFor = (
    alias: string,
    explicit?: { user?: string; port?: number },
    depth = 0,
  ): HostCandidate | undefined => {
    const key = `${alias}|${explicit?.user ?? ""}|${explicit?.port ?? ""}`;
    const have = candidates.get(key);
    if (have) return have;
    const c = compute(alias);
    const host = str(c.hostname) ?? alias;
    const port = explicit?.port ?? Number(str(c.port) ?? 22);
    const user = explicit?.user ?? str(c.user) ?? userInfo().username;
    const vars = { h: host, r: user, p: port };
    const identity =
      c.identityfile === undefined ? [] : Array.isArray(c.identityfile) ? c.identityfile : [c.identityfile];
    const [firstIdentity] = identity;
    const auth: HostAuth =
      firstIdentity !== undefined
        ? { kind: "key", privateKeyPath: expandTokens(firstIdentity, home, vars) }
        : o.agentAvailable === false
          ? { kind: "key", privateKeyPath: join(home, ".ssh", "id_ed25519") }
          : { kind: "agent" };
    if (!HOST_ID_PATTERN.test(toId(alias))) {
      acc.warnings.push(`Host ${alias}: no usable id`);
      return undefined;
    }
    const cand: HostCandidate = { id: uniqueId(alias), alias, host, port, user, auth };
    candidates.set(key, cand);
    const kh = lookupKnownHosts(o.knownHostsFiles ?? [join(home, ".ssh", "known_hosts")], host, port).find(
      (e) => e.marker === undefined,
    );
    if (kh) cand.knownHostsFingerprint = kh.fingerprint;
    const pj = str(c.proxyjump);
    if (pj && pj.toLowerCase() !== "none") {
      if (depth >= MAX_JUMP_HOPS) {
        acc.warnings.push(`Host ${alias}: ProxyJump chain too long, ignored`);
        return cand;
      }
      const jump: string[] = [];
      for (const hopSpec of pj.split(",")) {
        const [, hopUser, hopHost, hopPort] =
          /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hopSpec.trim()) ?? [];
        if (hopHost === undefined) {
          acc.warnings.push(`Host ${alias}: ProxyJump entry ${JSON.stringify(hopSpec)} not understood`);
          continue;
        }
        const hop = candidateFor(
          hopHost.replace(/^\[|\]$/g, ""),
          { ...(hopUser ? { user: hopUser } : {}), ...(hopPort ? { port: Number(hopPort) } : {}) },
          depth + 1,
        );
        if (!hop) continue;
        // the registry wants a flat list: a hop's own jumps come first
        for (const j of [...(hop.jump ?? []), hop.id]) if (!jump.includes(j)) jump.push(j);
      }
      if (jump.length > 0) cand.jump = jump.slice(0, MAX_JUMP_HOPS);
    }
    return cand;
  };

  const wanted = o.aliases ? aliases.filter((a) => o.aliases!.includes(a)) : aliases;
  for (const a of wanted) candidateFor(a);
  for (const a of o.aliases ?? []) if (!aliases.includes(a)) acc.warnings.push(`Host ${a}: not in the config`);
  return { candidates: [...candidates.values()], files: acc.files, warnings: acc.warnings };
}
