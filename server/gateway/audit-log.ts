/**
 * The gateway's audit trail: one JSON line per request in `<dataDir>/gateway-audit.jsonl`
 * (request id, intent, argv, target, status, exit code, duration), secrets removed by the
 * backend's redactor (registered keys and tokens, Bearer headers, `sk-` keys). Output of
 * the command is not kept here. The file is rotated to `.1` past 10 MiB.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { log, redact } from "../log";

export const AUDIT_FILE = "gateway-audit.jsonl";
const MAX_BYTES = 10 * 1024 * 1024;

export interface AuditEntry {
  ts: string;
  request_id: string;
  gateway_instance_id: string;
  intent: string;
  target: { host: string; container: string };
  argv: string[] | null;
  status: string;
  exit_code: number | null;
  duration_ms: number;
  dry_run: boolean;
  /** The command ran (or was checked) from a confirm token, not from a new model answer. */
  confirmed: boolean;
  error_code?: string;
}

export class AuditLog {
  readonly path: string;
  private checkedDir = false;

  constructor(dataDir: string) {
    this.path = join(dataDir, AUDIT_FILE);
  }

  write(entry: AuditEntry): void {
    const line = redact(JSON.stringify(entry)) + "\n";
    try {
      if (!this.checkedDir) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.checkedDir = true;
      }
      try {
        if (statSync(this.path).size > MAX_BYTES) renameSync(this.path, `${this.path}.1`);
      } catch {
        /* no file yet */
      }
      appendFileSync(this.path, line, { mode: 0o600 });
    } catch (err) {
      // The request already has its answer; a full disk must not turn it into a failure.
      log.warn(`gateway audit log not written: ${(err as Error).message}`);
    }
    log.info(`gateway ${entry.status}`, {
      request_id: entry.request_id,
      host: entry.target.host,
      container: entry.target.container,
      exit_code: entry.exit_code,
    });
  }
}
