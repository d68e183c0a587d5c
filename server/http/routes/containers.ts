/**
 * Containers on any host: `/api/hosts/:host/containers…` (contract: server/api/containers.ts).
 * `:host` is `local` or a host id. Logs are JSON, or an SSE stream with `follow=1`.
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { ContainerAction, ContainerLogEvent } from "../../api/containers";
import { WORKSPACE_LIMITS } from "../../api/workspaces";
import { AppError } from "../../errors";
import { parseBody } from "../../validate";
import { abortOnClose, streamEvents } from "../sse";
import { connectWithCredentials, credentialsFromHeaders } from "../host-credentials";

const ActionSchema = z.object({ confirmToken: z.string().min(1).max(16_384).optional() }).optional();
const ExecSchema = z.object({
  cmd: z.array(z.string().max(32_768)).min(1, "must not be empty").max(WORKSPACE_LIMITS.maxCommandArgs),
  confirmToken: z.string().min(1).max(16_384).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;
const wrap = (h: Handler) => (req: Request, res: Response, next: NextFunction) => {
  h(req, res, next).catch((err: unknown) => {
    if (res.headersSent) return;
    next(err);
  });
};

const hostOf = (req: Request) => String(req.params.host);
const nameOf = (req: Request) => String(req.params.name);

function logOptions(req: Request) {
  const q = req.query;
  const one = (v: unknown) => (typeof v === "string" ? v : undefined);
  const tailRaw = one(q.tail);
  if (tailRaw !== undefined && !/^\d{1,6}$/.test(tailRaw))
    throw new AppError("BAD_REQUEST", "tail must be a whole number.");
  const since = one(q.since);
  return {
    ...(tailRaw !== undefined ? { tail: Number(tailRaw) } : {}),
    ...(since !== undefined ? { since } : {}),
    timestamps: one(q.timestamps) === "1" || one(q.timestamps) === "true",
  };
}

export function containersRouter(ctx: AppContext): Router {
  const r = Router();
  const svc = () => ctx.containers();
  // Secrets for hosts that need them (see server/api/containers.ts) open the connection first.
  r.use(
    "/api/hosts/:host/containers",
    wrap(async (req, _res, next) => {
      await connectWithCredentials(ctx, hostOf(req), credentialsFromHeaders(req.headers));
      next();
    }),
  );
  r.get(
    "/api/hosts/:host/containers",
    wrap(async (req, res) => void res.json(await (await svc()).list(hostOf(req)))),
  );
  r.get(
    "/api/hosts/:host/containers/:name",
    wrap(async (req, res) => void res.json(await (await svc()).inspect(hostOf(req), nameOf(req)))),
  );
  r.get(
    "/api/hosts/:host/containers/:name/stats",
    wrap(async (req, res) => void res.json(await (await svc()).stats(hostOf(req), nameOf(req)))),
  );
  r.get(
    "/api/hosts/:host/containers/:name/logs",
    wrap(async (req, res, next) => {
      const opts = logOptions(req);
      const s = await svc();
      if (req.query.follow === "1" || req.query.follow === "true") {
        await streamEvents<ContainerLogEvent>(
          res,
          next,
          (signal) => s.follow(hostOf(req), nameOf(req), opts, signal),
          (error) => ({ type: "error", error }),
        );
        return;
      }
      res.json(await s.logs(hostOf(req), nameOf(req), opts));
    }),
  );
  for (const action of ["start", "stop", "restart"] as ContainerAction[]) {
    r.post(
      `/api/hosts/:host/containers/:name/${action}`,
      wrap(async (req, res) => {
        const body = parseBody(ActionSchema, req.body);
        res.json(await (await svc()).action(hostOf(req), nameOf(req), action, body?.confirmToken));
      }),
    );
  }
  r.post(
    "/api/hosts/:host/containers/:name/exec",
    wrap(async (req, res) => {
      const body = parseBody(ExecSchema, req.body);
      const ac = abortOnClose(res);
      const out = await (await svc()).exec(hostOf(req), nameOf(req), body, ac.signal);
      if (!ac.signal.aborted) res.json(out);
    }),
  );
  return r;
}
