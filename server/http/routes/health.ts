import { Router } from "express";
import type { AppContext } from "../../context";
import type { HealthResponse, ReadyResponse } from "../../api/health";

export function healthRouter(ctx: AppContext): Router {
  const r = Router();
  r.get("/health", (_req, res) => {
    const body: HealthResponse = { status: "ok", version: ctx.version, uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000) };
    res.json(body);
  });
  r.get("/ready", async (_req, res) => {
    const [provider, docker] = await Promise.all([ctx.llm.probeActive(), ctx.probeDocker()]);
    const body: ReadyResponse = { ready: provider.ok && docker.ok, provider, docker };
    res.status(200).json(body);
  });
  r.get("/metrics", async (_req, res) => {
    res.setHeader("Content-Type", ctx.metrics.registry.contentType);
    res.send(await ctx.metrics.registry.metrics());
  });
  return r;
}
