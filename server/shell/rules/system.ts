/** Processes, power, services, scheduling, network settings and other system programs. */
import { programName } from "../wrappers";
import { has } from "../args";
import { f, type Finding, type Rule, upstreamOutput } from "./finding";
import { FIREWALL_SERVICES } from "./defences";

export const kill: Rule = (cmd) => {
  const words = cmd.argv.slice(1).map((w) => w.text);
  let i = 0;
  if (words[0] === "-s" || words[0] === "-n") i = 2;
  else if (words[0] !== undefined && /^-([A-Z]+|\d+|SIG\w+)$/.test(words[0]) && words.length > 1) i = 1;
  const targets = words.slice(i).filter((t) => t !== "--");
  if (targets.includes("-1")) return [f("dangerous", cmd, "kills every process you are allowed to signal (pid -1)")];
  if (targets.includes("1")) return [f("dangerous", cmd, "signals init (pid 1), which can bring the system down")];
  if (words.includes("-l") || words.includes("-L")) return [f("safe", cmd, "only lists signals")];
  return [f("review", cmd, `stops process ${targets.join(" ")}`.trim())];
};

export const power: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  if (prog === "shutdown" && has(a, "c")) return [f("review", cmd, "cancels a scheduled shutdown")];
  return [f("dangerous", cmd, `${prog === "reboot" ? "restarts" : "shuts down"} the machine`)];
};

export const init: Rule = (cmd, a) => {
  const level = a.operands[0]?.text ?? "";
  if (/^[016sS]$/.test(level))
    return [
      f(
        "dangerous",
        cmd,
        `switches the system to runlevel ${level} (${level === "0" ? "halt" : level === "6" ? "reboot" : "single-user"})`,
      ),
    ];
  return [f("review", cmd, "changes the system's runlevel")];
};

export const systemctl: Rule = (cmd, a) => {
  const action = a.operands[0]?.text ?? "";
  const firewall = a.operands.slice(1).find((w) => FIREWALL_SERVICES.test(w.text));
  if (firewall && /^(stop|disable|mask|kill)$/.test(action))
    return [f("dangerous", cmd, `turns the firewall off (${action} ${firewall.text})`)];
  if (["poweroff", "reboot", "halt", "kexec", "rescue", "emergency", "soft-reboot"].includes(action))
    return [
      f(
        "dangerous",
        cmd,
        `${action === "reboot" || action === "soft-reboot" || action === "kexec" ? "restarts" : "shuts down or isolates"} the machine`,
      ),
    ];
  if (action === "" || /^(status|show|cat|help|is-|list-|get-default)/.test(action))
    return [f("safe", cmd, "only shows services")];
  if (action === "isolate") return [f("dangerous", cmd, "switches the whole system to another target")];
  return [f("review", cmd, `changes system services (systemctl ${action})`)];
};

export const service: Rule = (cmd, a) => {
  const [unit, verb] = a.operands;
  const action = verb?.text ?? unit?.text ?? "";
  if (unit && FIREWALL_SERVICES.test(unit.text) && action === "stop")
    return [f("dangerous", cmd, `turns the firewall off (${unit.text} stop)`)];
  if (action === "status" || has(a, "--status-all")) return [f("safe", cmd, "only shows service status")];
  return [f("review", cmd, "starts, stops or restarts a system service")];
};

export const crontab: Rule = (cmd, a, ctx) => {
  if (has(a, "r")) return [f("dangerous", cmd, "deletes all of your scheduled cron jobs without asking")];
  if (has(a, "l")) return [f("safe", cmd, "only lists cron jobs")];
  // A crontab piped in from echo/printf: the scheduled commands are judged like typed ones.
  const table = cmd.upstream.length > 0 ? upstreamOutput(cmd) : null;
  const scheduled = (table ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => (l.startsWith("@") ? l.replace(/^@\S+\s+/, "") : l.split(/\s+/).slice(5).join(" ")));
  return [f("review", cmd, "changes scheduled cron jobs"), ...scheduled.flatMap((c) => ctx.judgeScript(c))];
};

export const awk: Rule = (cmd, a, ctx) => {
  const program = a.operands[0]?.literal ?? "";
  if (/system\s*\(|\|\s*"|print[^;]*>|getline/.test(program) || has(a, "i")) {
    const inner = [...program.matchAll(/system\s*\(\s*"((?:\\.|[^"])*)"/g)].flatMap(([, command = ""]) =>
      ctx.judgeScript(command),
    );
    return [f("review", cmd, "runs an awk program that can run commands or write files"), ...inner];
  }
  return [f("safe", cmd, "only processes text")];
};

export const aliasRule: Rule = (cmd, a, ctx) => {
  const out: Finding[] = [];
  for (const w of a.operands) {
    const eq = (w.literal ?? "").indexOf("=");
    if (eq > 0) out.push(...ctx.judgeScript(w.literal!.slice(eq + 1)));
  }
  return out.length > 0 ? out : [f("safe", cmd, "only defines or lists aliases")];
};

export const network: Rule = (cmd, a) => {
  const changing = a.texts.some((t) =>
    /^(add|del|delete|set|flush|change|replace|up|down|append|prepend|route|mtu|netmask|link-set)$/.test(t),
  );
  const prog = programName(cmd.argv[0]);
  if (!changing && !(prog === "ifconfig" && a.operands.length > 1))
    return [f("safe", cmd, "only shows network settings")];
  return [f("review", cmd, "changes network settings")];
};

export const readWithWriteFlags =
  (writeFlags: string[]): Rule =>
  (cmd, a) => {
    if (has(a, ...writeFlags))
      return [f("review", cmd, `changes state (${writeFlags.filter((w) => has(a, w)).join(" ")})`)];
    return [f("safe", cmd, "only reads")];
  };
