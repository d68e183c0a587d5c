/** `/api/local-model/*`: the embedded model's catalog, download (SSE), status and settings (contract: server/api/local-model.ts). */
import { Router } from "express";
import type { AppContext } from "../../context";
import type { LocalModelDownloadEvent } from "../../api/local-model";
import {
  LocalModelDownloadRequestSchema,
  LocalModelLoadRequestSchema,
  LocalModelSettingsSchema,
} from "../../api/schemas/local-model";
import { parseBody } from "../../validate";
import { route, streamRoute } from "../route";
import { streamEvents } from "../sse";

export function localModelRouter(ctx: AppContext): Router {
  const r = Router();
  const local = ctx.llm.local;
  route(r, "GET /api/local-model/catalog", () => local.catalog());
  route(r, "GET /api/local-model/status", () => local.status());
  route(r, "PUT /api/local-model/settings", (req) =>
    local.updateSettings(parseBody(LocalModelSettingsSchema, req.body)),
  );
  route(r, "POST /api/local-model/load", (req) =>
    local.load(parseBody(LocalModelLoadRequestSchema, req.body ?? {}).model),
  );
  route(r, "POST /api/local-model/unload", () => local.unload());
  // Closing the request cancels the download; the partial file stays for the next one to resume.
  streamRoute(r, "POST /api/local-model/download", async (req, res, next) => {
    const body = parseBody(LocalModelDownloadRequestSchema, req.body);
    const first = (signal: AbortSignal): AsyncIterable<LocalModelDownloadEvent> => local.download(body.modelId, signal);
    await streamEvents<LocalModelDownloadEvent>(res, next, first, (error) => ({ type: "error", error }));
  });
  return r;
}
