/**
 * Docker workspaces over HTTP (contract: server/api/workspaces.ts). Create streams its
 * progress as SSE; everything else is plain JSON. The interactive terminal is a WebSocket
 * (server/http/ws-tty.ts).
 */
import { Router, type Request } from "express";
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
import type { CreateWorkspaceEvent, FileStat } from "../../api/workspaces";
import { AppError, toAppError } from "../../errors";
import { parseBody } from "../../validate";
import { abortOnClose, SseWriter } from "../sse";
import { idOf, route, streamRoute } from "../route";

export function workspacesRouter(ctx: AppContext): Router {
  const r = Router();
  const svc = () => ctx.workspaces();
  const files = () => import("../../workspaces/files.js");

  route(r, "GET /api/workspaces/stacks", async () => {
    const { BUILTIN_STACKS } = await import("../../workspaces/stacks.js");
    return { stacks: [...BUILTIN_STACKS] };
  });
  route(r, "GET /api/workspaces", async () => (await svc()).list());
  route(r, "GET /api/workspace-hosts", async () => ({ hosts: (await svc()).engines.listHosts() }));
  route(r, "POST /api/workspace-hosts/probe-key", async (req) => {
    const body = parseBody(ProbeSchema, req.body);
    const { probeHostKey } = await import("../../workspaces/host-key.js");
    return probeHostKey(body.host, body.port ?? 22);
  });
  route(r, "PUT /api/workspace-hosts/:id", async (req) =>
    (await svc()).engines.putHost(idOf(req), parseBody(HostSchema, req.body)),
  );
  route(r, "DELETE /api/workspace-hosts/:id", async (req) => {
    if (!(await svc()).engines.removeHost(idOf(req)))
      throw new AppError("WORKSPACE_HOST_UNKNOWN", `No Docker host named ${JSON.stringify(idOf(req))}.`);
    return { removed: true };
  });

  streamRoute(r, "POST /api/workspaces", async (req, res) => {
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
  });

  route(r, "GET /api/workspaces/:id", async (req) => (await svc()).inspect(idOf(req)));
  route(r, "POST /api/workspaces/:id/start", async (req) => (await svc()).start(idOf(req)));
  route(r, "POST /api/workspaces/:id/stop", async (req) => (await svc()).stop(idOf(req)));
  route(r, "POST /api/workspaces/:id/restart", async (req) => (await svc()).restart(idOf(req)));
  route(r, "DELETE /api/workspaces/:id", async (req) => {
    const body = parseBody(DeleteSchema, req.body);
    return (await svc()).remove(idOf(req), body?.removeVolume === true);
  });
  route(r, "POST /api/workspaces/:id/exec", async (req, signal) =>
    (await svc()).exec(idOf(req), parseBody(ExecSchema, req.body), signal),
  );

  // Files: read/write/stat work on stopped workspaces too (archive API); the rest need it running.
  const withFs =
    <T, R>(
      schema: z.ZodType<T>,
      running: boolean,
      op: (c: import("dockerode").Container, body: T, f: Awaited<ReturnType<typeof files>>) => Promise<R>,
    ) =>
    async (req: Request): Promise<R> => {
      const body = parseBody(schema, req.body);
      const s = await svc();
      const f = await files();
      const loc = running ? await s.running(idOf(req)) : await s.locate(idOf(req));
      const { fromDockerError } = await import("../../workspaces/errors.js");
      try {
        return await op(loc.container, body, f);
      } catch (err) {
        throw fromDockerError(err, loc.engine.ref, "files");
      }
    };

  route(
    r,
    "POST /api/workspaces/:id/files/stat",
    withFs(PathSchema, false, async (c, b, f) => {
      const st = await f.statPath(c, f.checkPath(b.path));
      const out: FileStat = { name: st.name, type: st.type, size: st.size, mtimeMs: st.mtimeMs };
      return out;
    }),
  );
  route(
    r,
    "POST /api/workspaces/:id/files/list",
    withFs(PathSchema, true, async (c, b, f) => {
      const path = f.checkPath(b.path);
      return { path, entries: await f.listDir(c, path) };
    }),
  );
  route(
    r,
    "POST /api/workspaces/:id/files/read",
    withFs(PathSchema, false, async (c, b, f) => {
      const path = f.checkPath(b.path);
      const content = await f.readFile(c, path);
      return { path, size: content.length, contentBase64: content.toString("base64") };
    }),
  );
  route(
    r,
    "POST /api/workspaces/:id/files/write",
    withFs(WriteSchema, false, async (c, b, f) => {
      const content = Buffer.from(b.contentBase64, "base64");
      if (content.length > L.maxFileBytes)
        throw new AppError("FILE_TOO_LARGE", `At most ${L.maxFileBytes} bytes can be written at once.`);
      return f.writeFile(c, f.checkPath(b.path), content, { create: b.create ?? true, overwrite: b.overwrite ?? true });
    }),
  );
  route(
    r,
    "POST /api/workspaces/:id/files/delete",
    withFs(DeleteFileSchema, true, async (c, b, f) => {
      await f.deletePath(c, f.checkPath(b.path), b.recursive ?? false);
      return { deleted: true };
    }),
  );
  route(
    r,
    "POST /api/workspaces/:id/files/mkdir",
    withFs(PathSchema, true, async (c, b, f) => {
      await f.makeDir(c, f.checkPath(b.path));
      return { created: true };
    }),
  );
  route(
    r,
    "POST /api/workspaces/:id/files/rename",
    withFs(RenameSchema, true, async (c, b, f) => {
      await f.renamePath(c, f.checkPath(b.from), f.checkPath(b.to), b.overwrite ?? false);
      return { renamed: true };
    }),
  );
  return r;
}
