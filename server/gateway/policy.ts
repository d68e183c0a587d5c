/**
 * What the gateway lets a model's docker command do: the subcommands, and per subcommand
 * the flags it may carry (everything else is refused). Read-only subcommands run; state
 * changes of the target container need a confirm token; `exec` is decided by the shell
 * risk assessment of its inner command (validate.ts).
 *
 * Flags are listed by every spelling the docker CLI accepts (pflag: `--tail`, `-n`), with
 * whether they take a value and, where it matters, what the value may be.
 */

export type Kind = "read" | "change" | "exec";

export interface FlagSpec {
  /** Takes a value (`--tail 20`, `--tail=20`, `-n20`). */
  value: boolean;
  /** The value must match, e.g. digits for --tail. */
  pattern?: RegExp;
  /** Canonical long name (for reasons and checks). */
  name: string;
}

export interface SubcommandSpec {
  kind: Kind;
  flags: Record<string, FlagSpec>;
  /** Flags refused with a specific explanation (checked before the allow-list). */
  refused?: Record<string, string>;
}

const DURATION_OR_TIME = /^[0-9A-Za-z:.+-]{1,40}$/;
const COUNT = /^(\d{1,7}|all)$/;
const SIGNAL = /^(SIG)?[A-Z0-9]{1,10}$|^\d{1,2}$/i;
// Go templates are data for the docker CLI (no function runs programs), but keep them short and on one line.
const TEMPLATE = /^[^\n]{1,300}$/;
const SIZE = /^\d{1,12}[bkmgBKMG]?$|^-1$/;

function flags(...defs: [names: [string, ...string[]], value: boolean, pattern?: RegExp][]): Record<string, FlagSpec> {
  const out: Record<string, FlagSpec> = {};
  for (const [names, value, pattern] of defs) {
    const name = names.find((n) => n.startsWith("--")) ?? names[0];
    for (const n of names) out[n] = { value, name, ...(pattern ? { pattern } : {}) };
  }
  return out;
}

export const SUBCOMMANDS: Record<string, SubcommandSpec> = {
  ps: {
    kind: "read",
    flags: flags(
      [["-a", "--all"], false],
      [["-f", "--filter"], true, /^[a-z_]{1,20}=[^\n]{0,200}$/],
      [["--format"], true, TEMPLATE],
      [["-n", "--last"], true, /^\d{1,5}$/],
      [["-l", "--latest"], false],
      [["--no-trunc"], false],
      [["-q", "--quiet"], false],
      [["-s", "--size"], false],
    ),
  },
  logs: {
    kind: "read",
    flags: flags(
      [["-n", "--tail"], true, COUNT],
      [["--since"], true, DURATION_OR_TIME],
      [["--until"], true, DURATION_OR_TIME],
      [["-t", "--timestamps"], false],
      [["--details"], false],
    ),
    refused: {
      "-f": "follows the log forever (`-f`/`--follow` is not allowed; use --tail or --since)",
      "--follow": "follows the log forever (`-f`/`--follow` is not allowed; use --tail or --since)",
    },
  },
  inspect: {
    kind: "read",
    flags: flags([["-f", "--format"], true, TEMPLATE], [["-s", "--size"], false], [["--type"], true, /^container$/]),
  },
  stats: {
    kind: "read",
    flags: flags([["--no-stream"], false], [["--no-trunc"], false], [["--format"], true, TEMPLATE]),
    refused: {
      "-a": "lists every container (`-a`/`--all` is not allowed)",
      "--all": "lists every container (`-a`/`--all` is not allowed)",
    },
  },
  top: { kind: "read", flags: {} },
  port: { kind: "read", flags: {} },
  diff: { kind: "read", flags: {} },
  start: {
    kind: "change",
    flags: {},
    refused: {
      "-a": "attaches to the container's output (`-a`/`--attach` is not allowed)",
      "--attach": "attaches to the container's output (`-a`/`--attach` is not allowed)",
      "-i": "attaches standard input (`-i`/`--interactive` is not allowed)",
      "--interactive": "attaches standard input (`-i`/`--interactive` is not allowed)",
    },
  },
  stop: {
    kind: "change",
    flags: flags([["-t", "--time", "--timeout"], true, /^\d{1,4}$/], [["-s", "--signal"], true, SIGNAL]),
  },
  restart: {
    kind: "change",
    flags: flags([["-t", "--time", "--timeout"], true, /^\d{1,4}$/], [["-s", "--signal"], true, SIGNAL]),
  },
  kill: { kind: "change", flags: flags([["-s", "--signal"], true, SIGNAL]) },
  pause: { kind: "change", flags: {} },
  unpause: { kind: "change", flags: {} },
  rm: {
    kind: "change",
    flags: flags([["-f", "--force"], false], [["-v", "--volumes"], false]),
    refused: {
      "-l": "removes a link (`-l`/`--link` is not allowed)",
      "--link": "removes a link (`-l`/`--link` is not allowed)",
    },
  },
  update: {
    kind: "change",
    flags: flags(
      [["--cpus"], true, /^\d{1,3}(\.\d{1,3})?$/],
      [["-c", "--cpu-shares"], true, /^\d{1,6}$/],
      [["--cpu-period"], true, /^\d{1,9}$/],
      [["--cpu-quota"], true, /^-?\d{1,9}$/],
      [["--cpuset-cpus"], true, /^[0-9,-]{1,64}$/],
      [["--cpuset-mems"], true, /^[0-9,-]{1,64}$/],
      [["-m", "--memory"], true, SIZE],
      [["--memory-reservation"], true, SIZE],
      [["--memory-swap"], true, SIZE],
      [["--pids-limit"], true, /^-?\d{1,9}$/],
      [["--blkio-weight"], true, /^\d{1,4}$/],
      [["--restart"], true, /^(no|always|unless-stopped|on-failure(:\d{1,3})?)$/],
    ),
  },
  exec: {
    kind: "exec",
    flags: flags(
      [["-u", "--user"], true, /^[A-Za-z0-9_.-]{1,32}(:[A-Za-z0-9_.-]{1,32})?$/],
      [["-w", "--workdir"], true, /^\/[^\n]{0,4095}$/],
    ),
    refused: {
      "--privileged": "gives the command extended privileges (`--privileged` is never allowed)",
      "-d": "detaches the command so it escapes the time limit (`-d`/`--detach` is not allowed)",
      "--detach": "detaches the command so it escapes the time limit (`-d`/`--detach` is not allowed)",
      "--detach-keys": "changes the detach keys (`--detach-keys` is not allowed)",
      "-e": "sets environment variables the risk assessment cannot see (`-e`/`--env` is not allowed)",
      "--env": "sets environment variables the risk assessment cannot see (`-e`/`--env` is not allowed)",
      "--env-file": "reads environment variables from a file (`--env-file` is not allowed)",
      "-i": "attaches standard input, which the gateway does not provide (`-i` is not allowed)",
      "--interactive": "attaches standard input, which the gateway does not provide (`--interactive` is not allowed)",
      "-t": "allocates a terminal, which the gateway does not provide (`-t` is not allowed)",
      "--tty": "allocates a terminal, which the gateway does not provide (`--tty` is not allowed)",
    },
  },
};

/** `docker container <verb>` spellings of the same subcommands. */
export const CONTAINER_VERBS: Record<string, string> = {
  ls: "ps",
  list: "ps",
  ps: "ps",
  logs: "logs",
  inspect: "inspect",
  stats: "stats",
  top: "top",
  port: "port",
  diff: "diff",
  start: "start",
  stop: "stop",
  restart: "restart",
  kill: "kill",
  pause: "pause",
  unpause: "unpause",
  rm: "rm",
  remove: "rm",
  update: "update",
  exec: "exec",
};

/** Subcommands refused with a reason naming what they would do. Anything else unknown is refused too. */
export const REFUSED_SUBCOMMANDS: Record<string, string> = {
  run: "creates and starts a new container",
  create: "creates a new container",
  cp: "copies files into or out of a container",
  build: "builds an image",
  buildx: "builds images",
  builder: "manages the build cache",
  system: "manages the whole Docker Engine (prune, events, info)",
  volume: "manages volumes",
  network: "manages networks",
  image: "manages images",
  images: "lists images (not about the target container)",
  rmi: "removes images",
  pull: "downloads images",
  push: "uploads images",
  compose: "manages whole applications",
  swarm: "manages the swarm",
  node: "manages swarm nodes",
  service: "manages swarm services",
  stack: "manages swarm stacks",
  secret: "manages secrets",
  config: "manages swarm configs",
  context: "switches the Docker Engine",
  login: "stores registry credentials",
  logout: "removes registry credentials",
  plugin: "manages engine plugins",
  commit: "creates an image from a container",
  export: "exports a container's filesystem",
  import: "imports a filesystem as an image",
  save: "saves images",
  load: "loads images",
  tag: "tags images",
  attach: "attaches to a container's terminal",
  rename: "renames a container",
  wait: "blocks until a container stops",
  events: "streams engine events without end",
  trust: "manages image signing",
  manifest: "manages image manifests",
  checkpoint: "manages checkpoints",
  info: "describes the whole engine (not the target container)",
  version: "describes the engine (not the target container)",
  search: "queries a registry",
  history: "shows an image's history",
  container: "manages containers (only the listed verbs are allowed)",
  prune: "removes data",
};

export const SUBCOMMAND_SUMMARY =
  "allowed: ps (filtered to the target), logs (--tail/--since/--until/--timestamps), inspect, stats --no-stream, top, port, diff, exec (risk-assessed); with confirmation: start, stop, restart, kill, pause, unpause, rm, update";
