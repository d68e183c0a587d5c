/**
 * Follows one task's event stream until the task is over. A dropped stream (backend restart,
 * network hiccup) is reopened with `Last-Event-ID` = the last sequence id seen, so nothing is
 * missed; events at or below it are ignored, so nothing is repeated. No `vscode` here.
 */
import type { TaskEvent } from "../../server/api/tasks";
import type { BackendClient } from "../backend/client";
import { backoffMs, FINAL } from "./model";

export interface FollowHandlers {
  /** Called once per event, in sequence order, never twice for the same seq. */
  onEvent(e: TaskEvent): void;
  onLink(state: "live" | "reconnecting" | "ended"): void;
}

export async function followTask(
  client: Pick<BackendClient, "stream">,
  taskId: string,
  fromSeq: number,
  h: FollowHandlers,
  signal: AbortSignal,
): Promise<void> {
  let last = fromSeq;
  let failures = 0;
  let over = false;
  while (!signal.aborted) {
    try {
      const stream = client.stream("GET", `/api/tasks/${encodeURIComponent(taskId)}/events`, {
        signal,
        timeoutMs: 15_000,
        headers: { "last-event-id": String(last) },
      });
      for await (const m of stream) {
        let ev: TaskEvent;
        try {
          ev = JSON.parse(m.data) as TaskEvent;
        } catch {
          continue; // not an event of ours: skip rather than break the panel
        }
        if (failures > 0) {
          failures = 0;
          h.onLink("live");
        }
        if (ev.type === "heartbeat" || ev.seq <= last) continue;
        last = ev.seq;
        if (ev.type === "task_status_update" && FINAL.has(ev.status)) over = true;
        h.onEvent(ev);
      }
      // The stream ends with the task; one that ends before a final status was cut (a restart).
      if (over) {
        h.onLink("ended");
        return;
      }
      throw new Error("the event stream ended early");
    } catch (err) {
      if (signal.aborted) return;
      const code = (err as { code?: string }).code;
      if (code === "TASK_NOT_FOUND") {
        h.onLink("ended");
        throw err;
      }
      failures++;
      h.onLink("reconnecting");
      await new Promise((r) => setTimeout(r, backoffMs(failures)));
    }
  }
}
