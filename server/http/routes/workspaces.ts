/**
 * Docker workspaces over HTTP (contract: server/api/workspaces.ts). Create streams its
 * progress as SSE; everything else is plain JSON. The interactive terminal is a WebSocket
 * (server/http/ws-tty.ts).
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { CreateWorkspaceEvent, FileStat, StackList } from "../../api/workspaces";
import { WORKSPACE_LIMITS as L, WORKSPACE_NAME_PATTERN } from "../../api/workspaces";
import { AppError, toAppError } from "../errors";
import { parseBody } from "../validate";
import { abortOnClose, SseWriter } from "../sse";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "env names are letters, digits and _");
const envMap = z.record(envName, z.string().max(32_768)).refine((m) => Object.keys(m).length <= L.maxEnv, `at most ${L.maxEnv} env variables`);
const argv = z.array(z.string().max(32_768)).min(1, "must not be empty").max(L.maxCommandArgs);
const port = z.number().int().min(1).max(65535);

export const CreateSchema = z.object({
  name: z.string().regex(WORKSPACE_NAME_PATTERN, 'name: lowercase letters, digits, "-", "_" or "." (up to 48), starting with a letter or digit'),
  stack: z.string().min(1).max(64),
  host: z.string().min(1).max(48).optional(),
  image: z.string().min(1).max(512).regex(/^[^\s]+$/, "image must not contain spaces").optional(),
  command: argv.optional(),
  env: envMap.optional(),
  ports: z
    .array(z.object({ container: port, host: z.number().int().min(0).max(65535).optional(), protocol: z.enum(["tcp", "udp"]).optional() }))
    .max(L.maxPorts)
    .optional(),
  limits: z
    .object({
      cpus: z.number({ error: "cpus must be a number" }).min(L.minCpus, `cpus must be at least ${L.minCpus}`).max(L.maxCpus).optional(),
      memoryMb: z.number().int("memoryMb must be a whole number").min(L.minMemoryMb, `memoryMb must be at least ${L.minMemoryMb}`).max(L.maxMemoryMb).optional(),
      pids: z.number().int("pids must be a whole number").min(L.minPids, `pids must be at least ${L.minPids}`).max(L.maxPids).optional(),
    })
    .optional(),
  network: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "network must be a Docker network name such as bridge or none").optional(),
  pull: z.enum(["missing", "never"]).optional(),
});

export const DeleteSchema = z.object({ removeVolume: z.boolean().optional() }).optional();
export const ExecSchema = z.object({
  cmd: argv,
  cwd: z.string().startsWith("/").max(4096).optional(),
  env: envMap.optional(),
  timeoutMs: z.number().int().min(100).max(L.maxExecTimeoutMs).optional(),
  stdin: z.string().max(10 * 1024 * 1024).optional(),
});
export const PathSchema = z.object({ path: z.string().min(1).max(4096) });
export const WriteSchema = z.object({
  path: z.string().min(1).max(4096),
  contentBase64: z.string().max(Math.ceil((L.maxFileBytes * 4) / 3) + 4),
  create: z.boolean().optional(),
  overwrite: z.boolean().optional(),
});
export const DeleteFileSchema = z.object({ path: z.string().min(1).max(4096), recursive: z.boolean().optional() });
export const RenameSchema = z.object({ from: z.string().min(1).max(4096), to: z.string().min(1).max(4096), overwrite: z.boolean().optional() });
export const HostSchema = z.object({
  host: z.string().min(1).max(255).regex(/^[A-Za-z0-9.:_-]+$/, "host must be a host name or address"),
  port: port.optional(),
  username: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, "username has invalid characters"),
  privateKeyPath: z.string().min(1).max(4096),
  hostFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "hostFingerprint must be SHA256:<43 base64 characters>, as `ssh-keygen -lf` prints it"),
});

export const ProbeSchema = z.object({ host: HostSchema.shape.host, port: port.optional() });

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
