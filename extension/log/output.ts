/**
 * The "AiCockpit" log channel: the extension's own lines and the backend's stderr, each
 * passed through the redactor first.
 */
import * as vscode from "vscode";
import type { SupervisorLogger } from "../backend/supervisor";
import type { Redactor } from "../../common/redact";

export interface Logger extends SupervisorLogger {
  debug(msg: string): void;
  readonly channel: vscode.LogOutputChannel;
}

/** The backend writes "<ISO time> <LEVEL> <message>"; keep its level, drop its timestamp (the channel adds one). */
const BACKEND_LINE = /^\d{4}-\d\d-\d\dT\S+ (DEBUG|INFO|WARN|ERROR) (.*)$/;

export function createLogger(redactor: Redactor): Logger {
  const channel = vscode.window.createOutputChannel("AiCockpit", { log: true });
  const clean = (m: string) => redactor.redact(m);
  return {
    channel,
    debug: (m) => channel.debug(clean(m)),
    info: (m) => channel.info(clean(m)),
    warn: (m) => channel.warn(clean(m)),
    error: (m) => channel.error(clean(m)),
    backend: (line) => {
      const m = BACKEND_LINE.exec(line);
      const text = clean(`[backend] ${m?.[2] ?? line}`);
      switch (m?.[1]) {
        case "DEBUG":
          return channel.debug(text);
        case "WARN":
          return channel.warn(text);
        case "ERROR":
          return channel.error(text);
        case "INFO":
          return channel.info(text);
        default:
          // Unformatted stderr is the backend failing outside its logger (config error, crash).
          return channel.warn(text);
      }
    },
  };
}
