/**
 * What "Ask a Container" shows for a gateway answer, without `vscode`: output in an editor
 * (or a notification when it is one short line), a confirmation naming the exact command,
 * or an error that says why nothing ran. Unit-tested in test/unit/remote.
 */
import type { GatewayExecuteResponse, GatewayTarget } from "../../server/api/gateway";

/** Output at most this long, on one line, goes to a notification instead of an editor. */
export const SHORT_OUTPUT_CHARS = 160;

export type AskOutcome =
  /** Ran (exit 0 or not): `document` is what the output editor shows. */
  | { kind: "output"; ok: boolean; command: string; summary: string; document: string; short?: string }
  /** Nothing ran: ask the user to run exactly `command`, then re-send with `token`. */
  | { kind: "confirm"; command: string; reasons: string[]; token: string }
  /** Nothing ran (refused, dry run, failure before running): a message for the user. */
  | { kind: "message"; severity: "error" | "warning" | "info"; message: string; detail?: string };

const where = (t: GatewayTarget) => `${t.container} on ${t.host}`;
const reasonsText = (r: GatewayExecuteResponse) => (r.reasons ?? []).map((s) => `• ${s}`).join("\n");
const errorText = (r: GatewayExecuteResponse) => r.error_details?.error_message ?? "";

function outputDocument(r: GatewayExecuteResponse, t: GatewayTarget, summary: string): string {
  const out = r.stdout ?? "";
  const err = r.stderr ?? "";
  const lines = [`$ ${r.command ?? ""}`, `# ${summary} — ${where(t)}`, ""];
  if (out !== "") lines.push(out.replace(/\n$/, ""));
  if (r.truncated?.stdout === true) lines.push("[stdout cut at the gateway's limit]");
  if (err !== "") lines.push("", "--- stderr ---", err.replace(/\n$/, ""));
  if (r.truncated?.stderr === true) lines.push("[stderr cut at the gateway's limit]");
  if (out === "" && err === "") lines.push("(no output)");
  return `${lines.join("\n")}\n`;
}

export function askOutcome(r: GatewayExecuteResponse, target: GatewayTarget): AskOutcome {
  const command = r.command ?? (r.argv ?? []).join(" ");
  switch (r.overall_status) {
    case "SUCCESS":
    case "COMMAND_FAILED": {
      const ok = r.overall_status === "SUCCESS";
      const time = r.execution_time_ms !== undefined ? `, ${r.execution_time_ms} ms` : "";
      const summary = ok
        ? `exit 0${time}`
        : `failed: ${r.signal !== undefined ? `signal ${r.signal}` : `exit ${r.exit_code ?? "?"}`}${time}`;
      const all = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
      const short = ok && all.length <= SHORT_OUTPUT_CHARS && !all.includes("\n") ? all : undefined;
      return {
        kind: "output",
        ok,
        command,
        summary,
        document: outputDocument(r, target, summary),
        ...(short !== undefined ? { short } : {}),
      };
    }
    case "CONFIRMATION_REQUIRED":
      if (r.confirm_token === undefined)
        return {
          kind: "message",
          severity: "error",
          message: "The gateway asked for a confirmation but sent no token.",
        };
      return { kind: "confirm", command, reasons: r.reasons ?? [], token: r.confirm_token };
    case "DRY_RUN":
      return {
        kind: "message",
        severity: "info",
        message: `Would run without asking: ${command}`,
        detail: "Dry run: nothing ran.",
      };
    case "VALIDATION_ERROR":
      return {
        kind: "message",
        severity: "error",
        message: `Refused${command !== "" ? `: ${command}` : ""}. Nothing ran.`,
        detail: reasonsText(r) || errorText(r) || "The command is not allowed.",
      };
    case "LLM_ERROR":
      return {
        kind: "message",
        severity: "error",
        message: `The AI service failed: ${errorText(r) || "no answer"}. Nothing ran.`,
        ...(r.reasons?.length ? { detail: reasonsText(r) } : {}),
      };
    case "CONFIGURATION_ERROR":
      return {
        kind: "message",
        severity: "error",
        message: `${errorText(r) || "AiCockpit is not set up for this."} Nothing ran.`,
        ...(r.reasons?.length ? { detail: reasonsText(r) } : {}),
      };
    case "TIMEOUT":
      return {
        kind: "message",
        severity: "error",
        message: `${command || "The command"} did not finish in time on ${where(target)} and was stopped.`,
      };
    case "CONNECTION_ERROR":
      return {
        kind: "message",
        severity: "error",
        message: `Could not reach ${target.host === "local" ? "Docker on this machine" : `host ${target.host}`}: ${errorText(r) || "connection failed"}.`,
      };
  }
}
