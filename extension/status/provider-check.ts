/**
 * One status check: GET /ready, reduced to a ProviderCheck. No `vscode` import, so it is
 * tested against the real backend and the scripted AI service.
 */
import { BackendError, type BackendClient } from "../backend/client";
import { classifyReady, type LocalModelSummary, type ProviderCheck } from "../backend/status-model";
import type { LocalModelStatus } from "../../server/api/local-model";

/** /ready probes the AI service, which may take up to the provider timeout; do not wait forever. */
const CHECK_TIMEOUT_MS = 45_000;

/**
 * `configProblems`: why the settings gave the backend no provider; they explain NO_PROVIDER
 * better than the backend can.
 */
export async function checkProvider(
  client: BackendClient,
  configProblems: string[],
  local = false,
): Promise<ProviderCheck> {
  try {
    // The embedded model: its own status says downloading / loading / loaded, without loading it.
    if (local && configProblems.length === 0) {
      const status = await client.call("GET /api/local-model/status", { timeoutMs: CHECK_TIMEOUT_MS });
      return { kind: "local", local: summarizeLocal(status) };
    }
    const ready = await client.call("GET /ready", { timeoutMs: CHECK_TIMEOUT_MS });
    let check = classifyReady(ready);
    // A failed probe without an error class (the backend's probe does not always set `code`)
    // cannot say which fix to offer; the test route always classifies, at the cost of one
    // tiny request — made only while the provider is failing.
    if (check.kind === "error" && ready.provider.code === undefined && ready.provider.id !== null) {
      const t = await client.call("POST /api/providers/:id/test", {
        params: { id: ready.provider.id },
        timeoutMs: CHECK_TIMEOUT_MS,
      });
      check = t.ok ? { kind: "ok", model: t.model } : { kind: "error", error: t.error ?? check.error };
    }
    if (check.kind === "error" && check.error.code === "NO_PROVIDER" && configProblems.length > 0) {
      check = { kind: "error", error: { code: "NO_PROVIDER", message: configProblems.join(" ") } };
    }
    return check;
  } catch (err) {
    return { kind: "check-failed", message: err instanceof BackendError ? err.message : String(err) };
  }
}

/** GET /api/local-model/status → what the status bar shows. */
export function summarizeLocal(status: LocalModelStatus): LocalModelSummary {
  const name = status.displayName ?? status.modelId ?? status.modelPath?.split(/[\\/]/).pop() ?? "the local model";
  return {
    state: status.state,
    name,
    ...(status.download !== undefined
      ? { download: { received: status.download.received, total: status.download.total } }
      : {}),
    ...(status.error !== undefined ? { error: status.error } : {}),
  };
}
