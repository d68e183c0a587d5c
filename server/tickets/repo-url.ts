/**
 * Which repository addresses a ticket may clone, decided before git sees them. git treats
 * many strings as programs or options: `ext::sh -c …` runs a command, `--upload-pack=…`
 * is an option, `ssh://-oProxyCommand=…` becomes an ssh option. So: https and ssh
 * (`ssh://` or scp-like `user@host:path`) only, no `<transport>::` syntax, nothing
 * option-like anywhere, no credentials in the URL (the token travels separately), and local
 * paths / `file://` only when AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS allows them — absolute,
 * without `..`.
 */
import { isAbsolute, normalize } from "node:path";
import { AppError } from "../errors";

export interface RepoRef {
  /** Exactly what is handed to git (after `--`). */
  url: string;
  kind: "https" | "ssh" | "local";
  /** owner/name on the forge, when the address names one. */
  owner?: string;
  name?: string;
}

const refuse = (why: string): never => {
  throw new AppError("TICKET_REPO_REFUSED", `Repository address refused: ${why}.`, "Use an https or ssh address.");
};

function ownerName(path: string): { owner?: string; name?: string } {
  const parts = path
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .split("/");
  if (parts.length < 2) return {};
  const name = parts.at(-1)!;
  const owner = parts.at(-2)!;
  return /^[\w.-]+$/.test(owner) && /^[\w.-]+$/.test(name) ? { owner, name } : {};
}

const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function parseRepoUrl(raw: string, allowLocal: boolean): RepoRef {
  const url = raw.trim();
  if (url === "") refuse("it is empty");
  if (/[\u0000-\u0020\u007f]/.test(url)) refuse("it contains spaces or control characters");
  if (url.startsWith("-")) refuse("it looks like a git option");
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url) || url.includes("::"))
    refuse("git transport helpers (`ext::`, `fd::`, …) are not allowed");
  if (url.split("/").includes("..")) refuse("it must not contain `..`");

  if (/^https:\/\//i.test(url)) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return refuse("it is not a valid URL");
    }
    if (u.username || u.password) refuse("credentials must not be part of the URL (the token is sent separately)");
    if (!HOST.test(u.hostname.replace(/^\[|\]$/g, "")) && !/^\[[0-9a-f:]+\]$/i.test(u.hostname))
      refuse("the host name is not valid");
    if (u.search || u.hash) refuse("query strings and fragments are not allowed");
    return { url, kind: "https", ...ownerName(u.pathname) };
  }
  if (/^ssh:\/\//i.test(url)) {
    const m = /^ssh:\/\/(?:([A-Za-z0-9._-]+)@)?([^/:]+)(?::(\d{1,5}))?(\/.+)$/i.exec(url);
    if (!m || !HOST.test(m[2]!)) return refuse("it is not a valid ssh:// address");
    return { url, kind: "ssh", ...ownerName(m[4]!) };
  }
  const scp = /^(?:([A-Za-z0-9._-]+)@)?([A-Za-z0-9.-]+):([^/].*)$/.exec(url);
  if (scp && !url.includes("://")) {
    if (!HOST.test(scp[2]!)) refuse("the host name is not valid");
    if (scp[3]!.startsWith("-")) refuse("the path looks like an option");
    return { url, kind: "ssh", ...ownerName(scp[3]!) };
  }
  if (/^file:\/\//i.test(url) || isAbsolute(url)) {
    if (!allowLocal)
      throw new AppError(
        "TICKET_REPO_REFUSED",
        "Local repositories are not allowed by the current settings.",
        "Set AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS=1 (aicockpit.tickets.allowLocalRepositories) to clone from a local path.",
      );
    const path = /^file:\/\//i.test(url) ? decodeURIComponent(url.slice("file://".length)) : url;
    if (!isAbsolute(path) || normalize(path).replace(/\/+$/, "") !== path.replace(/\/+$/, ""))
      refuse("a local path must be absolute and normalised");
    return { url: path, kind: "local", ...ownerName(path) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    return refuse("only https://, ssh:// and user@host:path addresses are allowed");
  return refuse("a relative path is not a repository address");
}

/** `main`, `release/1.2` — what `git check-ref-format --branch` would accept, minus anything option-like. */
export function assertBranchName(name: string, what = "base_branch"): void {
  const bad =
    name.startsWith("-") ||
    name.startsWith("/") ||
    name.endsWith("/") ||
    name.endsWith(".") ||
    name.endsWith(".lock") ||
    name.includes("..") ||
    name.includes("@{") ||
    name.includes("//") ||
    /[\u0000-\u0020\u007f~^:?*[\\]/.test(name) ||
    name === "@";
  if (bad) throw new AppError("BAD_REQUEST", `${what} ${JSON.stringify(name)} is not a valid branch name.`);
}
