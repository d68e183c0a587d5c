/**
 * What the status bar says and what a click on it does, as a pure function of the
 * backend's state. Kept free of `vscode` so every state — and every provider error
 * class — is proven by unit tests; the E2E test matches the texts.
 */
import type { ApiError, ErrorCode } from "../../server/api/errors";
import type { ReadyResponse } from "../../server/api/health";
import type { ClientErrorCode } from "./client";
import { COMMANDS } from "../commands/ids";
import { formatBytes } from "../../common/bytes";

/** A command a click runs; `args` go to `vscode.commands.executeCommand`. */
export interface FixCommand {
  id: string;
  /** What the click does, for tooltips and notification buttons. */
  title: string;
  args?: string[];
}

/** The embedded model's state (GET /api/local-model/status), reduced to what the status needs. */
export interface LocalModelSummary {
  state: "not-downloaded" | "downloading" | "loading" | "loaded" | "unloaded-idle" | "failed";
  /** Short model name for the status bar. */
  name: string;
  download?: { received: number; total: number };
  error?: ApiError;
}

/** The outcome of GET /ready (or, for the embedded model, its status), reduced to what the status needs. */
export type ProviderCheck =
  | { kind: "pending" }
  | { kind: "ok"; model: string }
  | { kind: "local"; local: LocalModelSummary }
  | { kind: "error"; error: ApiError }
  /** /ready itself failed (backend busy, wrong token, ...). */
  | { kind: "check-failed"; message: string };

export type StatusInput =
  | { kind: "starting" }
  | { kind: "ready"; check: ProviderCheck }
  | { kind: "restarting"; delayMs: number; reason: string }
  | { kind: "failed"; reason: string }
  | { kind: "stopped" };

export interface StatusView {
  /** Stable id of the state, for the E2E report and tests ("ready", "provider:PROVIDER_AUTH_FAILED", ...). */
  key: string;
  text: string;
  tooltip: string;
  /** `idle`: nothing wrong, something for the user to do when they like (set up a model). */
  severity: "ok" | "idle" | "busy" | "warning" | "error";
  command: FixCommand;
  /** One sentence for a notification; set only for states worth interrupting the user for. */
  notification?: string;
}

const openSetting = (setting: string, title: string): FixCommand => ({
  id: "workbench.action.openSettings",
  title,
  args: [setting],
});

/** The fix for each provider error class: the one thing the user should do next. */
export function fixFor(code: ErrorCode): FixCommand {
  switch (code) {
    case "PROVIDER_AUTH_FAILED":
      return { id: COMMANDS.setApiKey, title: "Set API Key" };
    case "PROVIDER_MODEL_NOT_FOUND":
      return { id: COMMANDS.selectModel, title: "Select Model" };
    case "PROVIDER_UNREACHABLE":
      return openSetting("aicockpit.provider.baseUrl", "Open Base URL Setting");
    case "PROVIDER_TIMEOUT":
      return openSetting("aicockpit.provider.requestTimeoutMs", "Open Timeout Setting");
    case "PROVIDER_RATE_LIMITED":
      return { id: COMMANDS.testConnection, title: "Test Connection Again" };
    case "NO_PROVIDER":
    case "LOCAL_MODEL_NOT_DOWNLOADED":
    case "LOCAL_MODEL_NOT_FOUND":
    case "LOCAL_MODEL_UNAVAILABLE":
      return { id: COMMANDS.setup, title: "Set Up AiCockpit" };
    default:
      return { id: COMMANDS.showLogs, title: "Show Logs" };
  }
}

/** Short status-bar words per error class; the full message goes to the tooltip. */
function shortLabel(code: ErrorCode): string {
  switch (code) {
    case "PROVIDER_AUTH_FAILED":
      return "API key rejected";
    case "PROVIDER_MODEL_NOT_FOUND":
      return "model not found";
    case "PROVIDER_UNREACHABLE":
      return "AI service unreachable";
    case "PROVIDER_TIMEOUT":
      return "AI service timed out";
    case "PROVIDER_RATE_LIMITED":
      return "rate limited";
    case "NO_PROVIDER":
      return "no model set up yet";
    case "LOCAL_MODEL_NOT_DOWNLOADED":
      return "local model not downloaded";
    case "LOCAL_MODEL_NOT_FOUND":
      return "local model file not found";
    case "LOCAL_MODEL_UNAVAILABLE":
      return "local models cannot run here";
    case "LOCAL_MODEL_LOAD_FAILED":
      return "local model failed to load";
    default:
      return "AI service error";
  }
}

function isProviderCode(code: ClientErrorCode): code is ErrorCode {
  return code === "NO_PROVIDER" || code.startsWith("PROVIDER_") || code.startsWith("LOCAL_MODEL_");
}

/**
 * One sentence for a notification — what failed, why, what to do — plus the fix button.
 * Covers provider error classes and everything else a backend call can fail with.
 */
/** The hint, unless it is empty or the message already ends with it (some backend messages do). */
function extraHint(message: string, hint: string | undefined): string | undefined {
  return hint === undefined || hint === "" || message.includes(hint) ? undefined : hint;
}

export function describeError(error: { code: ClientErrorCode; message: string; hint?: string }): {
  message: string;
  fix: FixCommand;
} {
  const extra = extraHint(error.message, error.hint);
  const hint = extra !== undefined ? ` ${extra}` : "";
  if (isProviderCode(error.code)) {
    return { message: `AiCockpit: ${shortLabel(error.code)}. ${error.message}${hint}`, fix: fixFor(error.code) };
  }
  const who = error.code.startsWith("BACKEND_") ? "AiCockpit backend" : "AiCockpit";
  return { message: `${who}: ${error.message}${hint}`, fix: { id: COMMANDS.showLogs, title: "Show Logs" } };
}

/** GET /ready → ProviderCheck. A backend without the `code` field still yields a usable class. */
export function classifyReady(ready: ReadyResponse): ProviderCheck {
  const p = ready.provider;
  if (p.ok) return { kind: "ok", model: p.model ?? p.id ?? "unknown model" };
  const code: ErrorCode = p.code ?? (p.id === null ? "NO_PROVIDER" : "PROVIDER_ERROR");
  return { kind: "error", error: { code, message: p.reason } };
}

export function statusView(input: StatusInput): StatusView {
  switch (input.kind) {
    case "starting":
      return {
        key: "starting",
        text: "$(sync~spin) AiCockpit: starting",
        tooltip: "AiCockpit backend is starting.",
        severity: "busy",
        command: { id: COMMANDS.showLogs, title: "Show Logs" },
      };
    case "stopped":
      return {
        key: "stopped",
        text: "$(circle-slash) AiCockpit: stopped",
        tooltip: "AiCockpit backend is stopped. Click to start it.",
        severity: "warning",
        command: { id: COMMANDS.restartBackend, title: "Restart Backend" },
      };
    case "restarting": {
      const secs = Math.max(1, Math.round(input.delayMs / 1000));
      return {
        key: "crashed",
        text: `$(error) AiCockpit: backend crashed, restarting in ${secs}s`,
        tooltip: `The AiCockpit backend stopped unexpectedly: ${input.reason}.\nRestarting in ${secs}s. Click to show the logs.`,
        severity: "error",
        command: { id: COMMANDS.showLogs, title: "Show Logs" },
        // No countdown here: the notification outlives it (it closes once the backend is back).
        // A hung backend was killed on purpose: say that, not "crashed".
        notification: /^backend stopped answering/.test(input.reason)
          ? `AiCockpit ${input.reason} — restarting it…`
          : `AiCockpit backend crashed (${input.reason}); restarting…`,
      };
    }
    case "failed":
      return {
        key: "failed",
        text: "$(error) AiCockpit: backend failed",
        tooltip: `AiCockpit backend cannot start: ${input.reason}\nFix the cause, then click to restart it.`,
        severity: "error",
        command: { id: COMMANDS.restartBackend, title: "Restart Backend" },
        notification: `AiCockpit backend cannot start: ${input.reason}`,
      };
    case "ready":
      return readyView(input.check);
  }
}

function readyView(check: ProviderCheck): StatusView {
  switch (check.kind) {
    case "pending":
      return {
        key: "checking",
        text: "$(sync~spin) AiCockpit: checking AI service",
        tooltip: "AiCockpit backend is running; checking the AI service.",
        severity: "busy",
        command: { id: COMMANDS.showLogs, title: "Show Logs" },
      };
    case "ok":
      return {
        key: "ready",
        text: `$(check) AiCockpit: ${check.model}`,
        tooltip: `AiCockpit is ready. Model: ${check.model}.\nClick to select another model.`,
        severity: "ok",
        command: { id: COMMANDS.selectModel, title: "Select Model" },
      };
    case "check-failed":
      return {
        key: "unknown",
        text: "$(warning) AiCockpit: status unknown",
        tooltip: `Could not ask the AiCockpit backend for its state: ${check.message}\nClick to show the logs.`,
        severity: "warning",
        command: { id: COMMANDS.showLogs, title: "Show Logs" },
      };
    case "local":
      return localView(check.local);
    case "error": {
      const { code, message } = check.error;
      // Not configured yet is where every new user starts: an invitation, not an error.
      if (code === "NO_PROVIDER") return setupView(message);
      const hint = extraHint(message, check.error.hint);
      const fix = fixFor(code);
      const transient = code === "PROVIDER_RATE_LIMITED" || code === "PROVIDER_TIMEOUT";
      return {
        key: `provider:${code}`,
        text: `${transient ? "$(warning)" : "$(error)"} AiCockpit: ${shortLabel(code)}`,
        tooltip: `No AI service reachable: ${message}${hint !== undefined ? `\n${hint}` : ""}\nClick: ${fix.title}.`,
        severity: transient ? "warning" : "error",
        command: fix,
        notification: describeError(check.error).message,
      };
    }
  }
}

function setupView(reason: string): StatusView {
  return {
    key: "setup",
    text: "$(sparkle) AiCockpit: set up a model",
    tooltip:
      "AiCockpit has no model yet. Click to choose one: a model server running on this machine, the built-in model, " +
      `or an AI service with a key.\n(${reason.replace(/\.$/, "")})`,
    severity: "idle",
    command: { id: COMMANDS.setup, title: "Set Up AiCockpit" },
  };
}

function localView(local: LocalModelSummary): StatusView {
  const name = local.name;
  const select = { id: COMMANDS.selectModel, title: "Select Model" };
  switch (local.state) {
    case "loaded":
    case "unloaded-idle":
      return {
        key: "ready",
        text: `$(check) AiCockpit: ${name} (local)`,
        tooltip:
          `AiCockpit is ready. Model: ${name}, run by AiCockpit on this machine` +
          `${local.state === "unloaded-idle" ? " (not in memory now: it loads on the next request)" : ""}.\nClick to select another model.`,
        severity: "ok",
        command: select,
      };
    case "loading":
      return {
        key: "local:loading",
        text: `$(sync~spin) AiCockpit: loading ${name} (local)`,
        tooltip: `AiCockpit is loading ${name} into memory.`,
        severity: "busy",
        command: { id: COMMANDS.showLogs, title: "Show Logs" },
      };
    case "downloading": {
      const d = local.download;
      const pct = d !== undefined && d.total > 0 ? ` ${Math.floor((100 * d.received) / d.total)}%` : "";
      return {
        key: "local:downloading",
        text: `$(cloud-download) AiCockpit: downloading ${name}${pct}`,
        tooltip:
          d !== undefined
            ? `Downloading ${name}: ${formatBytes(d.received)} of ${formatBytes(d.total)}.`
            : `Downloading ${name}.`,
        severity: "busy",
        command: { id: COMMANDS.showLogs, title: "Show Logs" },
      };
    }
    case "not-downloaded":
      return {
        key: "local:not-downloaded",
        text: `$(cloud-download) AiCockpit: download ${name}`,
        tooltip: `The built-in model ${name} is not downloaded yet. Click to see its size and where it comes from, then download it.`,
        severity: "idle",
        command: { id: COMMANDS.setupLocalModel, title: "Download the Model" },
      };
    case "failed": {
      const error = local.error ?? {
        code: "LOCAL_MODEL_LOAD_FAILED" as const,
        message: `${name} could not be loaded.`,
      };
      const fix = fixFor(error.code);
      const hint = extraHint(error.message, error.hint);
      return {
        key: `provider:${error.code}`,
        text: `$(error) AiCockpit: ${shortLabel(error.code)}`,
        tooltip: `${error.message}${hint !== undefined ? `\n${hint}` : ""}\nClick: ${fix.title}.`,
        severity: "error",
        command: fix,
        notification: describeError(error).message,
      };
    }
  }
}
