/**
 * A ticket's Docker workspace on the real engine of scripts/test-infra.sh: the clone mounted
 * in the container, the built-in agent's run_command and the project's tests run there (the
 * container's hostname and a file only it has prove where), without a confirmation; a write
 * made in the container lands in the clone, the commit and the bare remote; an idle command
 * and an endless one are killed with everything they started; a workspace that does not
 * contain the clone is refused.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import type { TicketRunEvent, TicketView } from "../../server/api/tickets";
import type { ExecResult } from "../../server/api/workspaces";
import type { ScriptedAI } from "../fixtures/scripted-ai";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import type { Backend } from "./helpers/backend";
import { runTicket, startTicketBackend } from "./helpers/ticket-suite";
import { sh } from "./helpers/tickets";
import { cleanupWorkspaces, createWorkspace } from "./helpers/workspaces";

const ID = `tw${process.pid % 100000}`;
const WS = `ticket-${ID}`;
const OTHER = `${ID}-plain`;
const SHARED = `${ID}-shared`;
type Err = { error: { code: string; message: string } };

const call = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });

describe("tickets in a Docker workspace (real engine)", { timeout: 300_000 }, () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let ai: ScriptedAI;
  let b: Backend;
  let bare: string;
  let root: string;

  before(async () => {
    env = await requireInfraOrSkip("tickets-workspace.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, ID);
    await cleanupWorkspaces(docker, WS);
    ({
      ai,
      backend: b,
      bare,
      root,
    } = await startTicketBackend("aicockpit-tickets-ws-", {
      DOCKER_HOST: env.dockerHost,
    }));
    const r = await b.call("POST", "/api/tickets", { ticket_id: ID, repo_url: bare });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });

  after(async () => {
    if (!env) return;
    await b?.stop();
    await ai?.close();
    await cleanupWorkspaces(docker, ID);
    await cleanupWorkspaces(docker, WS);
  });

  // "none": a confirmation would hang the run (and fail the test) instead of being answered.
  const run = async (body: Record<string, unknown>) => (await runTicket(b, ID, body, "none")).events;

  const execIn = async (ws: string, script: string) => {
    const r = await b.call<ExecResult>("POST", `/api/workspaces/${ws}/exec`, { cmd: ["sh", "-c", script] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test("a workspace that does not contain the clone is refused", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const made = await createWorkspace(b, { name: OTHER, stack: "custom", image: env.image, pull: "never" });
    assert.equal(made.error, undefined, JSON.stringify(made.error));
    const r = await b.call<Err>("POST", `/api/tickets/${ID}/workspace`, { workspace_id: OTHER });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, "TICKET_WORKSPACE_REFUSED");
    assert.match(r.body.error.message, /does not contain the ticket's clone/);
    const missing = await b.call<Err>("POST", `/api/tickets/${ID}/workspace`, { workspace_id: `${ID}-nope` });
    assert.equal(missing.body.error.code, "WORKSPACE_NOT_FOUND");
    // Re-creating the ticket with it is refused the same way, and nothing is attached.
    const again = await b.call<Err>("POST", "/api/tickets", { ticket_id: ID, repo_url: bare, workspace_id: OTHER });
    assert.equal(again.body.error.code, "TICKET_WORKSPACE_REFUSED");
    const view = await b.call<TicketView>("GET", `/api/tickets/${ID}`);
    assert.equal(view.body.workspace_id, undefined);
  });

  test("an existing workspace that mounts the tickets root is accepted at the clone's path inside", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const c = await docker.createContainer({
      name: `aicockpit-ws-${SHARED}`,
      Image: env.image,
      Cmd: ["sh", "-c", "while sleep 3600; do :; done"],
      Labels: { "aicockpit.workspace": "1", "aicockpit.workspace.name": SHARED },
      HostConfig: { Init: true, NetworkMode: "none", Mounts: [{ Type: "bind", Source: root, Target: "/srv" }] },
    });
    await c.start();
    const r = await b.call<TicketView>("POST", `/api/tickets/${ID}/workspace`, { workspace_id: SHARED });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.workspace_id, SHARED);
    assert.equal(r.body.workspace_path, `/srv/${ID}`);
    const wrongPath = await b.call<Err>("POST", `/api/tickets/${ID}/workspace`, {
      workspace_id: SHARED,
      workspace_path: "/workspace",
    });
    assert.equal(wrongPath.body.error.code, "TICKET_WORKSPACE_REFUSED");
    const off = await b.call<TicketView>("DELETE", `/api/tickets/${ID}/workspace`);
    assert.equal(off.body.workspace_id, undefined);
  });

  test("dev runs its commands and the tests inside the ticket's container, unasked; the container's write is committed", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const r = await b.call<TicketView>("POST", `/api/tickets/${ID}/workspace`, {
      image: env.image,
      pull: "never",
      network: "none",
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.workspace_id, WS);
    assert.equal(r.body.workspace_path, "/workspace");
    const info = await docker.getContainer(`aicockpit-ws-${WS}`).inspect();
    assert.equal(info.Config.Labels["aicockpit.ticket"], ID);
    // A file only the container has (the host's /tmp has no such file).
    const secret = `only-in-${info.Config.Hostname}-${Date.now()}`;
    await execIn(WS, `echo ${secret} > /tmp/only-here`);
    assert.equal(existsSync("/tmp/only-here") && readFileSync("/tmp/only-here", "utf8").includes(secret), false);

    ai.reset();
    ai.enqueue(
      call("run_command", {
        command: "echo host=$(hostname); cat /tmp/only-here; ls; echo written-in-container > from-container.txt",
      }),
      call("finish", { summary: "Wrote from-container.txt" }),
    );
    const events = await run({ action: "dev", message: "Write from-container.txt" });
    const end = events.at(-1)!;
    assert.equal(end.type, "end");
    assert.equal(events.filter((e) => e.type === "confirm").length, 0, "no confirmation inside the container");
    const res = events.find((e) => e.type === "tool_result" && e.tool === "run_command");
    assert.ok(res && res.type === "tool_result", JSON.stringify(events));
    assert.equal(res.ok, true, res.output);
    assert.match(res.output, new RegExp(`host=${info.Config.Hostname}`));
    assert.match(res.output, new RegExp(secret));
    assert.match(res.output, /lib\.js/);
    assert.match(res.output, /package\.json/);
    // The project's tests (`npm test`) ran in the container too: busybox has no npm, this machine has.
    const tests = events.filter((e) => e.type === "test_result");
    assert.ok(tests.length >= 1);
    const first = tests[0]!;
    assert.ok(first.type === "test_result" && first.passed === false && /npm: not found/.test(first.output_tail));
    // The container's write is in the clone, the commit and the remote.
    const clone = join(root, ID);
    assert.equal(readFileSync(join(clone, "from-container.txt"), "utf8"), "written-in-container\n");
    const commit = events.find((e) => e.type === "commit");
    assert.ok(commit && commit.type === "commit", JSON.stringify(end));
    assert.match(sh(clone, "show", "--name-only", "--format=", commit.sha), /from-container\.txt/);
    assert.equal(sh(bare, "show", `ticket_${ID}:from-container.txt`), "written-in-container");
  });

  test("an idle command and an endless one are killed with their whole session inside the container", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    ai.reset();
    ai.enqueue(
      call("run_command", { command: "echo started; sleep 297; echo never" }),
      call("run_command", { command: "sleep 296 & while true; do echo tick; sleep 0.2; done" }),
      call("finish", { summary: "done" }),
    );
    const began = Date.now();
    const events = await run({ action: "dev", budgets: { commandIdleMs: 1_500, commandMaxMs: 4_000 } });
    const results = events.filter((e) => e.type === "tool_result" && e.tool === "run_command");
    assert.equal(results.length, 2, JSON.stringify(events));
    const [idle, endless] = results as Extract<TicketRunEvent, { type: "tool_result" }>[];
    assert.equal(idle!.ok, false);
    assert.match(idle!.output, /killed: no output for 2 s/);
    assert.match(idle!.output, /started/);
    assert.doesNotMatch(idle!.output, /never/);
    assert.match(endless!.output, /killed: time limit/);
    assert.match(endless!.output, /tick/);
    assert.ok(Date.now() - began < 60_000, "killed at the limits, not after the sleeps");
    assert.equal(events.filter((e) => e.type === "confirm").length, 0);
    const ps = await execIn(WS, "ps -o pid,args");
    assert.doesNotMatch(ps.stdout, /sleep 29[67]|while true/, ps.stdout);
  });

  test("deleting the ticket removes the workspace created for it and no other", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const del = await b.call<{ deleted: boolean; workspace_removed?: boolean }>("DELETE", `/api/tickets/${ID}`);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.equal(del.body.workspace_removed, true);
    const left = await docker.listContainers({ all: true, filters: { label: ["aicockpit.workspace=1"] } });
    const names = left.map((c) => c.Labels["aicockpit.workspace.name"]);
    assert.equal(names.includes(WS), false);
    assert.ok(names.includes(SHARED) && names.includes(OTHER), names.join(" "));
  });
});
