/**
 * `POST /api/gateway/execute` (contract: server/api/gateway.ts). Every gateway outcome is
 * HTTP 200 with `overall_status` in the body — a malformed request too (VALIDATION_ERROR
 * with error_code BAD_REQUEST); only the guard (token, Origin, Host) and the body limit
 * answer with HTTP error codes, before this route runs.
 */
import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { GATEWAY_LIMITS as L, type GatewayExecuteRequest, type GatewayExecuteResponse } from "../../api/gateway";
import { abortOnClose } from "../sse";
import { credentials } from "./hosts";

const ExecuteSchema = z.object({
  intent: z
    .string({ error: "intent must be a string" })
    .max(L.intentChars, `intent must be at most ${L.intentChars} characters`),
  target: z.object(
    {
      host: z
        .string({ error: "target.host must be a string" })
        .min(1, "target.host must not be empty")
        .max(L.hostChars),
      container: z
        .string({ error: "target.container must be a string" })
        .min(1, "target.container must not be empty")
        .max(L.containerChars),
    },
    { error: "target must be an object {host, container}" },
  ),
  dryRun: z.boolean({ error: "dryRun must be true or false" }).optional(),
  confirmToken: z.string({ error: "confirmToken must be a string" }).min(1).max(L.tokenChars).optional(),
  credentials,
});

export function gatewayRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/gateway/execute", async (req, res, next) => {
    try {
      const gw = await ctx.gateway();
      const parsed = ExecuteSchema.safeParse(req.body);
      if (!parsed.success) {
        // zod reports at least one issue on failure; its own summary stands in if not.
        const first = parsed.error.issues[0];
        const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
        const out: GatewayExecuteResponse = gw.badRequest(
          `${where}${first?.message ?? parsed.error.message}`,
          req.body,
        );
        res.json(out);
        return;
      }
      const body: GatewayExecuteRequest = parsed.data;
      // Closing the connection cancels the model call or stops the command.
      const ac = abortOnClose(res);
      const out = await gw.execute(body, ac.signal);
      if (!res.writableEnded && !res.destroyed) res.json(out);
    } catch (err) {
      if (res.writableEnded || res.destroyed) return;
      next(err);
    }
  });
  return r;
}
