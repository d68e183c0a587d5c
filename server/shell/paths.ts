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

const SYSTEM_TOP = new Set(["etc", "boot", "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "var", "sys", "proc", "dev", "root", "System", "Library", "private", "snap", "opt", "srv", "efi", "Applications", "Windows"]);
const HOMES_TOP = new Set(["home", "Users"]);
/** Under these, writes are ordinary user work even though the parent is a system directory. */
const USER_AREAS = [/^\/usr\/local(\/|$)/, /^\/var\/tmp(\/|$)/, /^\/opt\/homebrew(\/|$)/, /^\/private\/tmp(\/|$)/, /^\/var\/folders(\/|$)/];
const DEVICE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper\/|sr|fd\d|mem$|kmem$|port$|root$)/;
const HARMLESS_DEV = /^\/dev\/(null|zero|full|stdout|stderr|stdin|tty|random|urandom|fd\/|pts\/|ptmx)/;
const SEVERITY: PathClass[] = ["specific", "harmless-dev", "unknown", "network", "var-root", "cwd", "home", "top", "system", "device", "root"];

/** `a{b,c}d` → [abd, acd]; nested or sequence braces are left as they are. */
export function expandBraces(s: string, budget = 64): string[] {
  const m = /^(.*?)\{([^{}]*,[^{}]*)\}(.*)$/s.exec(s);
  if (!m || budget <= 1) return [s];
  // Bounded: `{a,b}{a,b}…` would otherwise grow exponentially on hostile input.
  const alts = m[2]!.split(",");
  const per = Math.max(1, Math.floor(budget / alts.length));
  return alts.flatMap((alt) => expandBraces(`${m[1]}${alt}${m[3]}`, per)).slice(0, budget);
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
  let p = raw;
  if (p === "") return "specific";
  if (p.startsWith(NONEMPTY)) return "unknown";
  if (p.startsWith(UNKNOWN)) {
    const rest = p.slice(UNKNOWN.length);
    if (rest === "") return "unknown";
    if (/^\/+(\*|\.\*|\{\*,\.\*\}|\.)?\/*$/.test(rest)) return "var-root";
    return rest.startsWith("/") && !rest.includes(UNKNOWN) ? classifyOne(`/x${rest}`) === "system" ? "system" : "unknown" : "unknown";
  }
  if (p.startsWith("~")) {
    const slash = p.indexOf("/");
    const user = slash < 0 ? p.slice(1) : p.slice(1, slash);
    const rest = slash < 0 ? "" : p.slice(slash);
    const segs = normalizeAbsolute(rest);
    if (segs.length === 0 || (segs.length === 1 && /^\*$|^\.\*$/.test(segs[0]!))) return "home";
    if (user !== "") return "specific";
    return "specific";
  }
  if (p.startsWith("/")) {
    if (/^\/dev\/(tcp|udp)\//.test(p)) return "network";
    if (HARMLESS_DEV.test(p)) return "harmless-dev";
    if (DEVICE.test(p)) return "device";
    const segs = normalizeAbsolute(p);
    const whole = segs.length > 0 && /^(\*|\.\*|\*\.\*)$/.test(segs[segs.length - 1]!);
    const dirSegs = whole ? segs.slice(0, -1) : segs;
    if (dirSegs.length === 0) return "root";
    const norm = "/" + segs.join("/");
    if (USER_AREAS.some((r) => r.test(norm))) return "specific";
    const top = dirSegs[0]!;
    if (SYSTEM_TOP.has(top)) return "system";
    if (HOMES_TOP.has(top)) return dirSegs.length <= 2 ? "home" : "specific";
    if (dirSegs.length === 1 && top !== "tmp") return "top";
    return "specific";
  }
  p = p.replace(/^(\.\/)+/, "./");
  if (/^(\.|\.\/|\.\.|\.\.\/|\*|\.\/\*|\.\*|\.\.\/\*|\.\/\.\*|\*\.\*|\.\/\.|\.\.\/\.\.)$/.test(p)) return "cwd";
  if (/^(\.\.\/)+\.?\.?\*?$/.test(p)) return "cwd";
  return "specific";
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
    case "cwd":
      if (/^(\.|\*|\.\/|\.\/\*|\.\*)$/.test(shown)) return "everything in the current directory";
      if (/^\.\.\/?\*?$/.test(shown)) return "everything in the parent directory";
      return `everything in ${shown}`;
    case "var-root":
      return `${shown}, which is / if the variable is empty`;
    case "device":
      return `the disk device ${shown}`;
    default:
      return shown;
  }
}
