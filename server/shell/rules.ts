/**
 * Per-program judgements. Each rule looks at one simple command (wrappers already peeled)
 * and says what it does in words a user can check. Anything not listed is `review`:
 * a program we do not know is never `safe`.
 */
import { allCommands, type Command, type Word } from "./parse";
import { programBase, programName, SHELLS } from "./wrappers";
import { BROAD, classifyPath, describeClass } from "./paths";
import { has, readArgs } from "./args";
import { FETCHERS, INTERPRETERS, isDecoder, isInterpreter, pipedSource, wordSource } from "./code";
import {
  f,
  shown,
  literalWord,
  pathFindings,
  rememberWritten,
  writeFinding,
  writtenContent,
  writtenScript,
  type Finding,
  type Risk,
  type Rule,
  type RuleContext,
} from "./rules/finding";
import {
  copyLike,
  dd,
  DELETERS,
  disk,
  find,
  mv,
  perms,
  rm,
  sed,
  shred,
  sort,
  tar,
  truncate,
  writesEachOperand,
} from "./rules/files";
import { git } from "./rules/git";
import { docker, kubectl, terraform } from "./rules/containers";
import {
  aliasRule,
  awk,
  crontab,
  init,
  kill,
  network,
  power,
  readWithWriteFlags,
  service,
  systemctl,
} from "./rules/system";
import { bitsadmin, certutil, curl, netcat, wget } from "./rules/network";
import { firewallCmd, iptables, kernelModule, netsh, nft, pfctl, ufw } from "./rules/defences";
import { exfiltrationFindings } from "./rules/exfiltration";
import { editorFindings } from "./rules/editors";
import { isPowerShellCommand, judgeWindows } from "./windows";
import { packageManager } from "./rules/packages";
import { codeFromInputFindings, interpreterFindings } from "./rules/interpreters";

export type { Finding, Risk, RuleContext };

// ---------------------------------------------------------------------------------------
// Read-only programs: they print, search or inspect and change nothing.
const READ_ONLY = new Set([
  "ls",
  "ll",
  "la",
  "dir",
  "vdir",
  "exa",
  "eza",
  "lsd",
  "tree",
  "cat",
  "tac",
  "bat",
  "batcat",
  "less",
  "more",
  "most",
  "view",
  "head",
  "tail",
  "grep",
  "egrep",
  "fgrep",
  "rg",
  "ag",
  "ack",
  "zgrep",
  "du",
  "df",
  "ncdu",
  "ps",
  "pstree",
  "pgrep",
  "top",
  "htop",
  "btop",
  "pwd",
  "echo",
  "printf",
  "which",
  "whereis",
  "whatis",
  "type",
  "man",
  "info",
  "tldr",
  "apropos",
  "stat",
  "file",
  "wc",
  "sort",
  "uniq",
  "cut",
  "tr",
  "diff",
  "colordiff",
  "sdiff",
  "cmp",
  "comm",
  "date",
  "cal",
  "uptime",
  "whoami",
  "id",
  "groups",
  "who",
  "w",
  "last",
  "uname",
  "printenv",
  "true",
  "false",
  ":",
  "test",
  "[",
  "[[",
  "basename",
  "dirname",
  "realpath",
  "readlink",
  "md5sum",
  "sha1sum",
  "sha256sum",
  "sha512sum",
  "shasum",
  "cksum",
  "b2sum",
  "md5",
  "base64",
  "base32",
  "xxd",
  "od",
  "hexdump",
  "strings",
  "nl",
  "fold",
  "fmt",
  "column",
  "paste",
  "join",
  "expand",
  "unexpand",
  "pr",
  "seq",
  "shuf",
  "yes",
  "sleep",
  "locate",
  "plocate",
  "mlocate",
  "lsof",
  "free",
  "vmstat",
  "iostat",
  "mpstat",
  "netstat",
  "ss",
  "ping",
  "ping6",
  "traceroute",
  "tracepath",
  "mtr",
  "dig",
  "nslookup",
  "host",
  "whois",
  "jq",
  "nproc",
  "arch",
  "lscpu",
  "lsusb",
  "lspci",
  "lsmod",
  "lsblk",
  "blkid",
  "findmnt",
  "tty",
  "clear",
  "tput",
  "exit",
  "return",
  "wait",
  "jobs",
  "fg",
  "bg",
  "getent",
  "locale",
  "sw_vers",
  "system_profiler",
  "uptime",
  "env",
  "expr",
  "factor",
  "bc",
  "dc",
  "rev",
  "zcat",
  "zless",
  "bzcat",
  "xzcat",
  "history",
  "dirs",
  "times",
  "logname",
  "users",
  "finger",
  "pinky",
  "id",
  "numfmt",
  "tsort",
  "look",
  "cal",
  "ncal",
  "watch-less",
  "fc-list",
  "lsattr",
  "getfacl",
  "namei",
  "pwdx",
  "pmap",
  "vdir",
  "printf",
  "nvidia-smi",
  "sensors",
  "timedatectl-status",
  "hostnamectl-status",
  "gitk",
  "tig",
  "ldd",
  "nm",
  "objdump",
  "readelf",
  "size",
  "fd",
  "fdfind",
  "find",
]);

/** Builtins that only change the running shell (directory, variables), nothing on disk. */
const SHELL_STATE = new Set([
  "cd",
  "pushd",
  "popd",
  "export",
  "unset",
  "set",
  "unalias",
  "shift",
  "read",
  "hash",
  "umask",
  "declare",
  "typeset",
  "local",
  "readonly",
  "shopt",
  "setopt",
  "unsetopt",
]);

const EDITORS = new Set([
  "vi",
  "vim",
  "nvim",
  "nano",
  "pico",
  "emacs",
  "code",
  "subl",
  "gedit",
  "kate",
  "micro",
  "helix",
  "hx",
  "ed",
  "joe",
  "mcedit",
]);

// ---------------------------------------------------------------------------------------
export const RULES: Record<string, Rule> = {
  rm,
  unlink: rm,
  rmdir: (cmd, a) => pathFindings(cmd, a.operands, "removes the directory", false),
  shred,
  srm: shred,
  wipe: shred,
  find,
  mv,
  cp: copyLike("copies files into"),
  install: copyLike("installs files into"),
  ln: copyLike("creates a link at"),
  rsync: (cmd, a, ctx) => {
    const out = copyLike("syncs files into")(cmd, a, ctx);
    const dest = a.operands[a.operands.length - 1];
    if (dest && [...a.long].some((l) => l.startsWith("--delete")) && BROAD.has(classifyPath(dest)))
      out.push(
        f(
          "dangerous",
          cmd,
          `deletes everything in ${describeClass(classifyPath(dest), shown(dest))} that is not in the source`,
        ),
      );
    return out;
  },
  scp: copyLike("copies files to"),
  tee: writesEachOperand("writes", true),
  touch: writesEachOperand("creates or touches"),
  mkdir: writesEachOperand("creates the directory"),
  truncate,
  sed,
  dd,
  mkfs: disk,
  mke2fs: disk,
  mkswap: disk,
  mkdosfs: disk,
  mkntfs: disk,
  fdisk: disk,
  sfdisk: disk,
  gdisk: disk,
  sgdisk: disk,
  cgdisk: disk,
  cfdisk: disk,
  parted: disk,
  wipefs: disk,
  blkdiscard: disk,
  hdparm: (cmd, a, ctx) =>
    a.long.has("--security-erase") || a.long.has("--security-erase-enhanced") || has(a, "--trim-sector-ranges")
      ? disk(cmd, a, ctx)
      : [f("review", cmd, "changes disk settings")],
  cryptsetup: (cmd, a) =>
    a.texts.some((t) => /^(luksFormat|erase|luksErase|reencrypt)$/.test(t))
      ? [f("dangerous", cmd, "formats or erases an encrypted volume")]
      : [f("review", cmd, "changes encrypted volumes")],
  lvremove: (cmd) => [f("dangerous", cmd, "deletes logical volumes and their data")],
  vgremove: (cmd) => [f("dangerous", cmd, "deletes volume groups and their data")],
  pvremove: (cmd) => [f("dangerous", cmd, "wipes physical volume labels")],
  zpool: (cmd, a) =>
    a.operands[0]?.text === "destroy"
      ? [f("dangerous", cmd, "destroys a ZFS pool and its data")]
      : [f("review", cmd, "changes ZFS pools")],
  diskutil: (cmd, a) =>
    /^(erase|zero|secureErase|partitionDisk|reformat)/i.test(a.operands[0]?.text ?? "")
      ? [f("dangerous", cmd, "erases or repartitions a disk")]
      : /^(list|info)$/.test(a.operands[0]?.text ?? "")
        ? [f("safe", cmd, "only lists disks")]
        : [f("review", cmd, "changes disks")],
  chmod: perms,
  chown: perms,
  chgrp: perms,
  setfacl: perms,
  chattr: (cmd) => [f("review", cmd, "changes file attributes")],
  git,
  docker,
  podman: docker,
  nerdctl: docker,
  "docker-compose": (cmd, a, ctx) =>
    docker({ ...cmd, argv: [literalWord("docker"), literalWord("compose"), ...cmd.argv.slice(1)] }, a, ctx),
  kubectl,
  oc: kubectl,
  terraform,
  tofu: terraform,
  kill,
  killall5: (cmd) => [f("dangerous", cmd, "signals every process on the system")],
  killall: (cmd) => [f("review", cmd, "stops processes by name")],
  pkill: (cmd) => [f("review", cmd, "stops processes by name")],
  shutdown: power,
  reboot: power,
  halt: power,
  poweroff: power,
  init,
  telinit: init,
  systemctl,
  service,
  curl,
  wget,
  nc: netcat,
  ncat: netcat,
  netcat,
  socat: (cmd, a) =>
    a.texts.some((t) => /exec:|system:/i.test(t))
      ? [f("dangerous", cmd, "connects a network socket to a program, which can expose a shell")]
      : [f("review", cmd, "opens a network connection")],
  crontab,
  tar,
  awk,
  gawk: awk,
  mawk: awk,
  alias: aliasRule,
  ip: network,
  ifconfig: network,
  route: network,
  nmcli: network,
  sort,
  journalctl: readWithWriteFlags(["--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate", "--flush"]),
  dmesg: readWithWriteFlags(["c", "C", "--clear", "--read-clear"]),
  mount: (cmd, a) =>
    a.operands.length === 0 && !has(a, "a")
      ? [f("safe", cmd, "only lists mounts")]
      : [f("review", cmd, "changes mounted filesystems")],
  umount: (cmd) => [f("review", cmd, "unmounts a filesystem")],
  sysctl: (cmd, a) =>
    has(a, "w", "p", "--write", "--load", "--system") || a.operands.some((w) => w.text.includes("="))
      ? [f("review", cmd, "changes kernel settings")]
      : [f("safe", cmd, "only reads kernel settings")],
  hostname: (cmd, a) =>
    a.operands.length > 0
      ? [f("review", cmd, "changes the machine's name")]
      : [f("safe", cmd, "only prints the machine's name")],
  date: (cmd, a) =>
    has(a, "s", "--set") ? [f("review", cmd, "sets the system clock")] : [f("safe", cmd, "only prints the date")],
  history: (cmd, a) =>
    has(a, "c", "d", "w")
      ? [f("review", cmd, "changes the shell history")]
      : [f("safe", cmd, "only prints the shell history")],
  yq: (cmd, a, ctx) =>
    has(a, "i", "--inplace")
      ? writesEachOperand("edits")(cmd, { ...a, operands: a.operands.slice(1) }, ctx)
      : [f("safe", cmd, "only processes text")],
  unzip: (cmd, a) =>
    has(a, "l", "t", "Z")
      ? [f("safe", cmd, "only lists the archive")]
      : [f("review", cmd, "extracts files, possibly overwriting existing ones")],
  userdel: (cmd, a) =>
    has(a, "r", "--remove")
      ? [f("dangerous", cmd, "deletes a user account together with its home directory")]
      : [f("review", cmd, "deletes a user account")],
  command: (cmd, a) =>
    has(a, "v", "V") ? [f("safe", cmd, "only looks a command up")] : [f("review", cmd, "runs a command")],
  iptables,
  ip6tables: iptables,
  "iptables-legacy": iptables,
  "iptables-nft": iptables,
  ebtables: iptables,
  nft,
  ufw,
  "firewall-cmd": firewallCmd,
  pfctl,
  netsh,
  modprobe: kernelModule,
  insmod: kernelModule,
  rmmod: kernelModule,
  kldload: kernelModule,
  kldunload: kernelModule,
  kextload: kernelModule,
  kextunload: kernelModule,
  modinfo: (cmd) => [f("safe", cmd, "only shows information about a kernel module")],
  certutil,
  bitsadmin,
};

const PACKAGE_MANAGERS = [
  "npm",
  "pnpm",
  "yarn",
  "bun",
  "npx",
  "pnpx",
  "bunx",
  "pip",
  "pip3",
  "pipx",
  "uv",
  "uvx",
  "poetry",
  "pipenv",
  "conda",
  "mamba",
  "gem",
  "cargo",
  "go",
  "composer",
  "bundle",
  "apt",
  "apt-get",
  "aptitude",
  "dpkg",
  "dnf",
  "yum",
  "zypper",
  "pacman",
  "yay",
  "paru",
  "apk",
  "brew",
  "port",
  "snap",
  "flatpak",
  "nix-env",
  "choco",
  "winget",
  "scoop",
  "rpm",
  "mvn",
  "gradle",
  "dotnet",
  "deno-install",
  "corepack",
];
for (const p of PACKAGE_MANAGERS) RULES[p] = packageManager;

/** The rule for a program; own keys only, so `constructor` or `toString` is not taken for a rule. */
function ruleFor(prog: string): Rule | undefined {
  return Object.hasOwn(RULES, prog) ? RULES[prog] : undefined;
}

/** Programs the rules know; anything else is `review` as unknown. */
export function isKnownProgram(name: string): boolean {
  const prog = name.toLowerCase();
  return (
    ruleFor(prog) !== undefined ||
    READ_ONLY.has(prog) ||
    SHELL_STATE.has(prog) ||
    EDITORS.has(prog) ||
    isInterpreter(prog) ||
    /^mkfs\./.test(prog)
  );
}

// ---------------------------------------------------------------------------------------

/** Everything one simple command does, as findings (at least one). */
export function judgeCommand(cmd: Command, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  if (cmd.privileged)
    out.push(
      f(
        "review",
        cmd,
        `runs with administrator rights (${cmd.via.filter((v) => ["sudo", "doas", "su", "pkexec", "run0", "runuser"].includes(v)).join(", ")})`,
      ),
    );
  const prog = programName(cmd.argv[0]);
  const isFetcher = FETCHERS.has(prog);

  // A shell, or a program only known at run time: connected to the network, it is a remote shell.
  const runsAnything = isInterpreter(prog) || (cmd.argv[0] !== undefined && cmd.argv[0].literal === null);
  for (const r of cmd.redirects) {
    const fdNet = /^[<>]&$/.test(r.op) ? ctx.networkFds.get(r.target.text) : undefined;
    if (fdNet !== undefined && runsAnything) {
      out.push(
        f(
          "dangerous",
          cmd,
          `connects ${cmd.argv[0] ? shown(cmd.argv[0]) : "the shell"} to the network connection ${fdNet} (a reverse shell)`,
        ),
      );
      continue;
    }
    if (![">", ">>", ">|", "&>", "&>>", "<>", ">&"].includes(r.op)) continue;
    if (r.op === ">&" && /^\d+$|^-$/.test(r.target.text)) continue;
    const c = classifyPath(r.target);
    if (c === "network") {
      // `exec 5<>/dev/tcp/…` keeps the connection open on fd 5 for the commands that follow.
      if (cmd.argv.length === 0 && r.fd !== null) ctx.networkFds.set(r.fd, shown(r.target));
      out.push(
        runsAnything
          ? f("dangerous", cmd, `connects a shell to ${shown(r.target)} (a reverse shell)`)
          : f(
              "review",
              cmd,
              `${r.op === "<>" ? "opens a network connection to" : "sends output to"} ${shown(r.target)}`,
            ),
      );
      continue;
    }
    const w = writeFinding(cmd, r.target, r.op.includes(">>") ? "appends to" : "overwrites", ctx.workspace);
    if (w) out.push(w);
    if ((isFetcher || isDecoder(cmd) || pipedSource(cmd)) && r.target.literal) ctx.downloaded.add(r.target.literal);
    else if (r.target.literal) rememberWritten(ctx, r.target.literal, writtenContent(cmd), r.op.includes(">>"));
  }
  for (const r of cmd.redirects) {
    if (r.op === "<" && classifyPath(r.target) === "network" && runsAnything)
      out.push(f("dangerous", cmd, `reads shell input from ${shown(r.target)} (a reverse shell)`));
  }
  // `cat <&5 | sh` after `exec 5<>/dev/tcp/…`: commands arriving from the network are run.
  if (runsAnything) {
    for (const u of cmd.upstream) {
      const net = u.redirects
        .map((r) =>
          r.op === "<&"
            ? ctx.networkFds.get(r.target.text)
            : r.op === "<" && classifyPath(r.target) === "network"
              ? shown(r.target)
              : undefined,
        )
        .find((x) => x !== undefined);
      if (net !== undefined)
        out.push(f("dangerous", cmd, `runs commands that arrive from the network connection ${net} (a reverse shell)`));
    }
  }
  // `echo … > >(sh)`, `tee >(bash)`: what the command writes there is run as code.
  for (const w of [...cmd.argv, ...cmd.redirects.map((r) => r.target)]) {
    for (const s of w.feeds ?? []) {
      const reader = s.pipelines[0]?.commands[0];
      const rp = programName(reader?.argv[0]);
      if (
        reader &&
        isInterpreter(rp) &&
        reader.runs.length === 0 &&
        !reader.argv.slice(1).some((x) => !x.text.startsWith("-"))
      ) {
        out.push(
          f(
            "dangerous",
            cmd,
            `feeds its output to \`${reader.source}\` through a process substitution, which runs it as code nobody sees`,
          ),
        );
      }
    }
  }
  out.push(...exfiltrationFindings(cmd));

  for (const w of cmd.runsDynamic) {
    const src = wordSource(w);
    out.push(
      src
        ? f(
            "dangerous",
            cmd,
            `runs code ${src.kind === "fetch" ? "downloaded by" : "decoded by"} \`${src.from.source}\` without showing it`,
          )
        : f("review", cmd, `runs code that is only known when it runs (${shown(w)})`),
    );
  }

  if (cmd.codeFromInput) out.push(...codeFromInputFindings(cmd));
  // `… | xargs -I{} sh -c 'rm -rf {}'`: the code is known, its targets come down the pipe.
  if (cmd.argsFromInput) {
    const deleter = cmd.runs.flatMap((s) => [...allCommands(s)]).find((c) => DELETERS.has(programName(c.argv[0])));
    const up = cmd.upstream[cmd.upstream.length - 1];
    if (deleter)
      out.push(
        f(
          "dangerous",
          cmd,
          `runs \`${deleter.source}\` on ${up ? `the paths \`${up.source}\` prints` : "paths read from its input"} (through xargs): the paths are only known when it runs`,
        ),
      );
  }
  out.push(...variableFindings(cmd, ctx));
  const head = cmd.argv[0];
  if (head === undefined) {
    if (out.length === 0 && cmd.assignments.length > 0) out.push(f("safe", cmd, "only sets shell variables"));
    if (cmd.privileged && cmd.runs.length === 0 && cmd.runsDynamic.length === 0)
      out.push(f("review", cmd, "opens an administrator shell"));
    if (out.length === 0 && cmd.redirects.length > 0 && cmd.runs.length === 0)
      out.push(f("safe", cmd, "only sets up redirections"));
    return out;
  }

  if (head.literal === null) {
    const src = wordSource(head);
    if (src) out.push(f("dangerous", cmd, `runs a program whose name comes from \`${src.from.source}\``));
    else
      out.push(
        f("review", cmd, `runs a program whose name is only known when it runs (${shown(head)})`),
        ...worstCase(cmd, head, ctx),
      );
    return out;
  }
  // `Rm -Rf /`: on case-insensitive file systems (macOS, Windows) this is rm.
  const base = programBase(head);
  if (base !== prog && (isKnownProgram(prog) || SHELLS.has(prog)))
    out.push(
      f(
        "review",
        cmd,
        `spells ${prog} as ${base}, which runs ${prog} on case-insensitive file systems (macOS, Windows), so it is judged as ${prog}`,
      ),
    );
  // shell-quote flags `*`/`?` as globs; a `[set]` in a program name is one too.
  if (head.glob || /\[[^\]]+\]/.test(prog)) {
    // `/bin/r? -rf /`: judge the command as every known program the pattern could name.
    const re = globToRegExp(prog);
    const names = [...Object.keys(RULES), ...READ_ONLY, ...INTERPRETERS].filter((n) => re.test(n)).slice(0, 24);
    out.push(
      f(
        "review",
        cmd,
        `runs a program named by the pattern ${shown(head)}${names.length > 0 ? ` (it could be ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""})` : ""}`,
      ),
    );
    for (const n of names) out.push(...judgeCommand({ ...cmd, argv: [literalWord(n), ...cmd.argv.slice(1)] }, ctx));
    return out;
  }
  const script = writtenScript(ctx, head.literal);
  if (script !== null)
    return [...out, ...ctx.judgeScript(script), f("review", cmd, `runs ${head.literal}, a script written just before`)];
  if (ctx.downloaded.has(head.literal) || ctx.downloaded.has(head.literal.replace(/^\.\//, ""))) {
    out.push(
      f(
        "dangerous",
        cmd,
        `runs ${head.literal}, which was just written from a download or a decoder and has not been reviewed`,
      ),
    );
    return out;
  }

  const a = readArgs(cmd.argv, argsWithValue(prog));
  const interp = interpreterFindings(cmd, prog, a, ctx);
  if (interp) return [...out, ...interp];
  if (prog === "ssh") {
    out.push(
      f(
        "review",
        cmd,
        `connects to ${a.operands[0]?.text ?? "a remote host"}${cmd.runs.length > 0 ? " and runs a command there" : ""}`,
      ),
    );
    return out;
  }
  if (/^mkfs\./.test(prog)) return [...out, ...disk(cmd, a, ctx)];
  // `Remove-Item -Recurse -Force C:\` typed into a POSIX shell (or run by one, e.g. Git Bash): PowerShell's rules.
  if (isPowerShellCommand(prog))
    return [...out, ...judgeWindows(cmd.argv.map(psQuote).join(" "), "powershell", ctx.judgeScript)];
  const rule = ruleFor(prog);
  if (rule) return [...out, ...rule(cmd, a, ctx)];
  if (READ_ONLY.has(prog)) return [...out, f("safe", cmd, "only reads")];
  if (prog === "trap") {
    const code = a.operands[0]?.literal;
    return [
      ...out,
      f("review", cmd, "sets a command to run when the shell gets a signal or exits"),
      ...(code ? ctx.judgeScript(code) : []),
    ];
  }
  if (prog === "umask" && a.operands.length > 0)
    return [...out, f("review", cmd, "changes the permissions new files get")];
  if (SHELL_STATE.has(prog)) return [...out, f("safe", cmd, "only changes the current shell's directory or variables")];
  if (EDITORS.has(prog))
    return [...out, ...editorFindings(cmd, prog, ctx), f("review", cmd, "opens an editor that can change files")];
  return [...out, f("review", cmd, `runs ${prog}, a program AiCockpit does not know, so check what it does`)];
}

/** A word for PowerShell's tokenizer: single-quoted when it holds spaces or quotes. */
function psQuote(w: Word): string {
  const t = w.literal ?? w.text;
  return /[\s'"`;|&(){}]/.test(t) ? `'${t.replace(/'/g, "''")}'` : t;
}

/** Programs whose danger lies in their arguments: a program named only at run time is judged as each of them. */
const WORST_CASE_PROGRAMS = [
  "rm",
  "chmod",
  "chown",
  "mv",
  "cp",
  "dd",
  "find",
  "git",
  "docker",
  "kubectl",
  "kill",
  "tee",
  "truncate",
  "rsync",
  "tar",
  "sed",
  "iptables",
  "crontab",
];

/**
 * `${RM} -rf /`, `$X push --force`: the program is only known when it runs, so the
 * arguments are read as the worst case: if any of the usual programs would be dangerous
 * with them, so is this. Also read as a wrapper (`$SUDO rm -rf /`).
 */
function worstCase(cmd: Command, head: Word, ctx: RuleContext): Finding[] {
  // Hypotheses must not record downloads or written files.
  const scratch: RuleContext = {
    ...ctx,
    downloaded: new Set(ctx.downloaded),
    written: new Map(ctx.written),
    networkFds: new Map(ctx.networkFds),
  };
  const rest = cmd.argv.slice(1);
  const next = rest[0];
  if (next === undefined) return [];
  const hypotheses: { as: string; findings: Finding[] }[] = WORST_CASE_PROGRAMS.map((p) => {
    const rule = ruleFor(p);
    if (!rule) throw new Error(`WORST_CASE_PROGRAMS lists ${p}, which has no rule`);
    const argv = [literalWord(p), ...rest];
    return { as: p, findings: rule({ ...cmd, argv }, readArgs(argv, argsWithValue(p)), scratch) };
  });
  if (next.literal !== null) {
    const wrapper = {
      as: `a wrapper such as sudo running ${next.literal}`,
      findings: judgeCommand({ ...cmd, argv: rest }, scratch),
    };
    if (isKnownProgram(programName(next))) hypotheses.unshift(wrapper);
    else hypotheses.push(wrapper);
  }
  for (const h of hypotheses) {
    const bad = h.findings.find((x) => x.risk === "dangerous");
    if (bad)
      return [
        f(
          "dangerous",
          cmd,
          `runs a program named by ${shown(head)}, which is only known when it runs; read as the worst case (${h.as}), it ${bad.says.replace(/\.$/, "")}`,
        ),
      ];
  }
  return [];
}

function argsWithValue(prog: string): string[] {
  switch (prog) {
    case "truncate":
      return ["-s", "--size", "-r", "--reference"];
    case "curl":
      return [
        "-o",
        "--output",
        "-X",
        "--request",
        "-d",
        "--data",
        "-H",
        "--header",
        "-u",
        "--user",
        "-F",
        "--form",
        "-T",
        "--upload-file",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "-x",
        "--proxy",
        "-m",
        "--max-time",
        "-w",
        "--write-out",
        "--data-raw",
        "--data-binary",
        "--json",
      ];
    case "wget":
      return [
        "-O",
        "--output-document",
        "-P",
        "--directory-prefix",
        "-U",
        "--user-agent",
        "--header",
        "-o",
        "--output-file",
        "-t",
        "--tries",
        "-T",
        "--timeout",
      ];
    case "mv":
    case "cp":
    case "install":
    case "ln":
      return ["-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g", "--group"];
    case "tar":
      return ["-f", "--file", "-C", "--directory", "-T", "--files-from", "-X", "--exclude-from"];
    case "sort":
      return ["-o", "--output", "-k", "--key", "-t", "--field-separator", "-S", "--buffer-size", "-T"];
    case "sed":
      return ["-e", "--expression", "-f", "--file", "-l"];
    case "chmod":
    case "chown":
    case "chgrp":
      return ["--reference"];
    case "awk":
    case "gawk":
    case "mawk":
      return ["-F", "-v", "-f"];
    case "kill":
      return ["-s", "-n"];
    case "nc":
    case "ncat":
    case "netcat":
      return ["-e", "-c", "-p", "-s", "-w"];
    case "python":
    case "python3":
    case "python2":
      return ["-m", "-W", "-X"];
    default:
      return [];
  }
}

/** `*`, `?` and `[set]`; everything else is literal (so hostile patterns cannot make an invalid RegExp). */
function globToRegExp(glob: string): RegExp {
  let body = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    const close = c === "[" ? glob.indexOf("]", i + 2) : -1;
    if (c === "*") body += ".*";
    else if (c === "?") body += ".";
    else if (close > 0) {
      const set = glob.slice(i + 1, close);
      const negate = set.startsWith("!") || set.startsWith("^");
      body += `[${negate ? "^" : ""}${(negate ? set.slice(1) : set).replace(/[\\\][^]/g, "\\$&")}]`;
      i = close;
    } else body += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${body}$`);
}

/** Variables that change how later commands run; the first group holds code the shell runs. */
const CODE_VARIABLES =
  /^(PROMPT_COMMAND|BASH_ENV|ENV|PS[0-4]|GIT_SSH_COMMAND|GIT_EDITOR|GIT_PAGER|EDITOR|VISUAL|PAGER|SUDO_ASKPASS|SSH_ASKPASS)$/;
const HIJACK_VARIABLES =
  /^(PATH|LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|DYLD_\w+|NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|PERL5LIB|RUBYOPT|IFS|HISTFILE|ZDOTDIR|SHELL)$/;

/** `PATH=…`, `export LD_PRELOAD=…`, `PROMPT_COMMAND='…'`: judged by what they let run later. */
function variableFindings(cmd: Command, ctx: RuleContext): Finding[] {
  const sets = [...cmd.assignments];
  if (["export", "declare", "typeset", "local", "readonly"].includes(programName(cmd.argv[0]))) {
    for (const w of cmd.argv.slice(1)) {
      // The name group always participates when the pattern matches.
      const [whole, name = ""] = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text) ?? [];
      if (whole !== undefined)
        sets.push({
          name,
          value: {
            ...w,
            text: w.text.slice(whole.length),
            literal: w.literal?.slice(whole.length) ?? null,
            pattern: w.pattern.slice(whole.length),
          },
        });
    }
  }
  const out: Finding[] = [];
  for (const { name, value } of sets) {
    if (CODE_VARIABLES.test(name)) {
      out.push(f("review", cmd, `sets ${name}, whose value the shell or other programs run as a command`));
      if (value.literal) out.push(...ctx.judgeScript(value.literal));
    } else if (HIJACK_VARIABLES.test(name)) {
      out.push(f("review", cmd, `sets ${name}, which changes which code later commands load or run`));
    }
  }
  return out;
}
