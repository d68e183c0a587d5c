/** docker/podman, kubectl, terraform: judged per subcommand. */
import type { Command, Word } from "../parse";
import { classifyPath, describeClass } from "../paths";
import { has, readArgs } from "../args";
import { f, literalWord, subcommand, type Finding, type Rule } from "./finding";

export const DOCKER_READ = new Set([
  "ps",
  "images",
  "logs",
  "inspect",
  "version",
  "info",
  "stats",
  "top",
  "port",
  "diff",
  "history",
  "search",
  "events",
  "ls",
  "df",
  "config",
  "help",
  "list",
  "",
]);

/** Bind mounts that give a container write access to the host's root, system or home directories. */
function hostMounts(cmd: Command, words: Word[]): Finding[] {
  const out: Finding[] = [];
  for (const [i, w] of words.entries()) {
    const t = w.text;
    const next = words[i + 1];
    let spec: string | null = null;
    if ((t === "-v" || t === "--volume" || t === "--mount") && next) spec = next.literal;
    else if (/^(-v|--volume=|--mount=)/.test(t)) spec = t.replace(/^(-v|--volume=|--mount=)/, "");
    if (!spec) continue;
    const host =
      spec.includes("source=") || spec.includes("src=")
        ? (/(?:source|src)=([^,]+)/.exec(spec)?.[1] ?? "")
        : spec.replace(/:.*$/s, "");
    const readOnly = /(^|[:,])(ro|readonly)($|[,:])/.test(spec.slice(host.length));
    const c = classifyPath(literalWord(host));
    if (!readOnly && (c === "root" || c === "system" || c === "home" || c === "device")) {
      out.push(f("dangerous", cmd, `gives the container write access to ${describeClass(c, host)} on the host`));
    }
  }
  return out;
}

export const docker: Rule = (cmd) => {
  const { sub, rest } = subcommand(cmd, [
    "-H",
    "--host",
    "--context",
    "-c",
    "--config",
    "-l",
    "--log-level",
    "-f",
    "--file",
    "-p",
    "--project-name",
  ]);
  const a = readArgs(rest);
  const ops = a.operands.map((w) => w.text);
  const object = [
    "system",
    "volume",
    "image",
    "container",
    "network",
    "builder",
    "buildx",
    "context",
    "compose",
    "plugin",
  ].includes(sub)
    ? (ops[0] ?? "")
    : "";
  const action = object || sub;
  if (sub === "system" && object === "prune") {
    if (has(a, "a", "--all", "--volumes"))
      return [
        f(
          "dangerous",
          cmd,
          "deletes all unused Docker data (images, containers, networks and build cache" +
            (has(a, "--volumes") ? ", volumes" : "") +
            ")",
        ),
      ];
    return [f("review", cmd, "deletes stopped containers, dangling images and unused networks")];
  }
  if (sub === "volume" && object === "prune")
    return [f("dangerous", cmd, "deletes every unused Docker volume and the data in it")];
  if (sub === "compose" && object === "down" && has(a, "v", "--volumes"))
    return [f("review", cmd, "stops the project and deletes its volumes")];
  if (
    ["rm", "rmi", "kill", "stop"].includes(action) ||
    (["volume", "image", "container"].includes(sub) && action === "rm")
  ) {
    const all = rest.some((w) =>
      w.subs.some((s) => /\b(ps|images|ls)\b/.test(s.source) && /(^|\s)-\w*q/.test(s.source)),
    );
    if (all && action !== "stop")
      return [
        f(
          "dangerous",
          cmd,
          `removes every ${sub === "rmi" || sub === "image" ? "image" : sub === "volume" ? "volume and its data" : "container"}`,
        ),
      ];
    return [
      f(
        "review",
        cmd,
        `${action === "stop" || action === "kill" ? "stops" : "removes"} Docker ${sub === "rmi" || sub === "image" ? "images" : sub === "volume" ? "volumes" : "containers"}`,
      ),
    ];
  }
  if (DOCKER_READ.has(action) && action !== "config" && !(sub === "context" && action !== "ls"))
    return [f("safe", cmd, "only reads Docker state")];
  if (sub === "compose" && ["ps", "logs", "config", "ls", "top", "images"].includes(object))
    return [f("safe", cmd, "only reads Docker state")];
  if (sub === "run" || sub === "create" || (sub === "container" && (object === "run" || object === "create"))) {
    const mounts = hostMounts(cmd, rest);
    if (mounts.length > 0) return mounts;
    return [
      f(
        "review",
        cmd,
        has(a, "--privileged")
          ? "runs a privileged container, which has full access to the host"
          : "runs a command in a container",
      ),
    ];
  }
  if (sub === "exec" || (sub === "compose" && (object === "exec" || object === "run")))
    return [f("review", cmd, "runs a command in a container")];
  return [f("review", cmd, `changes Docker state (${[sub, object].filter(Boolean).join(" ")})`)];
};

export const kubectl: Rule = (cmd) => {
  const { sub, rest } = subcommand(cmd, ["-n", "--namespace", "--context", "--kubeconfig", "-o", "--output"]);
  const a = readArgs(rest, ["-n", "--namespace", "-o", "-l", "--selector", "-f"]);
  if (
    [
      "get",
      "describe",
      "logs",
      "top",
      "explain",
      "version",
      "api-resources",
      "api-versions",
      "cluster-info",
      "auth",
      "diff",
      "",
    ].includes(sub)
  )
    return [f("safe", cmd, "only reads cluster state")];
  if (
    sub === "config" &&
    ["view", "get-contexts", "current-context", "get-clusters"].includes(a.operands[0]?.text ?? "")
  )
    return [f("safe", cmd, "only reads configuration")];
  if (sub === "delete") {
    const kind = a.operands[0]?.text ?? "";
    if (
      has(a, "--all", "A", "--all-namespaces") ||
      /^(ns|namespace|namespaces|node|nodes|pv|persistentvolume|persistentvolumes|crd|crds)$/.test(kind)
    ) {
      return [f("dangerous", cmd, "deletes cluster resources wholesale")];
    }
    return [f("review", cmd, "deletes cluster resources")];
  }
  return [f("review", cmd, `changes cluster state (kubectl ${sub})`)];
};

export const terraform: Rule = (cmd) => {
  const { sub, rest } = subcommand(cmd, ["-chdir"]);
  if (sub === "destroy" || (sub === "apply" && rest.some((w) => w.text === "-destroy")))
    return [f("dangerous", cmd, "destroys the infrastructure it manages")];
  if (
    ["plan", "show", "validate", "output", "version", "fmt", "graph", "providers", "state"].includes(sub) &&
    !(sub === "state" && ["rm", "mv", "push"].includes(rest[1]?.text ?? ""))
  )
    return [f("safe", cmd, "only reads or plans")];
  return [f("review", cmd, `changes infrastructure (terraform ${sub})`)];
};
