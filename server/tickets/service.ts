/**
 * Every ticket of this backend and its runs. Layout on disk:
 *   <tickets root>/<id>/                      the clone (AICOCKPIT_TICKETS_ROOT)
 *   <dataDir>/tickets/<id>/ticket.json        what the ticket is
 *   <dataDir>/tickets/<id>/runs/<run>.jsonl   each run's append-only event log
 *   <dataDir>/tickets/<id>/agent/             the agents' own state (outside the repository)
 * One action at a time per ticket (creating it counts): a second gets TICKET_RUN_ACTIVE (409).
 * On start-up a run whose log has no `end` was cut off by a restart: it ends `interrupted`, and
 * the partial clones of a backend that stopped mid-clone are removed (repo.ts).
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors";
import { readJsonFile, writeJsonFileAtomic } from "../store/json-file";
import { ConfirmTokens } from "../gateway/confirm-token";
import type { LlmService } from "../llm/service";
import type { WorkspaceService } from "../workspaces/service";
import {
  TICKET_BRANCH_PREFIX,
  TICKET_ID_PATTERN,
  TICKET_RUN_FINAL,
  type CreateTicketRequest,
  type CreateTicketResponse,
  type DeleteTicketResponse,
  type TicketAgentKind,
  type TicketCommandRequest,
  type TicketConfirmRequest,
  type TicketDetail,
  type TicketList,
  type TicketRunEvent,
  type TicketRunEventBody,
  type TicketRunView,
  type TicketView,
  type TicketWorkspaceRequest,
} from "../api/tickets";
import type { TicketAgent } from "./agent";
import { assertBranchName, parseRepoUrl } from "./repo-url";
import { TicketRepo, dirtyTreeError, removeLeftoverClones } from "./repo";
import { RunLog, type RunHeader } from "./run-log";
import { RunMeter, clampBudgets } from "./meter";
import { RunConfirmations } from "./confirm";
import { executeRun, type RunEnd } from "./run";
import { forgetSecret, log, registerSecret } from "../log";
import { ticketExecUser } from "./exec-user";
import {
  TICKET_WORKSPACE_PATH,
  createTicketWorkspace,
  ensureRunning,
  removeTicketWorkspace,
  verifyTicketWorkspace,
} from "./workspace";

interface StoredTicket extends Omit<TicketView, "active_run"> {
  forge_owner?: string;
  forge_name?: string;
  /** Agent turns so far (the Gemini CLI resumes its session after the first). */
  turns: number;
}

type Listener = (e: TicketRunEvent) => void;

class RunRecord {
  readonly events: TicketRunEvent[] = [];
  readonly view: TicketRunView;
  readonly listeners = new Set<Listener>();
  controller: AbortController | undefined;
  confirmations: RunConfirmations | undefined;
  constructor(readonly header: RunHeader) {
    this.view = {
      run_id: header.run_id,
      ticket_id: header.ticket_id,
      action: header.action,
      agent: header.agent,
      status: "running",
      created_at: header.created_at,
      last_seq: 0,
      budgets: header.budgets,
      // From our own run log; a header written before this field existed has none.
      ...(typeof header.message === "string" ? { message: header.message } : {}),
    };
  }
  apply(e: TicketRunEvent): void {
    this.events.push(e);
    const v = this.view;
    v.last_seq = e.seq;
    if (e.type === "status") v.status = e.status;
    else if (e.type === "pr") v.pr_url = e.url;
    else if (e.type === "error") v.error = e.error;
    else if (e.type === "end") {
      v.status = e.status;
      v.finished_at = e.at;
      if (e.stop_reason) v.stop_reason = e.stop_reason;
      if (e.pr_url) v.pr_url = e.pr_url;
    }
  }
  get finished(): boolean {
    return this.events.at(-1)?.type === "end";
  }
}

export interface TicketServiceDeps {
  dataDir: string;
  root: string;
  allowLocalRepos: boolean;
  forgeApiUrl: string;
  /** AICOCKPIT_TICKETS_EXEC_USER (checked by the config); default: the backend's own (exec-user.ts). */
  execUser?: string;
  llm: LlmService;
  workspaces: () => Promise<WorkspaceService>;
  agents: Partial<Record<TicketAgentKind, TicketAgent>>;
}

const RUN_ID = /^[A-Za-z0-9-]{1,64}$/;

export class TicketService {
  private readonly tickets = new Map<string, StoredTicket>();
  private readonly runs = new Map<string, RunRecord>();
  /** ticket id → what holds it ("create" or a run id). */
  private readonly busy = new Map<string, string>();
  private readonly tokens = new ConfirmTokens({ ttlMs: 24 * 3_600_000 });
  private readonly meta: string;
  /** Who the commands in a ticket's workspace run as (exec-user.ts). */
  private readonly execUser: string | undefined;

  constructor(private readonly deps: TicketServiceDeps) {
    this.meta = join(deps.dataDir, "tickets");
    this.execUser = ticketExecUser(deps.execUser);
    mkdirSync(this.meta, { recursive: true, mode: 0o700 });
    mkdirSync(deps.root, { recursive: true });
    const { removed, failed } = removeLeftoverClones(deps.root);
    if (removed.length > 0)
      log.info(`tickets: removed ${removed.length} half-made clone(s) of a backend that stopped mid-clone`, {
        root: deps.root,
        removed,
      });
    if (failed.length > 0) log.warn("tickets: half-made clones that could not be removed", { root: deps.root, failed });
    for (const id of readdirSync(this.meta)) {
      if (!TICKET_ID_PATTERN.test(id)) continue;
      const t = readJsonFile(join(this.meta, id, "ticket.json")) as StoredTicket | undefined;
      if (!t) continue;
      this.tickets.set(id, t);
      for (const { header, events } of this.log(id).loadAll()) {
        const rec = new RunRecord(header);
        for (const e of events) rec.apply(e);
        this.runs.set(header.run_id, rec);
        if (!rec.finished) {
          this.emit(rec, { type: "status", status: "interrupted", message: "The backend stopped during this run." });
          this.emit(rec, {
            type: "end",
            status: "interrupted",
            message: `Interrupted: the backend stopped during this run. The branch ${t.branch} and its checkpoints are kept.`,
            branch_kept: true,
          });
        }
      }
    }
  }

  private log(id: string): RunLog {
    return new RunLog(join(this.meta, id, "runs"));
  }

  private ticket(id: string): StoredTicket {
    const t = TICKET_ID_PATTERN.test(id) ? this.tickets.get(id) : undefined;
    if (!t)
      throw new AppError("TICKET_NOT_FOUND", `No ticket ${JSON.stringify(id)}.`, "Create it with POST /api/tickets.");
    return t;
  }

  private view(t: StoredTicket): TicketView {
    const { forge_owner: _o, forge_name: _n, turns: _t, ...v } = t;
    const active = this.busy.get(t.ticket_id);
    return { ...v, ...(active && active !== "create" ? { active_run: active } : {}) };
  }

  private hold(id: string, what: string): void {
    const holder = this.busy.get(id);
    if (holder)
      throw new AppError(
        "TICKET_RUN_ACTIVE",
        holder === "create"
          ? `Ticket ${id} is being created or updated right now.`
          : `Ticket ${id} already has a running action (run ${holder}).`,
        "Wait for it to end or cancel it (POST /api/tickets/:id/runs/:run/cancel).",
      );
    this.busy.set(id, what);
  }

  async create(req: CreateTicketRequest, signal?: AbortSignal): Promise<CreateTicketResponse> {
    // Everything is checked before anything touches the disk: a refused request clones nothing.
    if (!TICKET_ID_PATTERN.test(req.ticket_id))
      throw new AppError("BAD_REQUEST", "ticket_id must be 1–64 letters, digits, '-' or '_'.");
    const ref = parseRepoUrl(req.repo_url, this.deps.allowLocalRepos);
    if (req.base_branch !== undefined) assertBranchName(req.base_branch);
    if (req.workspace_id !== undefined) await (await this.deps.workspaces()).inspect(req.workspace_id);
    const id = req.ticket_id;
    const branch = `${TICKET_BRANCH_PREFIX}${id}`;
    const path = join(this.deps.root, id);
    const token = req.secrets?.forge_token;
    this.hold(id, "create");
    registerSecret(token);
    try {
      const existing = this.tickets.get(id);
      let repo: TicketRepo;
      let status: CreateTicketResponse["status"];
      let did: string;
      if (TicketRepo.exists(path)) {
        repo = new TicketRepo(path, token);
        const origin = await repo.originUrl();
        if (origin !== ref.url)
          throw new AppError(
            "TICKET_REPO_REFUSED",
            `Ticket ${id} already has a clone of another repository (${origin}).`,
            "Use another ticket id, or delete this ticket first.",
          );
        const dirty = await repo.dirtyFiles();
        if (dirty.length > 0)
          throw new AppError(
            "TICKET_DIRTY_TREE",
            `The clone of ticket ${id} has ${dirty.length} uncommitted change(s); it was not updated.`,
            "Commit or stash them first.",
          );
        await repo.fetch(signal);
        status = "updated";
        did = "Fetched origin";
      } else {
        if (existsSync(path))
          throw new AppError("TICKET_REPO_REFUSED", `${path} exists and is not a git clone; it was left alone.`);
        repo = await TicketRepo.clone(ref.url, path, token, signal);
        status = "created";
        did = `Cloned ${ref.url}`;
      }
      const base = req.base_branch ?? existing?.base_branch ?? (await repo.defaultBranch());
      const how = await repo.checkoutTicketBranch(branch, base);
      const workspace = req.workspace_id
        ? await verifyTicketWorkspace(
            await this.deps.workspaces(),
            realpathSync(path),
            req.workspace_id,
            req.workspace_path,
          )
        : existing?.workspace_id
          ? { id: existing.workspace_id, path: existing.workspace_path ?? TICKET_WORKSPACE_PATH }
          : undefined;
      const stored: StoredTicket = {
        ticket_id: id,
        repo_url: ref.url,
        branch,
        base_branch: base,
        path: realpathSync(path),
        created_at: existing?.created_at ?? new Date().toISOString(),
        turns: existing?.turns ?? 0,
        ...(existing?.pr_url ? { pr_url: existing.pr_url } : {}),
        ...(ref.owner && ref.name ? { forge_owner: ref.owner, forge_name: ref.name } : {}),
        ...(workspace ? { workspace_id: workspace.id, workspace_path: workspace.path } : {}),
      };
      writeJsonFileAtomic(join(this.meta, id, "ticket.json"), stored);
      this.tickets.set(id, stored);
      return { status, ticket_id: id, branch, path: stored.path, message: `${did} and ${how}.` };
    } finally {
      forgetSecret(token);
      this.busy.delete(id);
    }
  }

  /** Attaches an existing workspace that mounts the clone (checked), or creates one for the ticket. */
  async attachWorkspace(id: string, req: TicketWorkspaceRequest, signal?: AbortSignal): Promise<TicketView> {
    const t = this.ticket(id);
    this.hold(id, "create");
    try {
      const ws = await this.deps.workspaces();
      const w = req.workspace_id
        ? await verifyTicketWorkspace(ws, t.path, req.workspace_id, req.workspace_path)
        : await createTicketWorkspace(ws, id, t.path, req, signal);
      t.workspace_id = w.id;
      t.workspace_path = w.path;
      writeJsonFileAtomic(join(this.meta, id, "ticket.json"), t);
    } finally {
      this.busy.delete(id);
    }
    return this.view(t);
  }

  /** The agent's commands run on this machine again (after confirmation); the container is left as it is. */
  detachWorkspace(id: string): TicketView {
    const t = this.ticket(id);
    this.hold(id, "create");
    try {
      delete t.workspace_id;
      delete t.workspace_path;
      writeJsonFileAtomic(join(this.meta, id, "ticket.json"), t);
    } finally {
      this.busy.delete(id);
    }
    return this.view(t);
  }

  list(): TicketList {
    return {
      tickets: [...this.tickets.values()]
        .sort((a, b) => b.created_at.localeCompare(a.created_at))
        .map((t) => this.view(t)),
    };
  }

  get(id: string): TicketDetail {
    const t = this.ticket(id);
    const runs = [...this.runs.values()]
      .filter((r) => r.header.ticket_id === id)
      .map((r) => ({ ...r.view }))
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
    return { ...this.view(t), runs };
  }

  async delete(id: string): Promise<DeleteTicketResponse> {
    const t = this.ticket(id);
    this.hold(id, "create");
    let workspaceRemoved = false;
    try {
      if (t.workspace_id) {
        try {
          workspaceRemoved = await removeTicketWorkspace(await this.deps.workspaces(), id, t.workspace_id);
        } catch (e) {
          // Docker being away must not keep the user from deleting the ticket.
          log.warn(`ticket ${id}: its workspace was not removed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      // The clone only: the remote and its branch are never touched.
      rmSync(join(this.deps.root, id), { recursive: true, force: true });
      rmSync(join(this.meta, id), { recursive: true, force: true });
      this.tickets.delete(t.ticket_id);
      for (const [runId, r] of this.runs) if (r.header.ticket_id === id) this.runs.delete(runId);
    } finally {
      this.busy.delete(id);
    }
    return { deleted: true, remote_branch_kept: true, ...(workspaceRemoved ? { workspace_removed: true } : {}) };
  }

  private record(ticketId: string, runId: string): RunRecord {
    const r = RUN_ID.test(runId) ? this.runs.get(runId) : undefined;
    if (!r || r.header.ticket_id !== ticketId)
      throw new AppError("TICKET_RUN_NOT_FOUND", `Ticket ${ticketId} has no run ${JSON.stringify(runId)}.`);
    return r;
  }

  run(ticketId: string, runId: string): TicketRunView {
    this.ticket(ticketId);
    return { ...this.record(ticketId, runId).view };
  }

  private emit(rec: RunRecord, body: TicketRunEventBody): void {
    const ev = {
      ...body,
      seq: rec.view.last_seq + 1,
      run_id: rec.header.run_id,
      ticket_id: rec.header.ticket_id,
      at: new Date().toISOString(),
    } as TicketRunEvent;
    this.log(rec.header.ticket_id).append(ev);
    rec.apply(ev);
    for (const l of [...rec.listeners]) l(ev);
  }

  async command(id: string, req: TicketCommandRequest): Promise<TicketRunView> {
    const t = this.ticket(id);
    const kind = req.agent ?? "builtin";
    const agent = this.deps.agents[kind];
    if (!agent) throw new AppError("AGENT_UNAVAILABLE", `The ${kind} agent is not available in this backend.`);
    const avail = await agent.available();
    if (!avail.ok) throw new AppError(avail.error.code, avail.error.message, avail.error.hint);
    if ((req.dirty ?? "refuse") === "refuse" && this.busy.get(id) === undefined) {
      // Said now, as a 409, rather than as a run that fails at once (the run checks again).
      const dirty = await new TicketRepo(t.path).dirtyFiles();
      if (dirty.length > 0) throw dirtyTreeError(dirty);
    }
    // Said now rather than as a run whose every command fails: a missing workspace is an error,
    // a stopped one is started.
    if (t.workspace_id) await ensureRunning(await this.deps.workspaces(), t.workspace_id);
    const runId = randomUUID();
    this.hold(id, runId);
    const budgets = clampBudgets(req.budgets);
    const header: RunHeader = {
      run_id: runId,
      ticket_id: id,
      action: req.action,
      agent: kind,
      created_at: new Date().toISOString(),
      budgets,
      ...(req.message?.trim() ? { message: req.message.trim() } : {}),
    };
    const rec = new RunRecord(header);
    try {
      this.log(id).create(header);
    } catch (e) {
      this.busy.delete(id);
      throw e;
    }
    this.runs.set(runId, rec);
    const emit = (b: TicketRunEventBody) => this.emit(rec, b);
    const controller = new AbortController();
    rec.controller = controller;
    const token = req.secrets?.forge_token;
    registerSecret(token);
    registerSecret(req.secrets?.gemini_api_key);
    const repo = new TicketRepo(t.path, token);
    const meter = new RunMeter(runId, budgets, repo, emit);
    rec.confirmations = new RunConfirmations(this.tokens, runId, t.path, emit);
    let timeUp = false;
    const timer = setTimeout(() => {
      timeUp = true;
      controller.abort();
    }, budgets.maxMs);
    const stateDir = join(this.meta, id, "agent");
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    emit({ type: "status", status: "running", phase: "starting", message: `${req.action} with the ${kind} agent` });
    const followUp = t.turns > 0;
    t.turns += 1;
    writeJsonFileAtomic(join(this.meta, id, "ticket.json"), t);
    void executeRun({
      ticket: {
        ticketId: id,
        runId,
        path: t.path,
        branch: t.branch,
        stateDir,
        ...(t.workspace_id
          ? {
              workspace: {
                id: t.workspace_id,
                path: t.workspace_path ?? TICKET_WORKSPACE_PATH,
                ...(this.execUser ? { user: this.execUser } : {}),
              },
            }
          : {}),
      },
      baseBranch: t.base_branch,
      ...(t.forge_owner && t.forge_name ? { forgeRepo: { owner: t.forge_owner, name: t.forge_name } } : {}),
      action: req.action,
      ...(req.message ? { message: req.message } : {}),
      agent,
      model: {
        ...(req.model ? { model: req.model } : {}),
        ...(req.provider_id ? { providerId: req.provider_id } : {}),
        ...(req.secrets?.gemini_api_key ? { apiKey: req.secrets.gemini_api_key } : {}),
      },
      dirty: req.dirty ?? "refuse",
      openPr: req.open_pr ?? token !== undefined,
      forgeApiUrl: req.forge_api_url ?? this.deps.forgeApiUrl,
      ...(token ? { token } : {}),
      repo,
      meter,
      confirmations: rec.confirmations,
      workspaces: this.deps.workspaces,
      emit,
      signal: controller.signal,
      timeUp: () => timeUp,
      followUp,
    })
      .catch((e: unknown): RunEnd => {
        log.error(`ticket ${id} run ${runId}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        const message = "The run failed unexpectedly; see the backend log.";
        return { status: "failed", message, error: { code: "INTERNAL", message } };
      })
      .then((end) => {
        clearTimeout(timer);
        if (end.error) emit({ type: "error", error: end.error });
        if (end.pr_url) {
          t.pr_url = end.pr_url;
          writeJsonFileAtomic(join(this.meta, id, "ticket.json"), t);
        }
        emit({ type: "budget", ...meter.state() });
        emit({ type: "status", status: end.status, message: end.message });
        emit({
          type: "end",
          status: end.status,
          ...(end.stop_reason ? { stop_reason: end.stop_reason } : {}),
          message: end.message,
          branch_kept: true,
          ...(end.pr_url ? { pr_url: end.pr_url } : {}),
        });
        rec.controller = undefined;
        rec.confirmations = undefined;
        forgetSecret(token);
        forgetSecret(req.secrets?.gemini_api_key);
        this.busy.delete(id);
      });
    return { ...rec.view };
  }

  /** Replays the events after `after`, then follows live ones until `end`. Returns the unsubscribe. */
  subscribe(ticketId: string, runId: string, after: number, listener: Listener): () => void {
    const rec = this.record(ticketId, runId);
    for (const e of rec.events) if (e.seq > after) listener(e);
    if (rec.finished) return () => undefined;
    rec.listeners.add(listener);
    return () => rec.listeners.delete(listener);
  }

  confirm(ticketId: string, runId: string, req: TicketConfirmRequest): void {
    const rec = this.record(ticketId, runId);
    if (!rec.confirmations)
      throw new AppError("TICKET_CONFIRMATION_STALE", "This run has ended; nothing waits for confirmation.");
    rec.confirmations.answer(req);
  }

  cancel(ticketId: string, runId: string): TicketRunView {
    const rec = this.record(ticketId, runId);
    rec.controller?.abort();
    return { ...rec.view };
  }

  isFinal(status: string): boolean {
    return (TICKET_RUN_FINAL as readonly string[]).includes(status);
  }
}
