/** For E2E suites that also need the rig (scripts/test-infra.sh): Docker, sshd. */
import { requireInfraOrSkip, type InfraEnv } from "../../fixtures/infra-env";
import { e2eSkipReason } from "./vscode";

/**
 * Why the suite skips (no code-server/Chromium, or no rig outside CI: `missing`), else the
 * rig. Under CI=true nothing skips: both checks fail the suite instead.
 */
export async function e2eInfraOrSkip(suiteFile: string, missing: string): Promise<{ skip?: string; env?: InfraEnv }> {
  const skip = e2eSkipReason(suiteFile);
  if (skip) return { skip };
  const env = await requireInfraOrSkip(`${suiteFile} (e2e)`);
  return env ? { env } : { skip: missing };
}
