/**
 * How much a path argument covers. A recursive delete of `node_modules` is a review; of
 * `/`, `~`, `.`, `/etc` or `$DIR/` (empty DIR → `/`) it can destroy the system or all of
 * the user's data, so those are told apart here.
 */
import { NONEMPTY, UNKNOWN, type Word } from "./parse";

export type PathClass =
  /** `/`, `/*`, `/usr/..` */
  | "root"
  /** A top-level directory such as /data or /mnt. */
  | "top"
  /** Under an operating-system directory (/etc, /usr, /boot, /var, …). */
  | "system"
  /** The home directory itself or everything in it, or another user's home. */
  | "home"
  /** `.`, `*`, `..`: everything in the current or parent directory. */
  | "cwd"
  /** Starts with an unknown value followed by `/` (`$DIR/`, `"$X"/*`): `/` if the value is empty. */
  | "var-root"
  /** Entirely unknown at assessment time. */
  | "unknown"
  /** A block device or raw memory. */
  | "device"
  /** /dev/null, /dev/stdout, /dev/tty, … */
  | "harmless-dev"
  /** /dev/tcp/…: a network connection. */
  | "network"
  /** Anything else: a particular file or directory. */
  | "specific";

const SYSTEM_TOP = new Set([
  "etc",
  "boot",
  "usr",
  "bin",
  "sbin",
  "lib",
  "lib32",
  "lib64",
  "libx32",
  "var",
  "sys",
  "proc",
  "dev",
  "root",
  "System",
  "Library",
  "private",
  "snap",
  "opt",
  "srv",
  "efi",
  "Applications",
  "Windows",
]);
const HOMES_TOP = new Set(["home", "Users"]);
/** Under these, writes are ordinary user work even though the parent is a system directory. */
const USER_AREAS = [
  /^\/usr\/local(\/|$)/,
  /^\/var\/tmp(\/|$)/,
  /^\/opt\/homebrew(\/|$)/,
  /^\/private\/tmp(\/|$)/,
  /^\/var\/folders(\/|$)/,
];
const DEVICE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper\/|sr|fd\d|mem$|kmem$|port$|root$)/;
const HARMLESS_DEV = /^\/dev\/(null|zero|full|stdout|stderr|stdin|tty|random|urandom|fd\/|pts\/|ptmx)/;
const SEVERITY: PathClass[] = [
  "specific",
  "harmless-dev",
  "unknown",
  "network",
  "var-root",
  "cwd",
  "home",
  "top",
  "system",
  "device",
  "root",
];

/** `a{b,c}d` → [abd, acd]; nested or sequence braces are left as they are. */
export function expandBraces(s: string, budget = 64): string[] {
  const m = /^(.*?)\{([^{}]*,[^{}]*)\}(.*)$/s.exec(s);
  if (!m || budget <= 1) return [s];
  // Bounded: `{a,b}{a,b}…` would otherwise grow exponentially on hostile input.
  const [, head = "", list = "", tail = ""] = m; // all three groups always take part in a match
  const alts = list.split(",");
  const per = Math.max(1, Math.floor(budget / alts.length));
  return alts.flatMap((alt) => expandBraces(`${head}${alt}${tail}`, per)).slice(0, budget);
}

function normalizeAbsolute(p: string): string[] {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return out;
}

function classifyOne(raw: string): PathClass {
  const p = raw;
  if (p === "") return "specific";
  if (p.startsWith(NONEMPTY)) return "unknown";
  if (p.startsWith(UNKNOWN)) {
    const rest = p.slice(UNKNOWN.length);
    if (rest === "") return "unknown";
    if (/^\/+(\*|\.\*|\{\*,\.\*\}|\.)?\/*$/.test(rest)) return "var-root";
    return rest.startsWith("/") && !rest.includes(UNKNOWN)
      ? classifyOne(`/x${rest}`) === "system"
        ? "system"
        : "unknown"
      : "unknown";
  }
  if (p.startsWith("~")) {
    const slash = p.indexOf("/");
    const user = slash < 0 ? p.slice(1) : p.slice(1, slash);
    const rest = slash < 0 ? "" : p.slice(slash);
    const segs = normalizeAbsolute(rest);
    const [first] = segs;
    if (first === undefined || (segs.length === 1 && /^\*$|^\.\*$/.test(first))) return "home";
    if (user !== "") return "specific";
    return "specific";
  }
  if (p.startsWith("/")) {
    if (/^\/dev\/(tcp|udp)\//.test(p)) return "network";
    if (HARMLESS_DEV.test(p)) return "harmless-dev";
    if (DEVICE.test(p)) return "device";
    const segs = normalizeAbsolute(p);
    const last = segs.at(-1);
    const whole = last !== undefined && /^(\*|\.\*|\*\.\*)$/.test(last);
    const dirSegs = whole ? segs.slice(0, -1) : segs;
    const top = dirSegs[0];
    if (top === undefined) return "root";
    const norm = "/" + segs.join("/");
    if (USER_AREAS.some((r) => r.test(norm))) return "specific";
    if (SYSTEM_TOP.has(top)) return "system";
    if (HOMES_TOP.has(top)) return dirSegs.length <= 2 ? "home" : "specific";
    if (dirSegs.length === 1 && top !== "tmp") return "top";
    return "specific";
  }
  // Relative: `.`, `*`, `..`, `./..`, `src/../..`, `../*` all mean the current directory or a parent of it.
  const segs = normalizeRelative(p);
  const last = segs.at(-1);
  if (last !== undefined && /^(\*|\.\*|\*\.\*)$/.test(last)) segs.pop();
  if (segs.every((s) => s === "..")) return "cwd";
  return "specific";
}

/** `a/./b/../c` → [a, c]; leading `..` are kept. */
function normalizeRelative(p: string): string[] {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(seg);
  }
  return out;
}

/** The broadest class any expansion of the word reaches. */
export function classifyPath(w: Word): PathClass {
  let worst: PathClass = "specific";
  for (const alt of expandBraces(w.pattern)) {
    const c = classifyOne(alt);
    if (SEVERITY.indexOf(c) > SEVERITY.indexOf(worst)) worst = c;
  }
  return worst;
}

/** Classes where a recursive delete, move or permission change destroys the system or all of the user's data. */
export const BROAD: ReadonlySet<PathClass> = new Set(["root", "top", "system", "home", "cwd", "var-root", "device"]);

export function describeClass(c: PathClass, shown: string): string {
  switch (c) {
    case "root":
      return "the whole filesystem (/)";
    case "top":
      return `the top-level directory ${shown}`;
    case "system":
      return `the system path ${shown}`;
    case "home":
      return `the home directory (${shown})`;
    case "cwd": {
      if (/^(\.|\*|\.\/|\.\/\*|\.\*)$/.test(shown)) return "everything in the current directory";
      if (/^\.\.\/?\*?$/.test(shown)) return "everything in the parent directory";
      const ups = normalizeRelative(shown).filter((s) => s === "..").length;
      if (ups > 0) return `everything in ${shown}, ${ups === 1 ? "the parent" : "a parent"} of the current directory`;
      return `everything in ${shown}, the current directory`;
    }
    case "var-root":
      return `${shown}, which is / if the variable is empty`;
    case "device":
      return `the disk device ${shown}`;
    default:
      return shown;
  }
}

// ---------------------------------------------------------------------------------------
// The workspace: the directory the command runs in (the terminal's or the task's cwd).

export interface Workspace {
  /** Absolute working directory, when the caller knows it. */
  cwd: string | null;
  /** Absolute home directory, when known (inferred from a cwd under /home/<user>, /Users/<user> or /root). */
  home: string | null;
}

export function workspaceOf(cwd?: string, home?: string): Workspace {
  const abs = (p: string | undefined) => (p && p.startsWith("/") ? "/" + normalizeAbsolute(p).join("/") : null);
  const c = abs(cwd);
  const h = abs(home) ?? (c ? (/^(\/home\/[^/]+|\/Users\/[^/]+|\/root)(\/|$)/.exec(c)?.[1] ?? null) : null);
  return { cwd: c, home: h };
}

/** The absolute path a fully known pattern names, or null (unknown parts, `~` without a known home, relative without a cwd). */
function absolute(p: string, ws: Workspace): string | null {
  if (p.includes(UNKNOWN) || p.includes(NONEMPTY)) return null;
  if (p === "~" || p.startsWith("~/")) return ws.home ? "/" + normalizeAbsolute(ws.home + p.slice(1)).join("/") : null;
  if (p.startsWith("~")) return null;
  if (p.startsWith("/")) return "/" + normalizeAbsolute(p).join("/");
  return ws.cwd ? "/" + normalizeAbsolute(`${ws.cwd}/${p}`).join("/") : null;
}

const within = (p: string, dir: string) => dir === "/" || p === dir || p.startsWith(`${dir}/`);

/** Whether every expansion of the path lies inside the workspace (relative paths that do not climb out count, even without a cwd). */
export function insideWorkspace(w: Word, ws: Workspace): boolean {
  return expandBraces(w.pattern).every((p) => {
    if (p === "" || p.includes(UNKNOWN) || p.includes(NONEMPTY)) return false;
    if (!p.startsWith("/") && !p.startsWith("~")) return normalizeRelative(p)[0] !== "..";
    const a = absolute(p, ws);
    return a !== null && ws.cwd !== null && within(a, ws.cwd);
  });
}

/** A path below a home directory (`~/projects`, `$HOME/src/*`, `/home/alice/x`), not the home itself. */
export function underHome(w: Word, ws: Workspace): boolean {
  return expandBraces(w.pattern).some((p) => {
    if (p.includes(UNKNOWN) || p.includes(NONEMPTY)) return false;
    if (p.startsWith("~")) return normalizeAbsolute(p.slice(p.indexOf("/") < 0 ? p.length : p.indexOf("/"))).length > 0;
    const a = absolute(p, ws);
    if (a === null) return false;
    if (ws.home && a !== ws.home && within(a, ws.home)) return true;
    return /^\/(home|Users)\/[^/]+\/[^/]+|^\/root\/[^/]+/.test(a);
  });
}

const SHELL_STARTUP =
  /^(\.bashrc|\.bash_profile|\.bash_login|\.bash_logout|\.profile|\.zshrc|\.zshenv|\.zprofile|\.zlogin|\.zlogout|\.kshrc|\.mkshrc|\.cshrc|\.tcshrc|\.login|\.xprofile|\.xinitrc|\.xsession|\.config\/fish\/config\.fish|\.config\/fish\/conf\.d\/.+|\.config\/autostart\/.+|\.pam_environment)$/;
const SSH_ACCESS = /^\.ssh\/(authorized_keys2?|rc)$/;

/**
 * Files whose content runs or grants access later: shell start-up files run in every new
 * shell, `~/.ssh/authorized_keys` lets the holder of a key log in.
 */
export function persistenceFile(w: Word, ws: Workspace): "startup" | "ssh" | null {
  for (const p of expandBraces(w.pattern)) {
    if (p.includes(UNKNOWN) || p.includes(NONEMPTY)) continue;
    let rel: string | null = /^~[^/]*\/(.*)$/.exec(p)?.[1] ?? null;
    if (rel === null) {
      const a = absolute(p, ws);
      const h = a === null ? undefined : /^(\/home\/[^/]+|\/Users\/[^/]+|\/root)\/(.*)$/.exec(a)?.[2];
      if (h !== undefined) rel = h;
      else if (a !== null && ws.home && within(a, ws.home)) rel = a.slice(ws.home.length + 1);
    }
    if (rel === null) continue;
    rel = normalizeRelative(rel).join("/");
    if (SHELL_STARTUP.test(rel)) return "startup";
    if (SSH_ACCESS.test(rel)) return "ssh";
  }
  return null;
}
