/**
 * The AI Command Gateway: intent → model → one docker command → validated → run here or on
 * an SSH host → structured result. Every outcome is a GatewayExecuteResponse (never a
 * thrown error), written to the audit log and counted in /metrics.
 *
 * Order matters for safety: the target is resolved and checked before the model is asked;
 * the model's answer is read, split into argv and validated before anything runs; a
 * confirm token is checked against the same target and re-validated, so a token can
 * never run what policy refuses; `dryRun` stops before Docker or SSH is touched.
 */
import type { CredentialsByHost } from "../api/hosts";
import { randomUUID } from "node:crypto";
import type { GatewayExecuteRequest, GatewayExecuteResponse, GatewayStatus } from "../api/gateway";
import { AppError } from "../errors";
import type { LlmService } from "../llm/service";
import { CONTAINER_NAME, type Aliases } from "./aliases";
import type { AuditLog } from "./audit-log";
import type { ConfirmTokens } from "./confirm-token";
import {
  engineUnreachable,
  GatewayRunError,
  runLocal,
  type RemoteRunner,
  type RunOptions,
  type RunResult,
} from "./execute";
import type { GatewayMetrics } from "./metrics";
import { readAnswer } from "./parse-answer";
import { buildGatewayMessages, GATEWAY_MAX_TOKENS, GATEWAY_TEMPERATURE } from "./prompt";
import { displayCommand, validateArgv, validateCommand, type Verdict } from "./validate";

export const LOCAL = "local";
export const GATEWAY_PURPOSE = "gateway";

export interface GatewayDeps {
  llm: LlmService;
  aliases: Aliases;
  tokens: ConfirmTokens;
  audit: AuditLog;
  metrics: GatewayMetrics;
  /** Whether a remote host id is configured (a local registry lookup: never a connection). */
  hasHost(id: string): boolean;
  remote: RemoteRunner;
  /** Local execution; defaults to the docker CLI. */
  local?: (argv: readonly string[], opts: RunOptions) => Promise<RunResult>;
  timeoutMs: number;
  maxOutputBytes: number;
  instanceId?: string;
}

/** Host-layer error codes → gateway status: the user must fix settings, or the host could not be reached. */
const HOST_CONFIG_CODES = new Set([
  "HOST_UNKNOWN",
  "HOST_SECRET_REQUIRED",
  "HOST_KEY_FILE_REJECTED",
  "HOST_KEY_UNKNOWN",
  "WORKSPACE_HOST_UNKNOWN",
]);

export class GatewayService {
  readonly instanceId: string;

  constructor(private readonly deps: GatewayDeps) {
    this.instanceId = deps.instanceId ?? `gw-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  /** A request whose body does not match the contract: answered, audited and counted like any other. */
  badRequest(message: string, body: unknown): GatewayExecuteResponse {
    const res: GatewayExecuteResponse = {
      request_id: randomUUID(),
      gateway_instance_id: this.instanceId,
      overall_status: "VALIDATION_ERROR",
      reasons: [message],
      error_details: { error_code: "BAD_REQUEST", error_message: `Invalid request body — ${message}.` },
    };
    const b = (typeof body === "object" && body !== null ? body : {}) as {
      intent?: unknown;
      target?: { host?: unknown; container?: unknown };
    };
    const str = (v: unknown) => (typeof v === "string" ? v.slice(0, 2_000) : "");
    this.deps.metrics.requests.inc({
      status: res.overall_status,
      host: str(b.target?.host) === LOCAL || str(b.target?.host) === "" ? "local" : "ssh",
    });
    this.deps.audit.write({
      ts: new Date().toISOString(),
      request_id: res.request_id,
      gateway_instance_id: this.instanceId,
      intent: str(b.intent),
      target: { host: str(b.target?.host).slice(0, 64), container: str(b.target?.container).slice(0, 128) },
      argv: null,
      status: res.overall_status,
      exit_code: null,
      duration_ms: 0,
      dry_run: false,
      confirmed: false,
      error_code: "BAD_REQUEST",
    });
    return res;
  }

  async execute(req: GatewayExecuteRequest, signal: AbortSignal): Promise<GatewayExecuteResponse> {
    const started = performance.now();
    const base = { request_id: randomUUID(), gateway_instance_id: this.instanceId };
    let argv: string[] | null = null;
    let res: GatewayExecuteResponse;
    try {
      res = await this.decide(req, signal, base, (a) => (argv = a));
    } catch (err) {
      // Defensive: decide() returns every expected outcome; anything else is our bug, reported without internals.
      res = {
        ...base,
        overall_status: "CONFIGURATION_ERROR",
        error_details: {
          error_code: "INTERNAL",
          error_message: err instanceof AppError ? err.message : "Internal error in the gateway.",
        },
      };
    }
    const host = req.target.host === LOCAL ? "local" : "ssh";
    this.deps.metrics.requests.inc({ status: res.overall_status, host });
    this.deps.audit.write({
      ts: new Date().toISOString(),
      request_id: res.request_id,
      gateway_instance_id: res.gateway_instance_id,
      intent: req.intent,
      target: { host: req.target.host, container: req.target.container },
      argv,
      status: res.overall_status,
      exit_code: res.exit_code ?? null,
      duration_ms: Math.round(performance.now() - started),
      dry_run: req.dryRun === true,
      confirmed: req.confirmToken !== undefined,
      ...(res.error_details ? { error_code: res.error_details.error_code } : {}),
    });
    return res;
  }

  private async decide(
    req: GatewayExecuteRequest,
    signal: AbortSignal,
    base: { request_id: string; gateway_instance_id: string },
    noteArgv: (argv: string[]) => void,
  ): Promise<GatewayExecuteResponse> {
    const fail = (
      overall_status: GatewayStatus,
      error_code: string,
      error_message: string,
      extra: Partial<GatewayExecuteResponse> = {},
    ): GatewayExecuteResponse => ({
      ...base,
      overall_status,
      ...extra,
      error_details: { error_code, error_message },
    });

    const host = req.target.host;
    if (host !== LOCAL && !this.deps.hasHost(host)) {
      return fail("CONFIGURATION_ERROR", "HOST_UNKNOWN", `No host named ${JSON.stringify(host)} is configured.`, {
        reasons: ['Use "local" or the id of a host added in Remote Hosts (GET /api/hosts).'],
      });
    }
    const container = this.deps.aliases.resolve(req.target.container) ?? req.target.container;
    if (!CONTAINER_NAME.test(container)) {
      return fail(
        "VALIDATION_ERROR",
        "INVALID_TARGET",
        `${JSON.stringify(req.target.container)} is not a container name or a known alias.`,
        { reasons: ["A container name is letters, digits, `_`, `.` and `-`, starting with a letter or digit."] },
      );
    }
    const binding = { host, container, purpose: GATEWAY_PURPOSE };
    const resolveAlias = (name: string) => this.deps.aliases.resolve(name);

    // A confirmed command: exactly the signed argv, no model involved.
    if (req.confirmToken !== undefined) {
      const t0 = performance.now();
      const checked = req.dryRun
        ? this.deps.tokens.verify(req.confirmToken, binding)
        : this.deps.tokens.redeem(req.confirmToken, binding);
      if (!checked.ok)
        return fail("VALIDATION_ERROR", "CONFIRM_TOKEN_REJECTED", checked.reason, { reasons: [checked.reason] });
      const argv = checked.binding.argv;
      noteArgv(argv);
      // Policy is checked again: a token never runs what the rules refuse.
      const again = validateArgv(argv, { container, resolveAlias });
      this.deps.metrics.validation.observe((performance.now() - t0) / 1000);
      const shown = { command: displayCommand(argv), argv };
      if (again.decision === "refused")
        return fail("VALIDATION_ERROR", "COMMAND_REFUSED", "The confirmed command is not allowed.", {
          ...shown,
          reasons: again.reasons,
        });
      if (req.dryRun)
        return {
          ...base,
          overall_status: "DRY_RUN",
          ...shown,
          reasons: ["The confirm token is valid; nothing ran (dry run) and the token is still unused."],
        };
      return this.run(base, host, argv, signal, req.credentials);
    }

    if (req.intent.trim() === "")
      return fail("VALIDATION_ERROR", "BAD_REQUEST", "The intent is empty.", {
        reasons: ["Say what you want done to the container."],
      });
    if (this.deps.llm.active() === null) {
      return fail("CONFIGURATION_ERROR", "NO_PROVIDER", "No AI provider is configured.", {
        reasons: ["Set the AI service in the AiCockpit settings, or add one with POST /api/providers."],
      });
    }
    let answer: string;
    try {
      answer = await this.deps.llm.chat(
        {
          messages: buildGatewayMessages(req.intent, container),
          temperature: GATEWAY_TEMPERATURE,
          maxTokens: GATEWAY_MAX_TOKENS,
        },
        signal,
      );
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError("PROVIDER_ERROR", "The AI service failed.");
      if (e.code === "NO_PROVIDER") return fail("CONFIGURATION_ERROR", e.code, e.message);
      return fail("LLM_ERROR", e.code, e.message, e.hint ? { reasons: [e.hint] } : {});
    }

    const t0 = performance.now();
    const read = readAnswer(answer);
    let verdict: Verdict;
    let command: string;
    if ("error" in read) {
      verdict = { decision: "refused", reasons: [read.error] };
      command = answer.trim().slice(0, 500);
    } else {
      verdict = validateCommand(read.text, { container, resolveAlias });
      command =
        verdict.argv && verdict.decision !== "refused" ? displayCommand(verdict.argv) : read.text.slice(0, 2_000);
    }
    const token =
      verdict.decision === "confirm" && !signal.aborted
        ? this.deps.tokens.sign({ ...binding, argv: verdict.argv! })
        : undefined;
    this.deps.metrics.validation.observe((performance.now() - t0) / 1000);
    if (verdict.argv) noteArgv(verdict.argv);
    const shown = {
      command,
      ...(verdict.argv ? { argv: verdict.argv } : {}),
      ...(verdict.reasons.length > 0 ? { reasons: verdict.reasons } : {}),
    };

    if (verdict.decision === "refused")
      return fail("VALIDATION_ERROR", "COMMAND_REFUSED", "The model's command is not allowed; nothing ran.", shown);
    if (verdict.decision === "confirm")
      return { ...base, overall_status: "CONFIRMATION_REQUIRED", ...shown, confirm_token: token! };
    if (req.dryRun) return { ...base, overall_status: "DRY_RUN", ...shown };
    return {
      ...(await this.run(base, host, verdict.argv!, signal, req.credentials)),
      ...(verdict.reasons.length > 0 ? { reasons: verdict.reasons } : {}),
    };
  }

  private async run(
    base: { request_id: string; gateway_instance_id: string },
    host: string,
    argv: string[],
    signal: AbortSignal,
    credentials: CredentialsByHost | undefined,
  ): Promise<GatewayExecuteResponse> {
    const opts: RunOptions = {
      timeoutMs: this.deps.timeoutMs,
      maxOutputBytes: this.deps.maxOutputBytes,
      signal,
      ...(credentials ? { credentials } : {}),
    };
    const shown = { command: displayCommand(argv), argv };
    const output = (r: RunResult) => ({
      ...(r.exitCode !== null ? { exit_code: r.exitCode } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
      stdout: r.stdout,
      stderr: r.stderr,
      truncated: { stdout: r.truncated.stdout, stderr: r.truncated.stderr },
      execution_time_ms: r.durationMs,
    });
    let r: RunResult;
    try {
      r =
        host === LOCAL
          ? await (this.deps.local ?? runLocal)(argv, opts)
          : await this.deps.remote.exec(host, argv, opts);
    } catch (err) {
      if (err instanceof GatewayRunError) {
        // Docker has no call that stops an exec: killing the CLI leaves the process inside the container running.
        const inside =
          err.status === "TIMEOUT" && argv.includes("exec")
            ? " The docker CLI was stopped; the process inside the container may still be running (Docker cannot stop an exec)."
            : "";
        return {
          ...base,
          overall_status: err.status,
          ...shown,
          ...(err.partial ? output(err.partial) : {}),
          error_details: { error_code: err.code, error_message: err.message + inside },
        };
      }
      if (err instanceof AppError) {
        const status: GatewayStatus =
          err.code === "HOST_COMMAND_TIMEOUT"
            ? "TIMEOUT"
            : HOST_CONFIG_CODES.has(err.code)
              ? "CONFIGURATION_ERROR"
              : "CONNECTION_ERROR";
        return {
          ...base,
          overall_status: status,
          ...shown,
          error_details: { error_code: err.code, error_message: err.message },
        };
      }
      return {
        ...base,
        overall_status: "CONNECTION_ERROR",
        ...shown,
        error_details: { error_code: "CONNECTION_ERROR", error_message: "The command could not be run." },
      };
    }
    if (engineUnreachable(r)) {
      return {
        ...base,
        overall_status: "CONNECTION_ERROR",
        ...shown,
        ...output(r),
        error_details: {
          error_code: "DOCKER_UNAVAILABLE",
          error_message: `Docker Engine is not reachable${host === LOCAL ? " on this machine" : ` on ${host}`}: ${r.stderr
            .trim()
            .replace(/\n[\s\S]*/, "")
            .slice(0, 300)}`,
        },
      };
    }
    return { ...base, overall_status: r.exitCode === 0 ? "SUCCESS" : "COMMAND_FAILED", ...shown, ...output(r) };
  }
}
