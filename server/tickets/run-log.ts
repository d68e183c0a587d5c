/**
 * A run is its event log: `<dataDir>/tickets/<ticket>/runs/<run>.jsonl`, a header line then one
 * TicketRunEvent per line, appended synchronously so an event a client has seen is on disk
 * first. Never in the repository. Replay drops a torn last line (a crash mid-write).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TicketAction, TicketAgentKind, TicketBudgets, TicketRunEvent } from "../api/tickets";

export interface RunHeader {
  run_id: string;
  ticket_id: string;
  action: TicketAction;
  agent: TicketAgentKind;
  created_at: string;
  budgets: TicketBudgets;
  /** The user's question or goal for the run, as sent (bounded by the request schema). */
  message?: string;
}

export class RunLog {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(runId: string): string {
    return join(this.dir, `${runId}.jsonl`);
  }

  create(h: RunHeader): void {
    appendFileSync(this.file(h.run_id), JSON.stringify({ header: h }) + "\n", { mode: 0o600, flag: "wx" });
  }

  append(ev: TicketRunEvent): void {
    appendFileSync(this.file(ev.run_id), JSON.stringify(ev) + "\n");
  }

  static load(file: string): { header: RunHeader; events: TicketRunEvent[] } | undefined {
    if (!existsSync(file)) return undefined;
    let header: RunHeader | undefined;
    const events: TicketRunEvent[] = [];
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line === "") continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        continue; // torn write at a crash
      }
      if (typeof v === "object" && v !== null && "header" in v) header = (v as { header: RunHeader }).header;
      else events.push(v as TicketRunEvent);
    }
    return header ? { header, events } : undefined;
  }

  loadAll(): { header: RunHeader; events: TicketRunEvent[] }[] {
    const out: { header: RunHeader; events: TicketRunEvent[] }[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(".jsonl")) continue;
      const r = RunLog.load(join(this.dir, name));
      if (r) out.push(r);
    }
    return out;
  }
}
