/**
 * TEST HOOK for the E2E harness, inert unless AICOCKPIT_E2E_REPORT names a file: appends
 * one JSON line per notable event (activated, backend pid/ready, status changes) so the
 * harness can find the backend pid to kill and wait for states without scraping the UI.
 * Never pass secrets here.
 */
import { appendFileSync } from "node:fs";

const reportFile = process.env.AICOCKPIT_E2E_REPORT;

export function e2eReport(event: string, fields: Record<string, string | number | boolean | null> = {}): void {
  if (reportFile === undefined || reportFile === "") return;
  try {
    appendFileSync(reportFile, JSON.stringify({ t: new Date().toISOString(), event, ...fields }) + "\n");
  } catch {
    // A broken test hook must never break the extension.
  }
}
