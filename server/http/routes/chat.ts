/** `POST /api/chat`: streams ChatEvents (see server/api/chat.ts) as SSE. */
import { Router } from "express";
import { ChatRequestSchema } from "../../api/schemas/chat";
import type { AppContext } from "../../context";
import type { ChatEvent } from "../../api/chat";
import { streamRoute } from "../route";
import { runChat } from "../../chat/session";
import { parseBody } from "../../validate";
import { streamEvents } from "../sse";

export function chatRouter(ctx: AppContext): Router {
  const r = Router();
  // Stop in the panel closes the HTTP request; this aborts the upstream call with it.
  streamRoute(r, "POST /api/chat", async (req, res, next) => {
    const body = parseBody(ChatRequestSchema, req.body);
    await streamEvents<ChatEvent>(
      res,
      next,
      (signal) =>
        runChat(ctx.llm, body, signal, {
          codebase: async (cb, question, budget, mentioned, sig) =>
            (await ctx.codebase()).forChat(cb, question, budget, mentioned, sig),
        }),
      (error) => ({ type: "error", error }),
    );
  });
  return r;
}
