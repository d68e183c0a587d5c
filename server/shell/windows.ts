/**
 * PowerShell and cmd.exe. Their syntax differs from POSIX shells where it matters for
 * risk (backslash is a path separator, not an escape; `iex`, script blocks, `/s` flags),
 * so they get their own small tokenizer and rule table. Programs that behave the same on
 * every OS (git, docker, npm, curl, …) are handed to the POSIX rules.
 *
 * Limits: no PowerShell variable tracking, splatting or here-strings; aliases are the
 * built-in ones only. Unknown commands are `review`, as everywhere.
 */
import type { Finding, Risk } from "./rules";
import { MAX_DEPTH } from "./parse";

export type WindowsShell = "powershell" | "cmd";

interface Segment {
  words: string[];
  /** Output redirection targets (`> file`, `2>> file`). */
  writes: string[];
  source: string;
}

/** Statements (split on `;`, newlines, `&&`, `||`, cmd's `&`), each a list of pipeline segments. */
function tokenize(src: string, shell: WindowsShell): { statements: Segment[][]; problems: string[] } {
  const statements: Segment[][] = [];
  const problems: string[] = [];
  let stmt: Segment[] = [];
  let seg: Segment = { words: [], writes: [], source: "" };
  let word = "";
  let inWord = false;
  let pendingRedirect = false;
  let segStart = 0;

  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect) {
      seg.writes.push(word);
      pendingRedirect = false;
    } else seg.words.push(word);
    word = "";
    inWord = false;
  };
  const endSeg = (at: number) => {
    endWord();
    seg.source = src.slice(segStart, at).trim();
    if (seg.words.length > 0 || seg.writes.length > 0) stmt.push(seg);
    seg = { words: [], writes: [], source: "" };
    segStart = at;
  };
  const endStmt = (at: number) => {
    endSeg(at);
    if (stmt.length > 0) statements.push(stmt);
    stmt = [];
  };

  for (let i = 0; i < src.length; i++) {
    const c = src.charAt(i);
    const pwsh = shell === "powershell";
    if (pwsh && c === "'") {
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === "'" && src[j + 1] === "'") j++;
        else if (src[j] === "'") break;
      }
      if (j >= src.length) problems.push("A single quote is never closed.");
      word += src.slice(i + 1, j).replace(/''/g, "'");
      inWord = true;
      i = j;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) if (pwsh && src[j] === "`") j++;
      if (j >= src.length) problems.push("A double quote is never closed.");
      word += src.slice(i + 1, j).replace(/`(.)/g, "$1");
      inWord = true;
      i = j;
      continue;
    }
    if (pwsh && c === "`") {
      word += src[i + 1] ?? "";
      inWord = true;
      i++;
      continue;
    }
    if (!pwsh && c === "^") {
      word += src[i + 1] ?? "";
      inWord = true;
      i++;
      continue;
    }
    if (pwsh && c === "#" && !inWord) {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl - 1;
      continue;
    }
    // Sub-expressions, groups and script blocks are statements of their own, so the
    // code inside them is judged too; `iex (iwr …)` is caught per statement below.
    if (pwsh && (c === "(" || c === ")" || c === "{" || c === "}")) {
      endSeg(i);
      segStart = i + 1;
      if (word.endsWith("$")) word = word.slice(0, -1);
      continue;
    }
    if (c === "\n" || c === ";" || (c === "&" && src[i + 1] === "&") || (c === "|" && src[i + 1] === "|")) {
      endStmt(i);
      if (c === "&" || c === "|") i++;
      segStart = i + 1;
      continue;
    }
    if (!pwsh && c === "&") {
      endStmt(i);
      segStart = i + 1;
      continue;
    }
    if (c === "|") {
      endSeg(i);
      segStart = i + 1;
      continue;
    }
    if (c === ">") {
      endWord();
      if (src[i + 1] === ">") i++;
      if (src[i + 1] === "&") {
        i += 2; // 2>&1
        continue;
      }
      if (/^\d$/.test(seg.words[seg.words.length - 1] ?? "") && src[i - 1] !== " ") seg.words.pop();
      pendingRedirect = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      endWord();
      continue;
    }
    word += c;
    inWord = true;
  }
  endStmt(src.length);
  return { statements, problems };
}

const ALIASES: Record<string, string> = {
  rm: "remove-item",
  ri: "remove-item",
  del: "remove-item",
  erase: "remove-item",
  rmdir: "remove-item",
  rd: "remove-item",
  ls: "get-childitem",
  dir: "get-childitem",
  gci: "get-childitem",
  cat: "get-content",
  type: "get-content",
  gc: "get-content",
  cp: "copy-item",
  copy: "copy-item",
  cpi: "copy-item",
  mv: "move-item",
  move: "move-item",
  mi: "move-item",
  ren: "rename-item",
  rni: "rename-item",
  iex: "invoke-expression",
  iwr: "invoke-webrequest",
  irm: "invoke-restmethod",
  wget: "invoke-webrequest",
  sc: "set-content",
  ac: "add-content",
  ni: "new-item",
  md: "new-item",
  mkdir: "new-item",
  echo: "write-output",
  write: "write-output",
  cd: "set-location",
  sl: "set-location",
  chdir: "set-location",
  pwd: "get-location",
  gl: "get-location",
  kill: "stop-process",
  spps: "stop-process",
  sls: "select-string",
  select: "select-object",
  where: "where-object",
  "?": "where-object",
  "%": "foreach-object",
  foreach: "foreach-object",
  ps: "get-process",
  gps: "get-process",
  cls: "clear-host",
  clear: "clear-host",
  icm: "invoke-command",
  saps: "start-process",
  start: "start-process",
};

const READ_ONLY = new Set([
  "get-childitem",
  "get-content",
  "get-location",
  "set-location",
  "write-output",
  "write-host",
  "select-string",
  "select-object",
  "where-object",
  "foreach-object",
  "get-process",
  "clear-host",
  "test-path",
  "resolve-path",
  "split-path",
  "join-path",
  "measure-object",
  "sort-object",
  "group-object",
  "format-table",
  "format-list",
  "format-wide",
  "out-host",
  "out-string",
  "convertto-json",
  "convertfrom-json",
  "get-date",
  "get-command",
  "get-help",
  "get-service",
  "get-item",
  "get-itemproperty",
  "get-filehash",
  "get-volume",
  "get-disk",
  "get-partition",
  "get-netipaddress",
  "get-nettcpconnection",
  "get-computerinfo",
  "get-psdrive",
  "get-history",
  "get-alias",
  "get-variable",
  "get-module",
  "get-acl",
  "compare-object",
  "tee-object-read",
  "out-null",
  "whoami",
  "hostname",
  "ipconfig",
  "systeminfo",
  "tasklist",
  "netstat",
  "ping",
  "tree",
  "findstr",
  "more",
  "where.exe",
  "ver",
  "vol",
  "nslookup",
  "tracert",
  "echo.",
  "help",
  "path-read",
]);

const DESTROYERS = new Set([
  "format-volume",
  "clear-disk",
  "initialize-disk",
  "remove-partition",
  "diskpart",
  "format",
  "bcdedit",
  "cipher-wipe",
]);
const POWER = new Set(["stop-computer", "restart-computer"]);
const WRITERS = new Set([
  "set-content",
  "add-content",
  "out-file",
  "new-item",
  "copy-item",
  "move-item",
  "rename-item",
  "set-itemproperty",
  "new-itemproperty",
  "expand-archive",
  "compress-archive",
  "tee-object",
  "xcopy",
  "robocopy",
]);
// certutil and bitsadmin follow the POSIX rules (rules/network.ts), which remember what they download.
const FETCHERS = /^(invoke-webrequest|invoke-restmethod|curl|curl\.exe|wget\.exe|start-bitstransfer)$/;

type PathClass = "root" | "system" | "home" | "cwd" | "specific";

function classifyWinPath(raw: string): PathClass {
  const p = raw
    .replace(/\//g, "\\")
    .replace(/^['"]|['"]$/g, "")
    .replace(/\\+$/, "\\");
  if (
    /^(\$env:(SystemDrive|SystemRoot|windir|ProgramFiles(\(x86\))?|ProgramData)|%(SystemDrive|SystemRoot|windir|ProgramFiles|ProgramData)%)/i.test(
      p,
    )
  )
    return /^(\$env:SystemDrive|%SystemDrive%)\\?\*?$/i.test(p) ? "root" : "system";
  if (/^(\$env:(USERPROFILE|HOMEPATH)|\$HOME|~|%USERPROFILE%)\\?\*?(\\\*\.\*)?$/i.test(p)) return "home";
  if (/^(\.|\.\\|\*|\.\\\*|\*\.\*|\.\.|\.\.\\)$/.test(p)) return "cwd";
  if (/^([a-z]:)?\\?\*?(\\\*\.\*)?$/i.test(p) && p !== "") return /^[a-z]:[^\\]/i.test(p) ? "specific" : "root";
  if (/^[a-z]:\\(windows|program files( \(x86\))?|programdata|boot|system volume information)(\\|$)/i.test(p))
    return "system";
  if (/^[a-z]:\\users\\[^\\]+\\?\*?$/i.test(p) || /^[a-z]:\\users\\?\*?$/i.test(p)) return "home";
  if (/^[a-z]:\\[^\\]+\\?\*?$/i.test(p)) return "root"; // a top-level folder of the drive
  if (/^(\.|\.\\|\*|\.\\\*|\*\.\*|\.\.|\.\.\\)$/.test(p)) return "cwd";
  return "specific";
}

const BROAD: ReadonlySet<PathClass> = new Set(["root", "system", "home", "cwd"]);
const DESCRIBE: Record<PathClass, string> = {
  root: "a whole drive or a top-level folder",
  system: "a Windows system folder",
  home: "the user's profile folder",
  cwd: "everything in the current folder",
  specific: "",
};

function operands(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words.slice(1)) {
    if (/^-(path|literalpath|destination|filter|include|exclude)$/i.test(w)) continue;
    if (/^-/.test(w) || /^\/[a-z?]$/i.test(w) || /^\/[a-z]:/i.test(w)) continue;
    out.push(w);
  }
  return out;
}

const hasFlag = (words: string[], re: RegExp): boolean => words.slice(1).some((w) => re.test(w));

/** PowerShell cmdlets these rules know (so POSIX-parsed `Remove-Item …` is judged by them, not as an unknown program). */
export function isPowerShellCommand(name: string): boolean {
  const n = name.toLowerCase();
  if (!/^[a-z]+-[a-z]+$/.test(n)) return false;
  return (
    READ_ONLY.has(n) ||
    DESTROYERS.has(n) ||
    POWER.has(n) ||
    WRITERS.has(n) ||
    FETCHERS.test(n) ||
    /^(remove-item|invoke-expression|stop-process|set-executionpolicy|set-netfirewallprofile|get-\w+)$/.test(n)
  );
}

function judgeSegment(
  seg: Segment,
  shell: WindowsShell,
  posix: (cmd: string) => Finding[],
  depth: number,
  prev?: Segment,
): Finding[] {
  const part = seg.source;
  const f = (risk: Risk, says: string): Finding => ({ risk, part, says });
  const out: Finding[] = [];
  for (const t of seg.writes) {
    if (/^(\$null|nul)$/i.test(t)) continue;
    const c = classifyWinPath(t);
    out.push(
      c === "system" || c === "root"
        ? f("dangerous", `overwrites ${t}, in ${DESCRIBE[c]}`)
        : f("review", `writes ${t}`),
    );
  }
  const [program] = seg.words;
  if (program === undefined) return out;
  // PowerShell expressions and assignments are not commands: `$_.Length -gt 1MB`, `$x = Get-Item …`.
  if (shell === "powershell" && /^[$@\d'"[-]/.test(program)) {
    if (seg.words[1] === "=" && seg.words.length > 2)
      return [...out, ...judgeSegment({ ...seg, words: seg.words.slice(2), writes: [] }, shell, posix, depth)];
    return [...out, f("safe", "is an expression")];
  }
  const raw = program.toLowerCase().replace(/^.*[\\/]/, "");
  const name = ALIASES[raw] ?? raw.replace(/\.exe$/, "");
  const words = seg.words;
  if (name === "powershell" || name === "pwsh" || name === "cmd") {
    const c = words.findIndex((w, k) => k > 0 && /^(-c|-command|\/c|\/k)$/i.test(w));
    if (c > 0)
      return [
        ...out,
        ...judgeWindows(words.slice(c + 1).join(" "), name === "cmd" ? "cmd" : "powershell", posix, depth + 1),
      ];
    if (hasFlag(words, /^-(e|enc|encodedcommand)$/i)) return out;
    return [...out, f("review", `starts ${seg.words[0]}, which can run anything`)];
  }

  if (
    name === "remove-item" ||
    (shell === "cmd" && (raw === "del" || raw === "rd" || raw === "rmdir" || raw === "erase"))
  ) {
    const recursive = hasFlag(words, /^-r(e(c(u(r(s(e)?)?)?)?)?)?$/i) || hasFlag(words, /^\/s$/i);
    const targets = operands(words);
    // `Get-ChildItem C:\ -Recurse | Remove-Item -Recurse -Force`: the targets come down the pipeline.
    const first = prev?.words[0]?.toLowerCase() ?? "";
    const source = ALIASES[first] ?? first;
    if (targets.length === 0 && prev && (source === "get-childitem" || source === "get-item")) {
      const from =
        operands(prev.words).find((t) => BROAD.has(classifyWinPath(t))) ??
        (operands(prev.words).length === 0 ? "." : undefined);
      if (from !== undefined)
        return [
          ...out,
          f(
            "dangerous",
            `deletes everything \`${prev.source}\` lists, which reaches ${DESCRIBE[classifyWinPath(from)]} (${from})`,
          ),
        ];
    }
    for (const t of targets) {
      const c = classifyWinPath(t);
      if (BROAD.has(c) && (recursive || c !== "cwd" || /\*/.test(t)))
        out.push(f("dangerous", `${recursive ? "recursively " : ""}deletes ${DESCRIBE[c]} (${t})`));
      else out.push(f("review", `${recursive ? "recursively " : ""}deletes ${t}`));
    }
    return out.length > 0 ? out : [f("review", "deletes files")];
  }
  if (DESTROYERS.has(name) || (name === "cipher" && hasFlag(words, /^\/w/i)))
    return [...out, f("dangerous", `can erase disks, partitions or boot settings (${seg.words[0]})`)];
  if (name === "vssadmin" && hasFlag(words, /^delete$/i))
    return [...out, f("dangerous", "deletes the shadow copies that backups and System Restore rely on")];
  if (name === "wbadmin" && hasFlag(words, /^delete$/i)) return [...out, f("dangerous", "deletes system backups")];
  if (POWER.has(name))
    return [...out, f("dangerous", name === "restart-computer" ? "restarts the machine" : "shuts down the machine")];
  if (name === "shutdown")
    return [
      ...out,
      hasFlag(words, /^[/-]a$/i)
        ? f("review", "cancels a scheduled shutdown")
        : f("dangerous", "shuts down or restarts the machine"),
    ];
  if (name === "reg") {
    const hive = words.find((w) => /^(hklm|hkey_local_machine|hkcr)/i.test(w));
    if (/^delete$/i.test(words[1] ?? "") && hive) return [...out, f("dangerous", "deletes machine-wide registry keys")];
    if (/^(query|export)$/i.test(words[1] ?? "")) return [...out, f("safe", "only reads the registry")];
    return [...out, f("review", "changes the registry")];
  }
  if (name === "icacls" || name === "takeown" || name === "set-acl" || name === "attrib") {
    const t = operands(words).find((w) => BROAD.has(classifyWinPath(w)) && classifyWinPath(w) !== "cwd");
    if (t && name !== "attrib")
      return [...out, f("dangerous", `changes permissions or ownership of ${DESCRIBE[classifyWinPath(t)]} (${t})`)];
    return [...out, f("review", "changes permissions or attributes")];
  }
  if (name === "invoke-expression") return [...out, f("review", "runs a string as PowerShell code")];
  if (
    name === "set-netfirewallprofile" &&
    words.some(
      (w, k) => /^-enabled(:\$?false)?$/i.test(w) && (/false/i.test(w) || /^\$?false$/i.test(words[k + 1] ?? "")),
    )
  )
    return [...out, f("dangerous", "turns the Windows firewall off")];
  if (name === "stop-process" || name === "taskkill") return [...out, f("review", "stops processes")];
  if (name === "set-executionpolicy") return [...out, f("review", "changes which scripts PowerShell will run")];
  if (WRITERS.has(name)) {
    const ops = operands(words);
    const dest = /^(copy-item|move-item|xcopy|robocopy|expand-archive)$/.test(name) ? ops[ops.length - 1] : ops[0];
    const c = dest ? classifyWinPath(dest) : "specific";
    return [
      ...out,
      c === "system" || c === "root"
        ? f("dangerous", `writes into ${DESCRIBE[c]} (${dest})`)
        : f("review", `writes files (${seg.words[0]})`),
    ];
  }
  if (READ_ONLY.has(name) || /^get-/.test(name)) return [...out, f("safe", "only reads")];
  if (FETCHERS.test(name))
    return [...out, f(hasFlag(words, /^-(outfile|o)$/i) ? "review" : "safe", "downloads from the network")];
  // Cross-platform programs (git, docker, npm, node, python, …) follow the POSIX rules.
  return [
    ...out,
    ...posix(seg.words.map((w) => (/[\s'"\\$`]/.test(w) ? `'${w.replace(/'/g, "'\\''")}'` : w)).join(" ")),
  ];
}

/** Findings for a PowerShell or cmd.exe command line. */
export function judgeWindows(
  source: string,
  shell: WindowsShell,
  posix: (cmd: string) => Finding[],
  depth = 0,
): Finding[] {
  if (depth > MAX_DEPTH)
    return [{ risk: "dangerous", part: source.trim(), says: "is nested too deeply to be assessed" }];
  const { statements, problems } = tokenize(source, shell);
  const out: Finding[] = problems.map((p) => ({
    risk: "review" as Risk,
    part: source,
    says: `cannot be fully analysed: ${p.replace(/\.$/, "")}`,
  }));
  // `iex (iwr …)`, `iwr … | iex`, `(New-Object Net.WebClient).DownloadString(…) | iex`: code from the network.
  const lower = source.toLowerCase();
  const runsStrings =
    /(^|[\s;|({&])(iex|invoke-expression)\b|\[scriptblock\]::create|-encodedcommand\b|-enc\b|-e\s+[a-z0-9+/=]{16,}/i.test(
      lower,
    );
  const fetches =
    /invoke-webrequest|invoke-restmethod|\biwr\b|\birm\b|downloadstring|downloadfile|net\.webclient|\bcurl(\.exe)?\b|\bwget\b|start-bitstransfer/.test(
      lower,
    );
  if (runsStrings && fetches)
    out.push({
      risk: "dangerous",
      part: source.trim(),
      says: "runs code downloaded from the network without showing it",
    });
  else if (/-(encodedcommand|enc|e)\s+[a-z0-9+/=]{16,}/i.test(source))
    out.push({
      risk: "dangerous",
      part: source.trim(),
      says: "runs base64-encoded PowerShell that cannot be reviewed",
    });
  for (const stmt of statements)
    stmt.forEach((seg, k) => out.push(...judgeSegment(seg, shell, posix, depth, stmt[k - 1])));
  return out;
}

export function windowsShellOf(shell: string | undefined): WindowsShell | null {
  if (!shell) return null;
  const s = shell
    .replace(/^.*[\\/]/, "")
    .toLowerCase()
    .replace(/\.exe$/, "");
  if (s === "pwsh" || s === "powershell" || s === "powershell_ise") return "powershell";
  if (s === "cmd") return "cmd";
  return null;
}
