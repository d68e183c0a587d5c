/**
 * Where code comes from. Running code fetched from the network or hidden behind a
 * decoder (`curl … | sh`, `eval "$(echo … | base64 -d)"`, `bash <(wget -O- …)`) is
 * `dangerous` whatever the code is, because what runs is not what the user reviewed.
 */
import type { Command, Script, Word } from "./parse";
import { allCommands } from "./parse";
import { programName, SHELLS } from "./wrappers";

export const FETCHERS = new Set([
  "curl",
  "wget",
  "fetch",
  "http",
  "https",
  "xh",
  "aria2c",
  "lynx",
  "links",
  "w3m",
  "nc",
  "ncat",
  "netcat",
  "socat",
  "telnet",
  "scp",
  "sftp",
  "rsync",
  "tftp",
  "ftp",
  "invoke-webrequest",
  "iwr",
  "invoke-restmethod",
  "irm",
  "certutil",
  "bitsadmin",
]);
export const INTERPRETERS = new Set([
  ...SHELLS,
  "python",
  "python2",
  "python3",
  "perl",
  "ruby",
  "node",
  "nodejs",
  "deno",
  "bun",
  "php",
  "lua",
  "rscript",
  "pwsh",
  "powershell",
  "osascript",
  "tclsh",
  "awk-script",
]);
/** Flags that make an interpreter take its code from the next argument. */
export const INLINE_CODE_FLAGS: Record<string, string[]> = {
  python: ["-c"],
  python2: ["-c"],
  python3: ["-c"],
  perl: ["-e", "-E"],
  ruby: ["-e"],
  node: ["-e", "--eval", "-p", "--print"],
  nodejs: ["-e", "--eval", "-p", "--print"],
  deno: ["eval"],
  bun: ["-e", "--eval"],
  php: ["-r"],
  lua: ["-e"],
  rscript: ["-e"],
  pwsh: ["-c", "-Command", "-command"],
  powershell: ["-c", "-Command", "-command"],
  osascript: ["-e"],
};

export function isInterpreter(prog: string): boolean {
  return INTERPRETERS.has(prog) || /^python\d(\.\d+)?$/.test(prog);
}

export function isDecoder(c: Command): boolean {
  const prog = programName(c.argv[0]);
  const flags = c.argv.slice(1).map((w) => w.text);
  if (["base64", "base32", "basenc"].includes(prog))
    return flags.some((f) => /^(-d|-D|--decode)$/.test(f) || /^-\w*d/.test(f));
  if (prog === "xxd") return flags.some((f) => f.startsWith("-r"));
  if (prog === "openssl") return flags.includes("-d") || flags.includes("base64");
  return ["uudecode", "gunzip", "zcat", "bunzip2", "xz", "unxz", "rev", "tr"].includes(prog);
}

/** The first command in the script (or nested in it) that downloads, if any. */
export function fetcherIn(script: Script): Command | null {
  for (const c of allCommands(script)) if (FETCHERS.has(programName(c.argv[0]))) return c;
  return null;
}

export function decoderIn(script: Script): Command | null {
  for (const c of allCommands(script)) if (isDecoder(c)) return c;
  return null;
}

/** What feeds a command's standard input through the pipeline: a download, a decoder, or neither. */
export function pipedSource(cmd: Command): { kind: "fetch" | "decode"; from: Command } | null {
  for (const u of cmd.upstream) if (FETCHERS.has(programName(u.argv[0]))) return { kind: "fetch", from: u };
  for (const u of cmd.upstream) if (isDecoder(u)) return { kind: "decode", from: u };
  for (const u of cmd.upstream) {
    for (const w of u.argv)
      for (const s of w.subs) {
        const f = fetcherIn(s);
        if (f) return { kind: "fetch", from: f };
      }
  }
  return null;
}

/** Whether a word's value comes from a download or a decoder (`"$(curl …)"`, `<(wget …)`). */
export function wordSource(w: Word): { kind: "fetch" | "decode"; from: Command } | null {
  for (const s of w.subs) {
    const f = fetcherIn(s);
    if (f) return { kind: "fetch", from: f };
  }
  for (const s of w.subs) {
    const d = decoderIn(s);
    if (d) return { kind: "decode", from: d };
  }
  return null;
}

/** Shell command strings inside inline Python/Perl/Ruby/Node/PHP code (`os.system("rm -rf /")`). */
export function shellStringsIn(code: string): string[] {
  const out: string[] = [];
  const call =
    /\b(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|system|exec|execSync|spawnSync|popen|shell_exec|passthru|%x)\s*\(\s*(?:\[\s*)?(['"`])((?:\\.|(?!\1).)*)\1/g;
  for (const [, , body = ""] of code.matchAll(call)) out.push(body.replace(/\\(.)/g, "$1"));
  // Perl/Ruby calls without parentheses (`system "rm -rf /"`, `exec 'sh'`) and Lua's os.execute.
  const bare = /(?:^|[;{\s])(?:system|exec|os\.execute)\s*\(?\s*(['"])((?:\\.|(?!\1).)*)\1/g;
  for (const [, , body = ""] of code.matchAll(bare)) out.push(body.replace(/\\(.)/g, "$1"));
  // Perl/Ruby backticks and qx{}.
  for (const m of code.matchAll(/`([^`]+)`|qx\{([^}]*)\}/g)) out.push(m[1] ?? m[2] ?? "");
  return out.filter((s) => s.trim() !== "");
}

/** Library calls in inline code that delete trees or format disks, with their literal path argument. */
export function destructiveCallsIn(code: string): { call: string; target: string | null }[] {
  const out: { call: string; target: string | null }[] = [];
  // Method names match after any receiver (`require("fs").rmSync(`, `FileUtils.rm_rf`).
  const re =
    /(?:\b|\.)(shutil\.rmtree|removedirs|rmtree|rm_rf|rm_r|remove_dir|remove_entry|rmSync|rmdirSync|rm|rimraf|remove_tree|unlink|unlinkSync|os\.remove|Remove-Item)\s*\(\s*(['"`])?([^'"`),]*)/g;
  for (const m of code.matchAll(re)) {
    const [whole, call = "", quote, arg = ""] = m; // groups 1 and 3 always take part in a match
    // `rmtree(os.path.expanduser("~"))`, `rmtree(Path.home())`, `rmtree(os.environ["HOME"])`: the home directory.
    const home = quote
      ? null
      : /^\s*\(\s*(?:os\.path\.expanduser\(\s*(['"])(~[^'"]*)\1\s*\)|(?:pathlib\.)?Path\.home\(\)|os\.environ\[\s*['"]HOME['"]\s*\]|os\.getenv\(\s*['"]HOME['"]\s*\))/.exec(
          code.slice(m.index + whole.length - arg.length - 1),
        );
    out.push({ call, target: quote ? arg : home ? (home[2] ?? "~") : null });
  }
  // Perl without parentheses: `unlink glob "~/*"`, `rmtree "/"`, `unlink <*>`.
  for (const [, call = "", , quoted, angled] of code.matchAll(
    /(?:^|[;{\s])(unlink|rmtree|remove_tree)\s+(?:glob\s*\(?\s*)?(?:(['"])([^'"]*)\2|<([^>]*)>)/g,
  )) {
    out.push({ call, target: quoted ?? angled ?? null });
  }
  return out;
}

export function inlineFetchesAndRuns(code: string): boolean {
  const fetches =
    /urllib|urlopen|requests\.get|http\.client|fetch\(|https?\.get|LWP::|Net::HTTP|open-uri|URI\.open|file_get_contents\(\s*['"]https?:|Invoke-WebRequest|iwr\b|DownloadString/.test(
      code,
    );
  const runs =
    /\bexec\s*\(|\beval\s*\(|\bsystem\s*\(|Invoke-Expression|\biex\b|subprocess|child_process|new Function/.test(code);
  return fetches && runs;
}

/** Inline code that connects a socket to a shell (`socket … dup2 … /bin/sh`, `pty.spawn`): a reverse shell. */
export function inlineReverseShell(code: string): boolean {
  const socket =
    /\bsocket\b|Socket\.new|TCPSocket|IO::Socket|fsockopen|net\.connect|new\s+net\.Socket|\/dev\/tcp\//.test(code);
  const shell =
    /["'`](\/bin\/)?(ba|z|da)?sh\b|pty\.spawn|cmd\.exe|\bexec\s+["']?\/bin\/|spawn\(\s*["'](\/bin\/)?(ba)?sh/.test(
      code,
    );
  return socket && shell;
}

export function inlineForkBomb(code: string): boolean {
  return /fork\s*(\(\s*\))?\s*while\s*\(?\s*(1|true|True)|while\s*\(?\s*(1|true|True)\s*\)?\s*:?\s*\{?\s*(os\.)?fork\s*\(/.test(
    code,
  );
}
