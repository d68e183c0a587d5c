export { startVSCode, VSCodeSession, ensureVsix, e2eSkipReason, QUIET_SETTINGS, type StartOptions, type ReportEvent } from "./vscode";
export { ARTIFACTS_DIR, REPO_ROOT, IN_CI, codeServerBin, chromiumBin, missingPrerequisites } from "./paths";
export { TAG_VAR, sweepOrphans } from "./processes";
export { sleep, waitFor, waitForFile } from "./wait";
