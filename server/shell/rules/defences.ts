/** Firewalls and kernel modules: turning off the machine's defences or changing its kernel. */
import { has } from "../args";
import { f, type Rule } from "./finding";
import { programName } from "../wrappers";

/** Services whose stopping turns the firewall off. */
export const FIREWALL_SERVICES = /^(firewalld|ufw|iptables|ip6tables|nftables|netfilter-persistent|pf)(\.service)?$/;

export const iptables: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const texts = a.texts;
  const table = texts[texts.indexOf("-t") + 1] ?? texts[texts.indexOf("--table") + 1];
  const inTable = texts.includes("-t") || texts.includes("--table") ? ` of the ${table} table` : "";
  if (has(a, "F", "--flush"))
    return [
      f(
        "dangerous",
        cmd,
        `deletes every firewall rule${inTable} (${prog} flush), which can leave the machine open to the network`,
      ),
    ];
  const p = texts.findIndex((t) => t === "-P" || t === "--policy");
  if (p >= 0 && texts[p + 2]?.toUpperCase() === "ACCEPT")
    return [
      f(
        "dangerous",
        cmd,
        `makes the firewall accept all ${texts[p + 1] ?? ""} traffic by default`.replace(/\s+/g, " "),
      ),
    ];
  if (has(a, "L", "S", "--list", "--list-rules") && !has(a, "X", "A", "D", "I", "P", "Z", "N", "E", "R"))
    return [f("safe", cmd, "only lists firewall rules")];
  return [f("review", cmd, "changes firewall rules")];
};

export const nft: Rule = (cmd, a) => {
  const [verb, what] = a.operands.map((w) => w.text);
  if (
    (verb === "flush" || verb === "delete" || verb === "destroy") &&
    (what === "ruleset" || what === "table" || what === "chain")
  ) {
    return [
      f(
        "dangerous",
        cmd,
        `removes firewall rules (nft ${verb} ${what}), which can leave the machine open to the network`,
      ),
    ];
  }
  if (verb === "list" || (verb === undefined && has(a, "v", "-version")))
    return [f("safe", cmd, "only lists firewall rules")];
  return [f("review", cmd, "changes firewall rules")];
};

export const ufw: Rule = (cmd, a) => {
  const [verb, arg] = a.operands.map((w) => w.text);
  if (verb === "disable" || verb === "reset")
    return [
      f(
        "dangerous",
        cmd,
        `${verb === "disable" ? "turns the firewall off" : "deletes every firewall rule and turns the firewall off"} (ufw ${verb})`,
      ),
    ];
  if (verb === "default" && arg === "allow")
    return [f("dangerous", cmd, "makes the firewall allow all traffic by default")];
  if (verb === "status" || verb === "show" || (verb === "app" && arg === "list") || verb === undefined)
    return [f("safe", cmd, "only shows the firewall's state")];
  return [f("review", cmd, "changes firewall rules")];
};

export const firewallCmd: Rule = (cmd, a) => {
  const texts = a.texts;
  if (
    texts.some((t) => /^--set-default-zone=trusted$/.test(t)) ||
    (texts.includes("--set-default-zone") && texts[texts.indexOf("--set-default-zone") + 1] === "trusted")
  ) {
    return [f("dangerous", cmd, "makes every connection trusted, which turns the firewall off in effect")];
  }
  if (texts.length > 0 && texts.every((t) => /^--(state|list-|get-|query-|info-|zone=)/.test(t)))
    return [f("safe", cmd, "only shows the firewall's state")];
  return [f("review", cmd, "changes firewall rules")];
};

export const pfctl: Rule = (cmd, a) => {
  if (has(a, "d")) return [f("dangerous", cmd, "turns the packet filter (the firewall) off")];
  if (has(a, "F")) return [f("dangerous", cmd, "deletes packet-filter (firewall) rules")];
  if (has(a, "s")) return [f("safe", cmd, "only shows the packet filter's state")];
  return [f("review", cmd, "changes the packet filter (the firewall)")];
};

export const netsh: Rule = (cmd, a) => {
  const t = a.texts.join(" ").toLowerCase();
  if (/advfirewall\b.*\bstate\s+off|firewall\s+set\s+opmode\s+(mode=)?disable/.test(t))
    return [f("dangerous", cmd, "turns the Windows firewall off")];
  if (/\b(show|dump)\b/.test(t) && !/\b(set|add|delete|reset)\b/.test(t))
    return [f("safe", cmd, "only shows network settings")];
  return [f("review", cmd, "changes network or firewall settings (netsh)")];
};

export const kernelModule: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const name = a.operands.map((w) => w.text).join(" ") || "a module";
  const unloads = prog === "rmmod" || prog === "kldunload" || prog === "kextunload" || has(a, "r", "--remove");
  if (prog === "modprobe" && has(a, "n", "--dry-run", "c", "--showconfig", "D", "--show-depends"))
    return [f("safe", cmd, "only shows what would be loaded")];
  return [
    f(
      "dangerous",
      cmd,
      unloads
        ? `removes ${name} from the running kernel, which can cut off hardware or crash the system`
        : `loads ${name} into the running kernel, where it runs with full control of the machine`,
    ),
  ];
};
