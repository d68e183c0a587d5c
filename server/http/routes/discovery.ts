/** `GET /api/providers/discover`: model servers already running on this machine (server/discovery/). */
import { Router } from "express";
import { route } from "../route";
import type { AppContext } from "../../context";
import { DEFAULT_DISCOVER_PORTS } from "../../api/discovery";
import { discoverLocalServers } from "../../discovery/probe";

export function discoveryRouter(ctx: AppContext): Router {
  const r = Router();
  route(r, "GET /api/providers/discover", (_req, signal) =>
    discoverLocalServers({
      ports: ctx.config.discoverPorts ?? DEFAULT_DISCOVER_PORTS,
      skip: [ctx.port()],
      signal,
    }),
  );
  return r;
}
