/**
 * Downloading a built-in (catalog) model: the user first sees what, how big and from where;
 * then a cancellable progress notification with size and speed; a failure says exactly
 * what to do offline (download it elsewhere, then "Choose a GGUF File…").
 */
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import type { LocalModelCatalogEntry } from "../../server/api/local-model";
import { formatBytes } from "../../common/bytes";
import { COMMANDS } from "../commands/ids";
import { e2eReport } from "../e2e-report";
import { progressText } from "./progress-text";

/** What the download ended with. */
export type DownloadOutcome = { kind: "done"; path: string } | { kind: "declined" | "cancelled" | "failed" };

/** The consent question: nothing downloads before the user has seen this. */
export async function confirmDownload(entry: LocalModelCatalogEntry, modelsDir: string): Promise<boolean> {
  const left = entry.sizeBytes - entry.partialBytes;
  const resume = entry.partialBytes > 0 ? ` (${formatBytes(left)} left of an earlier download)` : "";
  const pick = await vscode.window.showInformationMessage(
    `Download ${entry.name} (${formatBytes(entry.sizeBytes)})?`,
    {
      modal: true,
      detail:
        `From: ${entry.url}${resume}\nSaved in: ${modelsDir}\n\n` +
        "AiCockpit runs this model on this machine: your code and prompts never leave it. " +
        "The file is checked against its published SHA-256 before it is used.",
    },
    "Download",
  );
  return pick === "Download";
}

/** Offline, blocked or broken: say what happened and the way around it. */
async function showDownloadFailure(
  entry: LocalModelCatalogEntry,
  err: { message: string; hint?: string },
): Promise<void> {
  const choose = "Choose a GGUF File…";
  const copy = "Copy Download Address";
  const retry = "Try Again";
  const pick = await vscode.window.showErrorMessage(
    `AiCockpit could not download ${entry.name}: ${err.message} ` +
      `Without a connection to ${hostOf(entry.url)}: download ${entry.url} (${formatBytes(entry.sizeBytes)}) on another ` +
      `machine, copy the file here and use "${choose}".`,
    choose,
    copy,
    retry,
  );
  if (pick === choose) await vscode.commands.executeCommand(COMMANDS.chooseGguf);
  else if (pick === copy) await vscode.env.clipboard.writeText(entry.url);
  else if (pick === retry) await vscode.commands.executeCommand(COMMANDS.setupLocalModel, entry.id);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the model host";
  }
}

/**
 * Asks, then downloads through the backend (POST /api/local-model/download, SSE). Cancelling
 * aborts the request; the backend keeps the partial file and the next download resumes it.
 */
export async function downloadModel(
  client: BackendClient,
  entry: LocalModelCatalogEntry,
  modelsDir: string,
): Promise<DownloadOutcome> {
  if (!entry.downloaded && !(await confirmDownload(entry, modelsDir))) return { kind: "declined" };
  let failure: { message: string; hint?: string } | undefined;
  let cancelled = false;
  let received = entry.partialBytes;
  const outcome = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Downloading ${entry.name}`,
      cancellable: true,
    },
    async (progress, token): Promise<DownloadOutcome> => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let shownPct = 0;
      const report = (got: number, total: number, bps: number) => {
        const pct = total > 0 ? (100 * got) / total : 0;
        progress.report({ message: progressText(got, total, bps), increment: Math.max(0, pct - shownPct) });
        shownPct = Math.max(shownPct, pct);
      };
      try {
        for await (const e of client.events("POST /api/local-model/download", {
          body: { modelId: entry.id },
          signal: abort.signal,
          timeoutMs: 30_000,
        })) {
          switch (e.type) {
            case "start":
              received = e.resumedFrom;
              e2eReport("local-download", { phase: "start", total: e.total, resumedFrom: e.resumedFrom });
              report(e.resumedFrom, e.total, 0);
              break;
            case "progress":
              received = e.received;
              e2eReport("local-download", { phase: "progress", received: e.received, total: e.total });
              report(e.received, e.total, e.bytesPerSecond);
              break;
            case "done":
              e2eReport("local-download", { phase: "done", sizeBytes: e.sizeBytes });
              return { kind: "done", path: e.path };
            case "error":
              failure = e.error;
              return { kind: "failed" };
          }
        }
        failure = { message: "The download ended before the model was complete." };
        return { kind: "failed" };
      } catch (err) {
        if (abort.signal.aborted || (err instanceof BackendError && err.code === "CANCELLED")) {
          cancelled = true;
          return { kind: "cancelled" };
        }
        failure = err instanceof BackendError ? err : { message: String(err) };
        return { kind: "failed" };
      } finally {
        sub.dispose();
      }
    },
  );
  if (cancelled) {
    void vscode.window.showInformationMessage(
      `AiCockpit: download of ${entry.name} stopped at ${formatBytes(received)} of ${formatBytes(entry.sizeBytes)}. ` +
        "It continues from there next time.",
    );
  } else if (failure !== undefined) {
    e2eReport("local-download", { phase: "failed" });
    void showDownloadFailure(entry, failure);
  }
  return outcome;
}
