/** Host tasks over HTTP (contract: server/api/tasks.ts). */
import { Router, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { HOST_ID_PATTERN } from "../../hosts/registry";
import {
  TASK_LIMITS,
  type StartTaskRequest,
  type TaskDecisionRequest,
  type TaskEvent,
  type TaskView,
} from "../../api/tasks";
import { parseBody } from "../../validate";
import { AppError } from "../../errors";
import { SSE_HEADERS } from "../sse";
import { TERMINAL } from "../../tasks/store";
import { credentials } from "./hosts";
import { connectWithCredentials } from "../host-credentials";

const Id = z.string().min(1).max(200);
const StartSchema = z
  .object({
    prompt: z.string().trim().min(1).max(TASK_LIMITS.promptChars),
    target: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("local") }).strict(),
      z.object({ kind: z.literal("host"), hostId: z.string().regex(HOST_ID_PATTERN) }).strict(),
      z.object({ kind: z.literal("workspace"), workspaceId: Id }).strict(),
    ]),
    limits: z
      .object({
        maxSteps: z.number(),
        maxAttempts: z.number(),
        wallClockMs: z.number(),
        maxModelTokens: z.number(),
        hangMs: z.number(),
      })
      .partial()
      .strict()
      .optional(),
    cwd: z.string().min(1).max(4_096).optional(),
    model: z.string().min(1).max(200).optional(),
    credentials,
  })
  .strict();

const DecisionSchema = z.union([
  z.object({ confirmation_id: Id, action: z.literal("run"), confirmDangerous: z.boolean().optional() }).strict(),
  z
    .object({
      confirmation_id: Id,
      action: z.literal("edit"),
      command: z.string().trim().min(1).max(TASK_LIMITS.commandChars),
    })
    .strict(),
  z.object({ confirmation_id: Id, action: z.enum(["skip", "stop"]) }).strict(),
  z.object({ hang_id: Id, action: z.enum(["wait", "kill"]) }).strict(),
  z.object({ hang_id: Id, action: z.literal("input"), text: z.string().max(TASK_LIMITS.inputChars) }).strict(),
]);

const HEARTBEAT_MS = 15_000;

function lastEventId(header: string | undefined, query: unknown): number {
  const raw = header ?? (typeof query === "string" ? query : undefined);
  return raw !== undefined && /^\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : 0;
}

function write(res: Response, ev: TaskEvent): void {
  // A heartbeat is not in the log: no id, so it never moves a client's resume point.
  res.write(
    ev.type === "heartbeat" ? `data: ${JSON.stringify(ev)}\n\n` : `id: ${ev.seq}\ndata: ${JSON.stringify(ev)}\n\n`,
  );
}

export function tasksRouter(ctx: AppContext): Router {
  const r = Router();

  r.post("/api/tasks", async (req, res, next) => {
    try {
      const body = parseBody(StartSchema, req.body) as StartTaskRequest;
      // An unknown target is a 404 now, not a failed task after the user confirmed its first step.
      if (body.target.kind === "host" && !(await ctx.hosts()).registry.get(body.target.hostId)) {
        throw new AppError(
          "HOST_UNKNOWN",
          `No host ${JSON.stringify(body.target.hostId)} is registered.`,
          "Add it with POST /api/hosts first.",
        );
      }
      // Likewise a host that needs a secret (HOST_SECRET_REQUIRED) or whose key is not trusted; the
      // connection opened here is the pooled one the task's first command uses.
      if (body.target.kind === "host") await connectWithCredentials(ctx, body.target.hostId, body.credentials);
      if (body.target.kind === "workspace") await (await ctx.workspaces()).inspect(body.target.workspaceId);
      const out: TaskView = (await ctx.tasks()).start(body);
      res.json(out);
    } catch (err) {
      next(err);
    }
  });

  r.get("/api/tasks", async (_req, res, next) => {
    try {
      res.json((await ctx.tasks()).list());
    } catch (err) {
      next(err);
    }
  });

  r.get("/api/tasks/:id", async (req, res, next) => {
    try {
      res.json((await ctx.tasks()).get(req.params.id));
    } catch (err) {
      next(err);
    }
  });

  r.post("/api/tasks/:id/decision", async (req, res, next) => {
    try {
      const body = parseBody(DecisionSchema, req.body) as TaskDecisionRequest;
      res.json(await (await ctx.tasks()).decide(req.params.id, body));
    } catch (err) {
      next(err);
    }
  });

  r.post("/api/tasks/:id/cancel", async (req, res, next) => {
    try {
      res.json((await ctx.tasks()).cancel(req.params.id));
    } catch (err) {
      next(err);
    }
  });

  r.get("/api/tasks/:id/events", async (req, res, next) => {
    try {
      const tasks = await ctx.tasks();
      const id = req.params.id;
      tasks.get(id); // 404 before any header
      const after = lastEventId(req.get("last-event-id"), req.query.after);
      res.writeHead(200, SSE_HEADERS);
      let off: () => void = () => undefined;
      const end = () => {
        clearInterval(beat);
        off();
        if (!res.writableEnded) res.end("data: [DONE]\n\n");
      };
      const beat = setInterval(
        () => write(res, { type: "heartbeat", seq: 0, task_id: id, at: new Date().toISOString() }),
        HEARTBEAT_MS,
      );
      res.on("close", () => {
        clearInterval(beat);
        off();
      });
      let finished = false;
      off = tasks.subscribe(id, after, (ev) => {
        if (finished) return;
        write(res, ev);
        if (ev.type === "task_status_update" && TERMINAL.has(ev.status)) {
          finished = true;
          setImmediate(end);
        }
      });
      if (finished) end();
      // A finished task whose final event is before the resume point: nothing more will come.
      else if (TERMINAL.has(tasks.get(id).status) && !tasks.hasRun(id)) end();
    } catch (err) {
      next(err);
    }
  });

  return r;
}
