/**
 * Follows one ticket run's events from the backend, resuming after a dropped connection with
 * `Last-Event-ID: <last seq>` so nothing is lost or shown twice. Starting from 0 replays the
 * whole run (a panel restored after a window reload does that).
 */
import type { TicketRunEvent } from "../../server/api/tickets";
import { BackendError, type BackendClient } from "../backend/client";

const RETRY_MS = [500, 1_000, 2_000, 5_000];

export interface FollowOptions {
  ticketId: string;
  runId: string;
  /** Last seq already shown (0: from the start). */
  after: number;
  onEvent: (ev: TicketRunEvent) => void;
  /** A connection dropped and is being retried (for the panel's status line). */
  onReconnect?: (attempt: number, err: unknown) => void;
  signal: AbortSignal;
}

/** Resolves after the run's `end` event (or the signal aborted); gives up only on a definite error (404). */
export async function followRun(client: BackendClient, o: FollowOptions): Promise<void> {
  let after = o.after;
  let attempt = 0;
  const path = `/api/tickets/${encodeURIComponent(o.ticketId)}/runs/${encodeURIComponent(o.runId)}/events`;
  while (!o.signal.aborted) {
    let ended = false;
    try {
      for await (const m of client.stream("GET", path, {
        signal: o.signal,
        timeoutMs: 20_000,
        headers: after > 0 ? { "last-event-id": String(after) } : {},
      })) {
        let ev: TicketRunEvent;
        try {
          ev = JSON.parse(m.data) as TicketRunEvent;
        } catch {
          continue;
        }
        if (ev.type === "heartbeat" || ev.seq <= after) continue;
        after = ev.seq;
        attempt = 0;
        o.onEvent(ev);
        if (ev.type === "end") ended = true;
      }
      // [DONE] (or the stream closed) after the end: finished.
      if (ended) return;
    } catch (err) {
      if (o.signal.aborted) return;
      if (err instanceof BackendError && (err.status === 404 || err.code === "TICKET_RUN_NOT_FOUND")) throw err;
      o.onReconnect?.(attempt + 1, err);
    }
    if (ended) return;
    const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 5_000;
    attempt++;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, wait);
      o.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}
