/** Ticket agents over HTTP (contract: server/api/tickets.ts). */
import { Router, type Response } from "express";
import type { AppContext } from "../../context";
import type { TicketRunEvent } from "../../api/tickets";
import {
  CreateTicketRequestSchema,
  TicketCommandRequestSchema,
  TicketConfirmRequestSchema,
  TicketWorkspaceRequestSchema,
} from "../../api/schemas/tickets";
import { parseBody } from "../../validate";
import { route, streamRoute } from "../route";
import { SSE_HEADERS } from "../sse";

const HEARTBEAT_MS = 15_000;

function lastEventId(header: string | undefined, query: unknown): number {
  const raw = header ?? (typeof query === "string" ? query : undefined);
  return raw !== undefined && /^\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : 0;
}

function write(res: Response, ev: TicketRunEvent): void {
  // A heartbeat is not in the log: no id, so it never moves a client's resume point.
  res.write(
    ev.type === "heartbeat" ? `data: ${JSON.stringify(ev)}\n\n` : `id: ${ev.seq}\ndata: ${JSON.stringify(ev)}\n\n`,
  );
}

export function ticketsRouter(ctx: AppContext): Router {
  const r = Router();
  const svc = () => ctx.tickets();

  route(r, "POST /api/tickets", async (req, signal) =>
    (await svc()).create(parseBody(CreateTicketRequestSchema, req.body), signal),
  );
  route(r, "GET /api/tickets", async () => (await svc()).list());
  route(r, "GET /api/tickets/:id", async (req) => (await svc()).get(String(req.params.id)));
  route(r, "DELETE /api/tickets/:id", async (req) => (await svc()).delete(String(req.params.id)));
  route(r, "POST /api/tickets/:id/command", async (req) =>
    (await svc()).command(String(req.params.id), parseBody(TicketCommandRequestSchema, req.body)),
  );
  route(r, "GET /api/tickets/:id/runs/:run", async (req) =>
    (await svc()).run(String(req.params.id), String(req.params.run)),
  );
  route(r, "POST /api/tickets/:id/runs/:run/confirm", async (req) => {
    (await svc()).confirm(
      String(req.params.id),
      String(req.params.run),
      parseBody(TicketConfirmRequestSchema, req.body),
    );
    return { accepted: true as const };
  });
  route(r, "POST /api/tickets/:id/workspace", async (req, signal) =>
    (await svc()).attachWorkspace(String(req.params.id), parseBody(TicketWorkspaceRequestSchema, req.body), signal),
  );
  route(r, "DELETE /api/tickets/:id/workspace", async (req) => (await svc()).detachWorkspace(String(req.params.id)));
  route(r, "POST /api/tickets/:id/runs/:run/cancel", async (req) =>
    (await svc()).cancel(String(req.params.id), String(req.params.run)),
  );

  streamRoute(r, "GET /api/tickets/:id/runs/:run/events", async (req, res, next) => {
    try {
      const tickets = await svc();
      const id = String(req.params.id);
      const run = String(req.params.run);
      tickets.run(id, run); // 404 before any header
      const after = lastEventId(req.get("last-event-id"), req.query.after);
      res.writeHead(200, SSE_HEADERS);
      let off: () => void = () => undefined;
      let finished = false;
      const end = () => {
        clearInterval(beat);
        off();
        if (!res.writableEnded) res.end("data: [DONE]\n\n");
      };
      const beat = setInterval(
        () => write(res, { type: "heartbeat", seq: 0, run_id: run, ticket_id: id, at: new Date().toISOString() }),
        HEARTBEAT_MS,
      );
      res.on("close", () => {
        clearInterval(beat);
        off();
      });
      off = tickets.subscribe(id, run, after, (ev) => {
        if (finished) return;
        write(res, ev);
        if (ev.type === "end") {
          finished = true;
          setImmediate(end);
        }
      });
      // Resumed after the `end` event: nothing more will come.
      if (!finished && tickets.isFinal(tickets.run(id, run).status)) end();
    } catch (err) {
      next(err);
    }
  });

  return r;
}
