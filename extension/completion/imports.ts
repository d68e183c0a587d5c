/** Moved to common/imports.ts: the backend resolves imported definitions with the same rules. */
export { candidatePaths, importSpecifiers } from "../../common/imports";
