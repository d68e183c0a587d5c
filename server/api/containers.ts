/**
 * Containers on any host (`/api/hosts/:host/containers…`, host `local` = this machine): every
 * container, not only AiCockpit's workspaces. Read-only by default; state changes and
 * `exec` commands that change something are two calls: the first answers
 * `confirmation_required` with a token bound to exactly that action (120 s, single use),
 * the second, with the token, acts. `exec` commands are judged by the shell risk
 * assessment: `safe` runs, `review` needs the token, `dangerous` is refused.
 *
 * Terminal: a WebSocket at `GET /api/hosts/:host/containers/:name/tty?cols=80&rows=24[&cmd=<json argv>]`
 * speaks exactly the workspace TTY protocol (TtyControl / TtyServerMessage in ./workspaces):
 * a login shell (bash if the image has it, else sh) in the image's working directory; an image
 * without `sh` gets an `error` message with CONTAINER_SHELL_NOT_FOUND. An interactive shell
 * is the user's own hands on the keyboard, so it is not judged by the risk assessment.
 *
 * Hosts whose key passphrase or password lives in the client's SecretStorage: every route
 * here (GET, POST and the terminal's upgrade) accepts the secrets in the header
 * `X-AiCockpit-Host-Credentials: base64(JSON CredentialsByHost)` — the host and its jump
 * hops, as in `POST /api/hosts/:id/test`. Without it such a host answers HOST_SECRET_REQUIRED
 * (428) once no pooled connection is open. The secrets are never logged or stored.
 */
import type { ShellRisk } from "./shell";

export const HOST_CREDENTIALS_HEADER = "X-AiCockpit-Host-Credentials";

export type ContainerState = "running" | "exited" | "paused" | "restarting" | "created" | "dead" | "removing";

export interface ContainerPort {
  container: number;
  protocol: string;
  hostIp?: string;
  hostPort?: number;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  /** Docker's words, e.g. "Up 3 minutes", "Exited (0) 2 hours ago". */
  status: string;
  createdAt: string;
  ports: ContainerPort[];
  /** An AiCockpit workspace (its labels say so). */
  workspace: boolean;
}

export interface ContainerList {
  host: string;
  containers: ContainerSummary[];
}

/** What inspect shows. The environment is left out on purpose: it often holds secrets. */
export interface ContainerDetails extends ContainerSummary {
  command: string[];
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  restartCount: number;
  health: string | null;
  labels: Record<string, string>;
  mounts: { type: string; source: string; destination: string; readOnly: boolean }[];
  restartPolicy: string;
}

/** `GET …/logs?tail=100&since=10m&timestamps=1` (JSON); `&follow=1` streams `ContainerLogEvent`s (SSE). */
export interface ContainerLogs {
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export type ContainerLogEvent =
  { type: "stdout" | "stderr"; text: string } | { type: "error"; error: { code: string; message: string } };

export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  networkRxBytes: number;
  networkTxBytes: number;
  readAt: string;
}

export type ContainerAction = "start" | "stop" | "restart";

export interface ContainerActionRequest {
  confirmToken?: string;
}

export interface ConfirmationRequired {
  status: "confirmation_required";
  /** Send it back in `confirmToken` to act; valid once, for 120 s, for exactly `command`. */
  confirmToken: string;
  /** The action as a docker command line, for the confirmation dialog. */
  command: string;
  reasons: string[];
  risk?: ShellRisk;
}

export type ContainerActionResponse = ConfirmationRequired | { status: "done"; container: ContainerSummary };

export interface ContainerExecRequest {
  /** argv inside the container (no shell unless you name one). */
  cmd: string[];
  confirmToken?: string;
  /** Default 30 000. */
  timeoutMs?: number;
}

export type ContainerExecResponse =
  | ConfirmationRequired
  | { status: "refused"; risk: ShellRisk; reasons: string[] }
  | {
      status: "done";
      exitCode: number | null;
      stdout: string;
      stderr: string;
      timedOut: boolean;
      truncated: boolean;
      durationMs: number;
      risk: ShellRisk;
    };
