/**
 * The Gemini CLI as a ticket agent (server/tickets/agent.ts): one turn = one headless CLI run
 * in the ticket's clone, its stream-json mapped onto our events.
 *
 *   init        → (session noted)            message(assistant) → token
 *   tool_use    → tool_call                   tool_result        → tool_result + meter.step()
 *   error       → error (severity "error")    result             → meter.tokens(), the turn's outcome
 *
 * A turn fails when the CLI exits non-zero (its exit code as a clear message), ends without a
 * `result`, reports `result error`, or when any tool_result had `status: "error"` — the CLI
 * ends `result success` with exit 0 even when its tools were refused, so "success" alone does
 * not mean the work was done.
 *
 * Never in a pty, stdin /dev/null (it waits on stdin otherwise). Editing steps (implement,
 * fix_tests, review) run it inside the ticket's workspace container in `yolo` when the
 * container has Node.js ≥ 20 (container.ts: the CLI is copied in; a cancel kills the exec's
 * whole session there); everything else — and editing steps without such a container, in
 * `auto_edit` — runs it on this machine, detached in its own process group so cancel and
 * budget stops kill it and whatever it started.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { lstat, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ApiError } from "../../api/errors";
import { TICKET_LIMITS, type TicketStopReason } from "../../api/tickets";
import { stripAnsi } from "../../../common/ansi";
import { AppError } from "../../errors";
import type { AgentTurnInput, AgentTurnResult, TicketAgent } from "../agent";
import { exitError } from "./exit-codes";
import { ensureGeminiCli, findGeminiCli, GEMINI_CLI_VERSION, type GeminiCli } from "./install";
import { approvalModeFor, cliArgs, cliEnv, prepareHome, repoConfigProblem, sessionSaved } from "./launch";
import { GeminiStreamParser, StreamTooLarge, type GeminiEvent } from "./stream";
import type { WorkspaceService } from "../../workspaces/service";
import {
  CONTAINER_CLI_ENTRY,
  CONTAINER_FAKE_RESPONSES,
  CONTAINER_HOME,
  CONTAINER_SETTINGS,
  containerNode,
  prepareContainer,
} from "./container";

/** A concrete model: `auto` would add a routing call per turn. */
export const DEFAULT_GEMINI_MODEL = "gemini-2.5-flash";
/** No byte from the CLI for this long ends the turn (a hung CLI, a stalled network). */
const IDLE_MS = 5 * 60_000;
const KILL_GRACE_MS = 3_000;
const STDERR_TAIL = 4_096;
const PLAN_CHARS = 200_000;
const READ_ONLY_TOOLS = new Set([
  "read_file",
  "read_many_files",
  "list_directory",
  "glob",
  "grep_search",
  "search_file_content",
  "google_web_search",
  "web_fetch",
  "write_todos",
  "update_topic",
]);

export interface GeminiAgentOptions {
  env?: Record<string, string | undefined>;
  /** Tests only: the CLI's hidden offline mode with scripted model responses (JSONL). */
  fakeResponsesFile?: string;
  /** Install into the cache when missing (default true). */
  installOnDemand?: boolean;
  idleMs?: number;
  /** The Docker workspaces: editing steps run the CLI inside the ticket's container (yolo) when it can. */
  workspaces?: () => Promise<WorkspaceService>;
}

export class GeminiCliAgent implements TicketAgent {
  readonly kind = "gemini-cli" as const;

  constructor(private readonly opts: GeminiAgentOptions = {}) {}

  async available(): Promise<{ ok: true } | { ok: false; error: ApiError }> {
    if (findGeminiCli(this.env) || this.opts.installOnDemand !== false) return { ok: true };
    return {
      ok: false,
      error: {
        code: "AGENT_UNAVAILABLE",
        message: `The Gemini CLI ${GEMINI_CLI_VERSION} is not installed.`,
        hint: `npm install -g @google/gemini-cli@${GEMINI_CLI_VERSION}`,
      },
    };
  }

  async runTurn(input: AgentTurnInput): Promise<AgentTurnResult> {
    const refused = await repoConfigProblem(input.ticket.path);
    if (refused) return { status: "failed", error: refused };
    let cli: GeminiCli;
    try {
      cli =
        this.opts.installOnDemand === false
          ? (findGeminiCli(this.env) ?? missing())
          : await ensureGeminiCli(this.env, input.signal);
    } catch (e) {
      if (input.signal.aborted) return { status: "cancelled" };
      return { status: "failed", error: e instanceof AppError ? e.toApiError() : unavailable(String(e)) };
    }
    const sessionId = await ticketSession(input.ticket.stateDir);
    const model = input.model.model ?? DEFAULT_GEMINI_MODEL;
    const apiKey = input.model.apiKey ? { apiKey: input.model.apiKey } : {};
    const turn = new Turn(input, this.opts.idleMs ?? IDLE_MS);

    // Editing steps run inside the ticket's workspace container when it can run the CLI: only there is yolo allowed.
    const ws = input.ticket.workspace;
    if (ws && this.opts.workspaces && approvalModeFor(input.step, true) === "yolo") {
      const where = await this.containerFor(input, ws.id);
      if (where === "cancelled") return { status: "cancelled" };
      if (where.ok) {
        try {
          const fake = this.opts.fakeResponsesFile ? await readFile(this.opts.fakeResponsesFile, "utf8") : undefined;
          const prep = await prepareContainer(where.ws, ws.id, {
            hostEntry: cli.entry,
            ...(ws.user ? { user: ws.user } : {}),
            sessionId,
            signal: input.signal,
            ...(fake !== undefined ? { fakeResponses: fake } : {}),
          });
          const args = cliArgs({
            prompt: input.prompt,
            model,
            approvalMode: approvalModeFor(input.step, true),
            sessionId,
            resume: input.followUp && prep.sessionSaved,
            ...(fake !== undefined ? { fakeResponsesFile: CONTAINER_FAKE_RESPONSES } : {}),
          });
          // Nothing of this machine's environment: the container has its own PATH.
          const env = cliEnv({ home: CONTAINER_HOME, systemSettings: CONTAINER_SETTINGS, inherited: {}, ...apiKey });
          return await turn.run(inContainer(where.ws, ws, args, env));
        } catch (e) {
          if (input.signal.aborted) return { status: "cancelled" };
          return {
            status: "failed",
            error: unavailable(`in workspace ${ws.id}: ${e instanceof Error ? e.message : String(e)}`),
          };
        }
      }
      input.emit({
        type: "token",
        text: `(The Gemini CLI runs on this machine in auto_edit mode — no shell commands — because workspace ${ws.id} cannot run it: ${where.why}.)\n`,
      });
    }

    const { home, systemSettings } = await prepareHome(input.ticket.stateDir);
    const resume = input.followUp && (await sessionSaved(home, sessionId));
    const args = cliArgs({
      prompt: input.prompt,
      model,
      // On this machine a shell command would run on the user's computer: never yolo here.
      approvalMode: approvalModeFor(input.step, false),
      sessionId,
      resume,
      ...(this.opts.fakeResponsesFile ? { fakeResponsesFile: this.opts.fakeResponsesFile } : {}),
    });
    const env = cliEnv({ home, systemSettings, inherited: this.env, ...apiKey });
    const started = Date.now();
    const res = await turn.run(onThisMachine(cli.entry, args, env, input.ticket.path));
    if (res.status === "completed" && input.step === "plan") {
      const written = await planFileWritten(home, sessionId, started);
      if (written) return { status: "completed", text: written };
    }
    return res;
  }

  /** The workspace, when it can run the CLI (a running container with Node.js ≥ 20). */
  private async containerFor(
    input: AgentTurnInput,
    id: string,
  ): Promise<{ ok: true; ws: WorkspaceService } | { ok: false; why: string } | "cancelled"> {
    try {
      const ws = await this.opts.workspaces!();
      const node = await containerNode(ws, id, input.signal);
      return node.ok ? { ok: true, ws } : node;
    } catch (e) {
      if (input.signal.aborted) return "cancelled";
      return { ok: false, why: e instanceof AppError ? e.message : String(e) };
    }
  }

  private get env(): Record<string, string | undefined> {
    return this.opts.env ?? process.env;
  }
}

function missing(): never {
  throw new AppError("AGENT_UNAVAILABLE", `The Gemini CLI ${GEMINI_CLI_VERSION} is not installed.`);
}

function unavailable(message: string): ApiError {
  return { code: "AGENT_UNAVAILABLE", message: `The Gemini CLI could not be prepared: ${message}` };
}

/** One session per ticket, so follow-ups (`--resume`) keep the conversation. */
async function ticketSession(stateDir: string): Promise<string> {
  const file = join(stateDir, "gemini-session-id");
  try {
    const id = (await readFile(file, "utf8")).trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch {
    /* first turn */
  }
  const id = randomUUID();
  await writeFile(file, id + "\n", { mode: 0o600 });
  return id;
}

/**
 * In plan mode the CLI may save its plan with write_file, and only into its own plans folder
 * (`<HOME>/.gemini/tmp/<project>/<session>/plans/*.md`); then that file is the plan, not the
 * chat text around it. The newest one written during this turn wins; bounded.
 */
async function planFileWritten(home: string, sessionId: string, since: number): Promise<string | undefined> {
  const tmp = join(home, ".gemini", "tmp");
  let best: { path: string; mtime: number } | undefined;
  for (const project of await readdir(tmp).catch(() => [] as string[])) {
    const dir = join(tmp, project, sessionId, "plans");
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith(".md")) continue;
      const st = await lstat(join(dir, name)).catch(() => undefined);
      if (!st?.isFile() || st.mtimeMs < since - 1_000) continue;
      if (!best || st.mtimeMs > best.mtime) best = { path: join(dir, name), mtime: st.mtimeMs };
    }
  }
  if (!best) return undefined;
  const text = await readFile(best.path, "utf8").catch(() => "");
  return text.trim() ? bounded(text, PLAN_CHARS).text : undefined;
}

function bounded(s: string, max: number): { text: string; truncated: boolean } {
  const clean = stripAnsi(s);
  return clean.length <= max
    ? { text: clean, truncated: false }
    : { text: clean.slice(0, max) + "\n… [truncated]", truncated: true };
}

/** A tool's arguments in one canonical JSON (the stuck detector compares these). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

interface TurnIo {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** The process could not be started (then `close` follows). */
  error(message: string): void;
  close(code: number | null, signal: NodeJS.Signals | null): void;
}
interface Launched {
  /** Ends the CLI and everything it started. */
  kill(): void;
}
type Launch = (io: TurnIo) => Launched;

/** The CLI on this machine: detached in its own process group, which a kill ends whole. */
function onThisMachine(entry: string, args: string[], env: Record<string, string>, cwd: string): Launch {
  return (io) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let killed = false;
    child.stdout.on("data", io.stdout);
    child.stderr.on("data", io.stderr);
    child.on("error", (e) => io.error(e.message));
    child.on("close", (code, signal) => io.close(code, signal));
    return {
      kill: () => {
        if (killed || child.pid === undefined) return;
        killed = true;
        const group = (sig: NodeJS.Signals) => {
          try {
            process.kill(-(child.pid as number), sig);
          } catch {
            /* gone */
          }
        };
        group("SIGTERM");
        setTimeout(() => group("SIGKILL"), KILL_GRACE_MS).unref();
      },
    };
  };
}

/** The CLI inside the workspace container: runExec kills the exec's whole session there on abort. */
function inContainer(
  ws: WorkspaceService,
  workspace: { id: string; path: string; user?: string },
  args: string[],
  env: Record<string, string>,
): Launch {
  const { id, path: cwd, user } = workspace;
  return (io) => {
    const stop = new AbortController();
    ws.exec(
      id,
      // As the backend's user (exec-user.ts): the CLI's edits in the clone stay the user's files.
      { cmd: ["node", CONTAINER_CLI_ENTRY, ...args], cwd, env, timeoutMs: 24 * 3_600_000, ...(user ? { user } : {}) },
      stop.signal,
      (kind, chunk) => (kind === 1 ? io.stdout(chunk) : io.stderr(chunk)),
    ).then(
      (r) => io.close(r.exitCode, r.timedOut ? "SIGKILL" : null),
      (e: unknown) => {
        if (!stop.signal.aborted) io.error(e instanceof Error ? e.message : String(e));
        io.close(null, "SIGTERM");
      },
    );
    return { kill: () => stop.abort() };
  };
}

class Turn {
  private readonly parser = new GeminiStreamParser();
  private readonly tools = new Map<string, { name: string; args: string }>();
  private readonly toolFailures: string[] = [];
  private text = "";
  private result: Extract<GeminiEvent, { type: "result" }> | undefined;
  private stderrTail = "";
  private stop: TicketStopReason | undefined;
  private fatal: ApiError | undefined;
  /** Meter calls are async: keep them in order and settled before the turn's outcome. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly input: AgentTurnInput,
    private readonly idleMs: number,
  ) {}

  run(launch: Launch): Promise<AgentTurnResult> {
    const { input } = this;
    return new Promise<AgentTurnResult>((resolve) => {
      let proc: Launched | undefined;
      const kill = () => proc?.kill();
      const onAbort = () => kill();
      input.signal.addEventListener("abort", onAbort, { once: true });
      let idle = setTimeout(onIdle, this.idleMs);
      function onIdle() {
        fail({ code: "AGENT_FAILED", message: "The Gemini CLI printed nothing for 5 minutes and was stopped." });
      }
      const fail = (e: ApiError) => {
        this.fatal ??= e;
        kill();
      };
      proc = launch({
        stdout: (chunk) => {
          clearTimeout(idle);
          idle = setTimeout(onIdle, this.idleMs);
          try {
            for (const ev of this.parser.feed(chunk)) this.onEvent(ev, kill);
          } catch (e) {
            if (e instanceof StreamTooLarge)
              fail({ code: "AGENT_FAILED", message: `The Gemini CLI was stopped: ${e.message}.` });
            else throw e;
          }
        },
        stderr: (chunk) => {
          this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL);
        },
        error: (message) => fail(unavailable(message)),
        close: (code, signal) => {
          clearTimeout(idle);
          input.signal.removeEventListener("abort", onAbort);
          for (const ev of this.parser.end()) this.onEvent(ev, kill);
          void this.pending.then(() => resolve(this.outcome(code, signal)));
        },
      });
      if (input.signal.aborted) kill();
    });
  }

  private onEvent(ev: GeminiEvent, kill: () => void): void {
    const { emit, meter } = this.input;
    switch (ev.type) {
      case "init":
        return;
      case "message":
        if (ev.role !== "assistant" || ev.content === "") return;
        this.text += ev.content;
        emit({ type: "token", text: ev.content });
        return;
      case "tool_use": {
        const args = canonical(ev.parameters);
        this.tools.set(ev.tool_id, { name: ev.tool_name, args });
        emit({ type: "tool_call", call_id: ev.tool_id, tool: ev.tool_name, args: ev.parameters });
        return;
      }
      case "tool_result": {
        const tool = this.tools.get(ev.tool_id) ?? { name: "unknown", args: "{}" };
        const ok = ev.status === "success";
        const raw = ok ? (ev.output ?? "") : (ev.error?.message ?? ev.output ?? "failed");
        const out = bounded(raw, TICKET_LIMITS.toolOutputChars);
        if (!ok) this.toolFailures.push(`${tool.name}: ${bounded(raw, 300).text}`);
        emit({
          type: "tool_result",
          call_id: ev.tool_id,
          tool: tool.name,
          ok,
          output: out.text,
          ...(out.truncated ? { truncated: true } : {}),
        });
        const rec = {
          tool: tool.name,
          args: tool.args,
          observation: out.text,
          failed: !ok,
          // Only the CLI's read tools are known not to change files; anything else gets a checkpoint.
          ...(!ok || READ_ONLY_TOOLS.has(tool.name) ? { mutated: false } : {}),
        };
        this.pending = this.pending.then(async () => {
          if (this.stop) return;
          const reason = await meter.step(rec);
          if (reason) {
            this.stop = reason;
            kill();
          }
        });
        return;
      }
      case "error":
        if (ev.severity !== "error") return;
        emit({
          type: "error",
          error: { code: "AGENT_FAILED", message: `Gemini CLI: ${bounded(ev.message, 500).text}` },
        });
        return;
      case "result": {
        this.result = ev;
        const used = ev.stats?.total_tokens;
        if (used !== undefined && used > 0) {
          const reason = meter.tokens(used);
          if (reason) this.stop ??= reason;
        }
        return;
      }
    }
  }

  private outcome(code: number | null, signal: NodeJS.Signals | null): AgentTurnResult {
    const text = this.text;
    if (this.input.signal.aborted) return { status: "cancelled" };
    if (this.stop) return { status: "stopped", reason: this.stop };
    const withText = (error: ApiError): AgentTurnResult => ({ status: "failed", error, ...(text ? { text } : {}) });
    if (this.fatal) return withText(this.fatal);
    if (code !== 0) return withText(exitError(code, signal, this.lastWords()));
    if (!this.result)
      return withText({
        code: "AGENT_FAILED",
        message: `The Gemini CLI ended without a result. ${this.lastWords() ?? ""}`.trim(),
      });
    if (this.result.status === "error")
      return withText({
        code: "AGENT_FAILED",
        message: `The Gemini CLI reported an error: ${bounded(this.result.error?.message ?? "unknown", 500).text}`,
      });
    if (this.toolFailures.length > 0)
      return withText({
        code: "AGENT_FAILED",
        message:
          `The Gemini CLI finished, but ${this.toolFailures.length === 1 ? "a tool call" : `${this.toolFailures.length} tool calls`} failed — ` +
          `${this.toolFailures.slice(0, 3).join("; ")}`,
        hint: "The work may be incomplete: check the tool results above.",
      });
    return { status: "completed", text };
  }

  /** The CLI's last stderr line, bounded and without terminal codes; never its environment. */
  private lastWords(): string | undefined {
    const lines = stripAnsi(this.stderrTail)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("Warning: 256-color"));
    const last = lines.at(-1);
    if (!last) return undefined;
    const key = this.input.model.apiKey;
    return bounded(key ? last.split(key).join("[redacted]") : last, 300).text;
  }
}
