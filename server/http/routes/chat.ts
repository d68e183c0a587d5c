/** `POST /api/chat`: streams ChatEvents (see server/api/chat.ts) as SSE. */
import { Router } from "express";
import { ChatRequestSchema } from "../../api/schemas/chat";
import type { AppContext } from "../../context";
import type { ChatEvent, ChatRequest } from "../../api/chat";
import { runChat } from "../../chat/session";
import { parseBody } from "../validate";
import { streamEvents } from "../sse";

export function chatRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/chat", async (req, res, next) => {
    let body: ChatRequest;
    try {
      body = parseBody(ChatRequestSchema, req.body);
    } catch (err) {
      next(err);
      return;
    }
    // Stop in the panel closes the HTTP request; this aborts the upstream call with it.
    await streamEvents<ChatEvent>(res, next, (signal) => runChat(ctx.llm, body, signal), (error) => ({ type: "error", error }));
  });
  return r;
}
