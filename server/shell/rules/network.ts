/** Programs that talk to the network: downloads are tracked so running them later is caught. */
import { has, value } from "../args";
import { f, shown, type Finding, type Rule } from "./finding";

export const curl: Rule = (cmd, a, ctx) => {
  const out: Finding[] = [];
  const file = value(a, "-o", "--output");
  if (file) ctx.downloaded.add(file.literal ?? file.text);
  if (has(a, "O", "--remote-name")) for (const u of a.operands) ctx.downloaded.add(basenameOfUrl(u.text));
  if (file || has(a, "O", "--remote-name")) out.push(f("review", cmd, `downloads into ${file ? shown(file) : "a file"}`));
  const method = value(a, "-X", "--request")?.text.toUpperCase();
  if (has(a, "d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "F", "--form", "T", "--upload-file", "--json") || (method && method !== "GET" && method !== "HEAD")) {
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
  return [f("review", cmd, `downloads into ${out ? shown(out) : "a file"}`)];
};

export const netcat: Rule = (cmd, a) => {
  if (has(a, "e", "c", "--exec", "--sh-exec", "--lua-exec")) return [f("dangerous", cmd, "gives whoever connects a shell on this machine")];
  return [f("review", cmd, "opens a network connection")];
};
