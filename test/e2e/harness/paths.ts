/**
 * Where the E2E harness finds its tools: code-server (installed by scripts/install-deps.sh
 * into a cache folder outside the repo, never a project dependency) and Debian's Chromium.
 * Kept in step with scripts/lib.sh.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export const CODE_SERVER_VERSION = process.env.AIC_CODE_SERVER_VERSION ?? "4.100.3";

export const REPO_ROOT = resolve(__dirname, "..", "..", "..");
export const ARTIFACTS_DIR = join(REPO_ROOT, ".test-artifacts", "e2e");

export const IN_CI = process.env.CI === "true" || process.env.CI === "1";

export function cacheDir(): string {
  return process.env.AICOCKPIT_CACHE ?? join(homedir(), ".cache", "aicockpit");
}

export function codeServerBin(): string {
  if (process.env.AICOCKPIT_CODE_SERVER) return process.env.AICOCKPIT_CODE_SERVER;
  return join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, "node_modules", ".bin", "code-server");
}

export function chromiumBin(): string {
  return process.env.AICOCKPIT_CHROMIUM ?? "/usr/bin/chromium";
}

/** Why the E2E suite cannot run here, or undefined when it can. */
export function missingPrerequisites(): string | undefined {
  const missing: string[] = [];
  if (!existsSync(codeServerBin())) missing.push(`code-server ${CODE_SERVER_VERSION} (expected at ${codeServerBin()})`);
  if (!existsSync(chromiumBin())) missing.push(`Chromium (expected at ${chromiumBin()})`);
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(" and ")} — run \`sudo bash scripts/install-deps.sh\``;
}
