/**
 * SSH hosts over HTTP (contract: server/api/hosts.ts): manage the registry, import from
 * ~/.ssh/config, test a connection and trust a host key. Commands are NOT run from here —
 * features (workspaces, gateway, tasks) call the hosts module.
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { HostList, TestHostResult } from "../../api/hosts";
import { AppError } from "../../errors";
import { parseBody } from "../../validate";
import { FINGERPRINT_PATTERN } from "../../hosts/fingerprint";
import { HOST_ID_PATTERN, HOST_NAME_PATTERN, USER_PATTERN, MAX_JUMP_HOPS } from "../../hosts/registry";

const secret = z.string().max(4096);
/** Per-request secrets for a host and its jump hops (shared with the gateway and container routes). */
export const credentials = z
  .record(z.string().regex(HOST_ID_PATTERN), z.object({ passphrase: secret.optional(), password: secret.optional() }))
  .refine((m) => Object.keys(m).length <= MAX_JUMP_HOPS + 1, "too many hosts in credentials")
  .optional();
const auth = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("key"), privateKeyPath: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal("agent") }),
  z.object({ kind: z.literal("password") }),
]);
const fingerprint = z
  .string()
  .regex(FINGERPRINT_PATTERN, "fingerprint must be SHA256:<43 base64 characters>, as `ssh-keygen -lf` prints it");
const fields = {
  host: z.string().regex(HOST_NAME_PATTERN, "host must be a host name or address"),
  port: z.number().int().min(1).max(65535),
  user: z.string().regex(USER_PATTERN, "user has invalid characters"),
  auth,
  jump: z.array(z.string().regex(HOST_ID_PATTERN)).max(MAX_JUMP_HOPS),
  hostFingerprint: fingerprint,
  workspaces: z.boolean(),
};
const AddSchema = z.object({
  id: z.string().regex(HOST_ID_PATTERN, 'id: lowercase letters, digits, "-", "_" or "." (up to 48)'),
  host: fields.host,
  port: fields.port.optional(),
  user: fields.user,
  auth,
  jump: fields.jump.optional(),
  hostFingerprint: fingerprint.optional(),
  workspaces: fields.workspaces.optional(),
});
const PatchSchema = z.object({
  host: fields.host.optional(),
  port: fields.port.optional(),
  user: fields.user.optional(),
  auth: auth.optional(),
  jump: fields.jump.optional(),
  hostFingerprint: fingerprint.nullable().optional(),
  workspaces: fields.workspaces.optional(),
});
const TestSchema = z.object({ credentials }).optional();
const TrustSchema = z.object({ fingerprint, replace: z.boolean().optional() });
const ImportSchema = z.object({ aliases: z.array(z.string().min(1).max(255)).max(1000).optional() }).optional();

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (h: Handler) => (req: Request, res: Response, next: NextFunction) => {
  h(req, res).catch((err: unknown) => {
    if (res.headersSent) return;
    next(err);
  });
};
const idOf = (req: Request) => String(req.params.id);

export function hostsRouter(ctx: AppContext): Router {
  const r = Router();

  r.get(
    "/api/hosts",
    wrap(async (_req, res) => {
      const body: HostList = { hosts: (await ctx.hosts()).registry.list() };
      res.json(body);
    }),
  );
  r.post(
    "/api/hosts/import-ssh-config",
    wrap(async (req, res) => {
      const body = parseBody(ImportSchema, req.body);
      const h = await ctx.hosts();
      const { importSshConfig } = await import("../../hosts/ssh-config-import.js");
      res.json(
        importSshConfig({
          aliases: body?.aliases,
          knownHostsFiles: h.pool.options.knownHostsFiles,
          agentAvailable: h.pool.options.agentSocket !== undefined,
        }),
      );
    }),
  );
  r.post(
    "/api/hosts",
    wrap(async (req, res) => {
      const { id, ...input } = parseBody(AddSchema, req.body);
      res.json((await ctx.hosts()).registry.add(id, input));
    }),
  );
  r.patch(
    "/api/hosts/:id",
    wrap(async (req, res) => {
      const patch = parseBody(PatchSchema, req.body ?? {});
      res.json((await ctx.hosts()).registry.update(idOf(req), patch));
    }),
  );
  r.delete(
    "/api/hosts/:id",
    wrap(async (req, res) => {
      if (!(await ctx.hosts()).registry.remove(idOf(req)))
        throw new AppError("HOST_UNKNOWN", `No SSH host named ${JSON.stringify(idOf(req))}.`);
      res.json({ removed: true });
    }),
  );
  r.post(
    "/api/hosts/:id/test",
    wrap(async (req, res) => {
      const body = parseBody(TestSchema, req.body);
      const result: TestHostResult = await (await ctx.hosts()).pool.test(idOf(req), body?.credentials);
      res.json(result);
    }),
  );
  r.post(
    "/api/hosts/:id/trust",
    wrap(async (req, res) => {
      const body = parseBody(TrustSchema, req.body);
      const { registry, pool } = await ctx.hosts();
      const host = registry.require(idOf(req));
      const { lookupKnownHosts } = await import("../../hosts/known-hosts.js");
      // Replacing a key someone vouched for (the pin, or known_hosts) is never implicit.
      const vouched = [
        host.hostFingerprint,
        ...lookupKnownHosts(pool.options.knownHostsFiles, host.host, host.port)
          .filter((e) => e.marker === undefined)
          .map((e) => e.fingerprint),
      ].filter((f): f is string => f !== undefined);
      const revoked = lookupKnownHosts(pool.options.knownHostsFiles, host.host, host.port).some(
        (e) => e.marker === "revoked" && e.fingerprint === body.fingerprint,
      );
      if (revoked)
        throw new AppError(
          "HOST_KEY_REVOKED",
          `The key ${body.fingerprint} is marked @revoked in known_hosts and cannot be trusted.`,
        );
      if (vouched.length > 0 && !vouched.includes(body.fingerprint) && body.replace !== true) {
        throw new AppError(
          "HOST_KEY_CHANGED",
          `Host ${host.id} already has a trusted key (${vouched[0]}); ${body.fingerprint} differs from it.`,
          "Only if the host was really re-keyed, and you verified the new key out of band, send replace: true.",
        );
      }
      res.json(registry.pin(host.id, body.fingerprint));
    }),
  );
  return r;
}
