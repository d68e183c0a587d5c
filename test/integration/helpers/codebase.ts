/**
 * Steps the @codebase suites share once an index exists: following its build to `ready`,
 * asking the behaviour question over it, checking that the answer's context holds the two
 * files that implement the behaviour and nothing forbidden, and the table of refused
 * index requests. The repository and its markers are in codebase-repo.ts.
 */
import assert from "node:assert/strict";
import type { BackendClient } from "../../../extension/backend/client";
import type { ChatEvent } from "../../../server/api/chat";
import type { ChatSourcesEvent, CodebaseIndexView, CodebaseProgressEvent } from "../../../server/api/codebase";
import type { ScriptedAI } from "../../fixtures/scripted-ai";
import type { Backend } from "./backend";
import * as repo from "./codebase-repo";

/** Follows the index's build (its progress stream) to the end; it must end `ready`. */
export async function builtIndex(client: BackendClient, indexId: string): Promise<CodebaseIndexView> {
  const events: CodebaseProgressEvent[] = [];
  for await (const m of client.stream("GET", `/api/codebase/${indexId}/progress`, {
    signal: AbortSignal.timeout(120_000),
  }))
    events.push(JSON.parse(m.data) as CodebaseProgressEvent);
  const end = events.at(-1) as { type: "end"; index: CodebaseIndexView };
  assert.equal(end.type, "end");
  assert.equal(end.index.status, "ready", JSON.stringify(end.index));
  return end.index;
}

export interface BehaviourAnswer {
  sources: ChatSourcesEvent | undefined;
  /** Everything the scripted model received, joined. */
  prompt: string;
}

/** Asks BEHAVIOUR_QUESTION in a chat with the index as @codebase context. */
export async function askBehaviour(ai: ScriptedAI, client: BackendClient, indexId: string): Promise<BehaviourAnswer> {
  ai.reset();
  ai.enqueue({ text: "Retried with a growing wait." });
  const events: ChatEvent[] = [];
  for await (const ev of client.events("POST /api/chat", {
    body: { messages: [{ role: "user", content: repo.BEHAVIOUR_QUESTION }], codebase: { index_id: indexId } },
  }))
    events.push(ev);
  const body = ai.completionRequests()[0]!.body as { messages: { content: string }[] };
  return {
    sources: events.find((e): e is ChatSourcesEvent => e.type === "sources"),
    prompt: body.messages.map((m) => m.content).join("\n"),
  };
}

/** `sources` names the two files that implement the behaviour, their code reached the model, nothing forbidden did. */
export function assertBehaviourFound(got: BehaviourAnswer): void {
  const paths = got.sources?.files.map((f) => f.path) ?? [];
  assert.ok(paths.includes(repo.CHARGE_FILE) && paths.includes(repo.BACKOFF_FILE), `sources: ${paths.join(", ")}`);
  assert.match(got.prompt, new RegExp(repo.CHARGE_MARKER));
  assert.match(got.prompt, new RegExp(repo.BACKOFF_MARKER));
  assert.doesNotMatch(got.prompt, new RegExp(repo.FORBIDDEN));
}

/** Each POST /api/codebase/index body gets its status and error code. */
export async function assertIndexRefused(b: Backend, cases: [body: unknown, status: number, code: string][]) {
  for (const [body, status, code] of cases) {
    const r = await b.call<{ error: { code: string; message: string } }>("POST", "/api/codebase/index", body);
    assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
  }
}
