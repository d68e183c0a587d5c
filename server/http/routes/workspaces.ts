/**
 * Docker workspaces over HTTP (contract: server/api/workspaces.ts). Create streams its
 * progress as SSE; everything else is plain JSON. The interactive terminal is a WebSocket
 * (server/http/ws-tty.ts).
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import {
  CreateWorkspaceRequestSchema as CreateSchema,
  DeleteWorkspaceRequestSchema as DeleteSchema,
  ExecRequestSchema as ExecSchema,
  FileDeleteRequestSchema as DeleteFileSchema,
  FilePathRequestSchema as PathSchema,
  FileRenameRequestSchema as RenameSchema,
  FileWriteRequestSchema as WriteSchema,
  ProbeHostKeyRequestSchema as ProbeSchema,
  WorkspaceHostInputSchema as HostSchema,
} from "../../api/schemas/workspaces";
import type { z } from "zod";
import { WORKSPACE_LIMITS as L } from "../../api/workspaces";
import type { AppContext } from "../../context";
import type { CreateWorkspaceEvent, FileStat, StackList } from "../../api/workspaces";
import { AppError, toAppError } from "../../errors";
import { parseBody } from "../validate";
import { abortOnClose, SseWriter } from "../sse";

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (h: Handler) => (req: Request, res: Response, next: NextFunction) => {
  h(req, res).catch((err: unknown) => {
    if (res.headersSent) return;
    next(err);
  });
};

const idOf = (req: Request) => String(req.params.id);

export function workspacesRouter(ctx: AppContext): Router {
  const r = Router();
  const svc = () => ctx.workspaces();
  const files = () => import("../../workspaces/files.js");

  r.get(
    "/api/workspaces/stacks",
    wrap(async (_req, res) => {
      const { BUILTIN_STACKS } = await import("../../workspaces/stacks.js");
      const body: StackList = { stacks: [...BUILTIN_STACKS] };
      res.json(body);
    }),
  );
  r.get("/api/workspaces", wrap(async (_req, res) => void res.json(await (await svc()).list())));
  r.get("/api/workspace-hosts", wrap(async (_req, res) => void res.json({ hosts: (await svc()).engines.listHosts() })));
  r.post(
    "/api/workspace-hosts/probe-key",
    wrap(async (req, res) => {
      const body = parseBody(ProbeSchema, req.body);
      const { probeHostKey } = await import("../../workspaces/host-key.js");
      res.json(await probeHostKey(body.host, body.port ?? 22));
    }),
  );
  r.put(
    "/api/workspace-hosts/:id",
    wrap(async (req, res) => {
      const body = parseBody(HostSchema, req.body);
      res.json((await svc()).engines.putHost(idOf(req), body));
    }),
  );
  r.delete(
    "/api/workspace-hosts/:id",
    wrap(async (req, res) => {
      if (!(await svc()).engines.removeHost(idOf(req))) throw new AppError("WORKSPACE_HOST_UNKNOWN", `No Docker host named ${JSON.stringify(idOf(req))}.`);
      res.json({ removed: true });
    }),
  );

  r.post(
    "/api/workspaces",
    wrap(async (req, res) => {
      const body = parseBody(CreateSchema, req.body);
      const s = await svc();
      const sse = new SseWriter(res);
      const ac = abortOnClose(res);
      const send = (e: CreateWorkspaceEvent) => sse.json(e);
      try {
        await s.create(body, send, ac.signal);
        sse.done();
      } catch (err) {
        // Before the first event: a plain JSON error with its status. After: an error event.
        if (!sse.headersSent) throw err;
        sse.error(toAppError(err));
      }
    }),
  );

  r.get("/api/workspaces/:id", wrap(async (req, res) => void res.json(await (await svc()).inspect(idOf(req)))));
  r.post("/api/workspaces/:id/start", wrap(async (req, res) => void res.json(await (await svc()).start(idOf(req)))));
  r.post("/api/workspaces/:id/stop", wrap(async (req, res) => void res.json(await (await svc()).stop(idOf(req)))));
  r.post("/api/workspaces/:id/restart", wrap(async (req, res) => void res.json(await (await svc()).restart(idOf(req)))));
  r.delete(
    "/api/workspaces/:id",
    wrap(async (req, res) => {
      const body = parseBody(DeleteSchema, req.body);
      res.json(await (await svc()).remove(idOf(req), body?.removeVolume === true));
    }),
  );
  r.post(
    "/api/workspaces/:id/exec",
    wrap(async (req, res) => {
      const body = parseBody(ExecSchema, req.body);
      const ac = abortOnClose(res);
      const out = await (await svc()).exec(idOf(req), body, ac.signal);
      if (!ac.signal.aborted) res.json(out);
    }),
  );

  // Files: read/write/stat work on stopped workspaces too (archive API); the rest need it running.
  const withFs = <T>(schema: z.ZodType<T>, running: boolean, op: (c: import("dockerode").Container, body: T, f: Awaited<ReturnType<typeof files>>) => Promise<unknown>) =>
    wrap(async (req, res) => {
      const body = parseBody(schema, req.body);
      const s = await svc();
      const f = await files();
      const loc = running ? await s.running(idOf(req)) : await s.locate(idOf(req));
      const { fromDockerError } = await import("../../workspaces/errors.js");
      try {
        res.json(await op(loc.container, body, f));
      } catch (err) {
        throw fromDockerError(err, loc.engine.ref, "files");
      }
    });

  r.post(
    "/api/workspaces/:id/files/stat",
    withFs(PathSchema, false, async (c, b, f) => {
      const st = await f.statPath(c, f.checkPath(b.path));
      const out: FileStat = { name: st.name, type: st.type, size: st.size, mtimeMs: st.mtimeMs };
      return out;
    }),
  );
  r.post(
    "/api/workspaces/:id/files/list",
    withFs(PathSchema, true, async (c, b, f) => {
      const path = f.checkPath(b.path);
      return { path, entries: await f.listDir(c, path) };
    }),
  );
  r.post(
    "/api/workspaces/:id/files/read",
    withFs(PathSchema, false, async (c, b, f) => {
      const path = f.checkPath(b.path);
      const content = await f.readFile(c, path);
      return { path, size: content.length, contentBase64: content.toString("base64") };
    }),
  );
  r.post(
    "/api/workspaces/:id/files/write",
    withFs(WriteSchema, false, async (c, b, f) => {
      const content = Buffer.from(b.contentBase64, "base64");
      if (content.length > L.maxFileBytes) throw new AppError("FILE_TOO_LARGE", `At most ${L.maxFileBytes} bytes can be written at once.`);
      return f.writeFile(c, f.checkPath(b.path), content, { create: b.create ?? true, overwrite: b.overwrite ?? true });
    }),
  );
  r.post(
    "/api/workspaces/:id/files/delete",
    withFs(DeleteFileSchema, true, async (c, b, f) => {
      await f.deletePath(c, f.checkPath(b.path), b.recursive ?? false);
      return { deleted: true };
    }),
  );
  r.post(
    "/api/workspaces/:id/files/mkdir",
    withFs(PathSchema, true, async (c, b, f) => {
      await f.makeDir(c, f.checkPath(b.path));
      return { created: true };
    }),
  );
  r.post(
    "/api/workspaces/:id/files/rename",
    withFs(RenameSchema, true, async (c, b, f) => {
      await f.renamePath(c, f.checkPath(b.from), f.checkPath(b.to), b.overwrite ?? false);
      return { renamed: true };
    }),
  );
  return r;
}
