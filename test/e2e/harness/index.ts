export {
  startVSCode,
  VSCodeSession,
  ensureVsix,
  e2eSkipReason,
  QUIET_SETTINGS,
  CHROMIUM_ARGS,
  type StartOptions,
  type ReportEvent,
} from "./vscode";
export { ARTIFACTS_DIR, REPO_ROOT, IN_CI, codeServerBin, chromiumBin, missingPrerequisites } from "./paths";
export { TAG_VAR, sweepOrphans, makeTag, taggedPids, killAll, waitGone } from "./processes";
export { sleep, waitFor, waitForFile } from "./wait";
export { scriptedE2E, scriptedProvider, type ScriptedE2E } from "./scripted";
export { e2eInfraOrSkip } from "./infra";
