/**
 * Context for the suggestion prompt, as pure functions over what the VS Code side read:
 * a readable OS name, the shell's name, and the project's package manager and scripts
 * (from file names in the workspace root and package.json). Cheap on purpose: one
 * directory listing and one small file, never a tree walk.
 */
import type { ShellProjectContext } from "../../server/api/shell";
import { SHELL_LIMITS } from "../../server/api/shell";

const OS_NAMES: Record<string, string> = {
  linux: "Linux",
  darwin: "macOS",
  win32: "Windows",
  freebsd: "FreeBSD",
  openbsd: "OpenBSD",
};

/** e.g. "Linux 6.1.0-18-amd64", "macOS (Darwin 24.1.0)", "Windows 10.0.22631". */
export function osLabel(platform: string, release: string): string {
  const name = OS_NAMES[platform] ?? platform;
  // Darwin's kernel version is not the macOS version a person knows; say which it is.
  const label = platform === "darwin" ? `${name} (Darwin ${release})` : `${name} ${release}`;
  return label.trim().slice(0, SHELL_LIMITS.osChars);
}

/** "/usr/bin/bash" → "bash", "C:\\…\\pwsh.exe" → "pwsh.exe"; undefined when there is none. */
export function shellName(shellPath: string | undefined): string | undefined {
  const name = shellPath?.trim().replace(/^.*[\\/]/, "");
  if (!name || !/^[\w .:()-]+$/.test(name)) return undefined;
  return name.slice(0, SHELL_LIMITS.shellChars);
}

// First match wins: a lockfile says more than a manifest (package.json alone means npm).
const MANAGERS: [file: string, manager: string][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lockb", "bun"],
  ["bun.lock", "bun"],
  ["package-lock.json", "npm"],
  ["package.json", "npm"],
  ["uv.lock", "uv"],
  ["poetry.lock", "poetry"],
  ["Pipfile", "pipenv"],
  ["requirements.txt", "pip"],
  ["pyproject.toml", "pip"],
  ["Cargo.toml", "cargo"],
  ["go.mod", "go"],
  ["pom.xml", "maven"],
  ["build.gradle", "gradle"],
  ["build.gradle.kts", "gradle"],
  ["Gemfile", "bundler"],
  ["composer.json", "composer"],
];

/** Script names of a package.json (its text); [] when it is not valid JSON or has none. */
export function packageScripts(packageJson: string | undefined): string[] {
  if (packageJson === undefined) return [];
  try {
    const v: unknown = JSON.parse(packageJson);
    const scripts = typeof v === "object" && v !== null ? (v as { scripts?: unknown }).scripts : undefined;
    if (typeof scripts !== "object" || scripts === null || Array.isArray(scripts)) return [];
    return Object.keys(scripts)
      .filter((k) => k.length <= SHELL_LIMITS.scriptNameChars && !/[\u0000-\u001f\u007f]/.test(k))
      .slice(0, SHELL_LIMITS.scripts);
  } catch {
    return [];
  }
}

/** The project's package manager and scripts, or undefined when the root shows neither. */
export function detectProject(
  rootFiles: readonly string[],
  packageJson: string | undefined,
): ShellProjectContext | undefined {
  const names = new Set(rootFiles);
  const manager = MANAGERS.find(([f]) => names.has(f))?.[1];
  // `packageManager: "pnpm@9.1.0"` in package.json (corepack) beats the lockfile guess.
  let declared: string | undefined;
  try {
    const v: unknown = packageJson === undefined ? undefined : JSON.parse(packageJson);
    const pm = typeof v === "object" && v !== null ? (v as { packageManager?: unknown }).packageManager : undefined;
    if (typeof pm === "string") declared = /^(npm|pnpm|yarn|bun)@/.exec(pm)?.[1];
  } catch {
    // not JSON: no declaration
  }
  const scripts = packageScripts(packageJson);
  const packageManager = declared ?? manager;
  if (packageManager === undefined && scripts.length === 0) return undefined;
  return { ...(packageManager ? { packageManager } : {}), ...(scripts.length > 0 ? { scripts } : {}) };
}
