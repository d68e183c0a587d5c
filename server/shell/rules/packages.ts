/** Package managers: reads are safe, installs are a review, removing what the OS needs is dangerous. */
import { programName } from "../wrappers";
import { f, type Rule } from "./finding";

export const PKG_READ =
  /^(list|ls|ll|la|search|show|info|view|policy|madison|depends|rdepends|outdated|help|--version|-v|-V|version|why|explain|config|doctor|audit|freeze|check|root|prefix|whoami|ping|query|-Q\w*|-Ss|-Si|-l|-L|-s|-S|files|search-installed|desc|leaves|deps|home|env|fund|cache)$/;
export const CRITICAL_PACKAGES =
  /^(libc6|libc-bin|systemd|sudo|coreutils|bash|dash|apt|dpkg|python3|linux-image.*|grub.*|glibc|util-linux|login|passwd|openssh-server|base|base-files|init|kernel.*)$/;

export const packageManager: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const sub = a.operands[0]?.text ?? cmd.argv[1]?.text ?? "";
  if (sub === "" && ["yarn", "bun", "bundle", "composer", "poetry", "pipenv"].includes(prog))
    return [f("review", cmd, "installs the project's dependencies")];
  if (sub === "" || PKG_READ.test(sub)) {
    if (
      !(sub === "audit" && a.texts.includes("fix")) &&
      !(sub === "version" && a.operands.length > 1) &&
      !(sub === "config" && ["set", "delete", "edit"].includes(a.operands[1]?.text ?? ""))
    ) {
      return [f("safe", cmd, "only reads package information")];
    }
  }
  if (["remove", "purge", "autoremove", "erase", "uninstall", "-R", "-Rs", "-Rns", "del"].includes(sub)) {
    const crit = a.operands.slice(1).find((w) => CRITICAL_PACKAGES.test(w.text));
    if (crit) return [f("dangerous", cmd, `removes ${crit.text}, a package the operating system needs`)];
    return [f("review", cmd, `removes packages (${prog} ${sub})`)];
  }
  if (sub === "publish") return [f("review", cmd, "publishes a package to a registry")];
  if (
    ["run", "run-script", "test", "start", "exec", "x", "dlx", "create"].includes(sub) ||
    prog === "npx" ||
    prog === "pnpx" ||
    prog === "bunx" ||
    prog === "uvx"
  ) {
    return [
      f(
        "review",
        cmd,
        prog === "npx" || prog === "pnpx" || prog === "bunx" || prog === "uvx" || sub === "dlx"
          ? "downloads and runs a package"
          : "runs project scripts",
      ),
    ];
  }
  return [f("review", cmd, `changes installed packages (${prog} ${sub})`.trim())];
};
