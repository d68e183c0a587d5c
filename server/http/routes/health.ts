import { Router } from "express";
import type { AppContext } from "../../context";
import { route } from "../route";

export function healthRouter(ctx: AppContext): Router {
  const r = Router();
  route(r, "GET /health", () => ({
    status: "ok",
    version: ctx.version,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
  }));
  route(r, "GET /ready", async () => {
    const [provider, docker] = await Promise.all([ctx.llm.probeActive(), ctx.probeDocker()]);
    return { ready: provider.ok && docker.ok, provider, docker };
  });
  // Prometheus text, not part of the JSON contract.
  r.get("/metrics", async (_req, res) => {
    res.setHeader("Content-Type", ctx.metrics.registry.contentType);
    res.send(await ctx.metrics.registry.metrics());
  });
  return r;
}
