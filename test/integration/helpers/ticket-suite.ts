/**
 * The ticket suites' shared setup: a scripted AI service, a local bare remote seeded with the
 * tiny widget project (see seedRemote), and a real backend that keeps its ticket clones under
 * `<dir>/tickets-root` and may clone local repositories. startTicketBackend() is for suites
 * with their own before() (the Docker ones check the rig first); ticketSuite() is the usual
 * suite that also plays GitHub's pulls API.
 */
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TicketRunEvent, TicketRunView } from "../../../server/api/tickets";
import { startScriptedAI, type ScriptedAI } from "../../fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "./backend";
import { follow, seedRemote, startForge, type Forge } from "./tickets";

export interface TicketBackend {
  ai: ScriptedAI;
  backend: Backend;
  /** The temp folder holding the bare remote, its seed clone (`<dir>/seed`) and the tickets root. */
  dir: string;
  /** The bare remote, `<dir>/acme/widget.git`. */
  bare: string;
  /** AICOCKPIT_TICKETS_ROOT: each ticket's clone is `<root>/<ticket id>`. */
  root: string;
  /** The backend's environment, to start it again on the same data. */
  env: Record<string, string>;
}

/** Starts the AI service and the backend (extraEnv added to its environment); the caller stops both. */
export async function startTicketBackend(
  tempPrefix: string,
  extraEnv: Record<string, string> = {},
): Promise<TicketBackend> {
  const ai = await startScriptedAI();
  try {
    const dir = mkdtempSync(join(tmpdir(), tempPrefix));
    const bare = seedRemote(dir);
    const root = join(dir, "tickets-root");
    const env = providerEnv(ai.url, {
      AICOCKPIT_TICKETS_ROOT: root,
      AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS: "1",
      ...extraEnv,
    });
    return { ai, backend: await startBackend({ env }), dir, bare, root, env };
  } catch (e) {
    await ai.close();
    throw e;
  }
}

export interface TicketSuite extends TicketBackend {
  /** The local GitHub pulls API the backend opens pull requests on (AICOCKPIT_GITHUB_API_URL). */
  forge: Forge;
}

/** startTicketBackend() plus the forge, in before(); all stopped in after(). Fields are set once before() has run. */
export function ticketSuite(tempPrefix: string): TicketSuite {
  const suite = {} as TicketSuite;
  before(async () => {
    suite.forge = await startForge();
    Object.assign(suite, await startTicketBackend(tempPrefix, { AICOCKPIT_GITHUB_API_URL: suite.forge.url }));
  });
  after(async () => {
    await suite.backend?.stop();
    await suite.ai?.close();
    await suite.forge?.close();
  });
  return suite;
}

export interface TicketRun {
  run: TicketRunView;
  events: TicketRunEvent[];
  end: Extract<TicketRunEvent, { type: "end" }>;
}

/**
 * Starts a ticket action (POST /command) and follows its run to the `end` event, answering
 * confirmations with `answer` ("none": a confirmation hangs the run and fails the test).
 */
export async function runTicket(
  b: Backend,
  ticket: string,
  body: Record<string, unknown>,
  answer: "run" | "reject" | "none" = "run",
): Promise<TicketRun> {
  const r = await b.call<TicketRunView>("POST", `/api/tickets/${ticket}/command`, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const f = follow(b, ticket, r.body.run_id, { answer });
  await f.ended;
  assert.equal(f.error, undefined);
  const end = f.events.at(-1);
  assert.equal(end?.type, "end", JSON.stringify(f.events));
  return { run: r.body, events: f.events, end: end as TicketRun["end"] };
}
