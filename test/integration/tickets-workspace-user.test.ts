/**
 * The ticket's commands run in its workspace container as the backend's uid:gid, so what they
 * write into the bind-mounted clone stays the user's on this machine (not root's) and the
 * agent's edit_file can change it afterwards. A test that runs as root (CI) cannot show that
 * with its own uid, so it maps the commands to 1000:1000 through AICOCKPIT_TICKETS_EXEC_USER
 * (what a non-root backend uses on its own) and makes the clone writable for that user.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import type { TicketRunEvent, TicketView } from "../../server/api/tickets";
import type { ScriptedAI } from "../fixtures/scripted-ai";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import type { Backend } from "./helpers/backend";
import { runTicket, startTicketBackend } from "./helpers/ticket-suite";
import { cleanupWorkspaces } from "./helpers/workspaces";

const ID = `tu${process.pid % 100000}`;
const WS = `ticket-${ID}`;
const asRoot = process.getuid?.() === 0;
const [UID, GID] = asRoot ? [1000, 1000] : [process.getuid!(), process.getgid!()];

const call = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });

/** chmod -R a+rwX: the root-run backend owns the clone, the mapped user must still write in it. */
function openUp(dir: string): void {
  chmodSync(dir, 0o777);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) openUp(p);
    else if (e.isFile()) chmodSync(p, 0o666);
  }
}

describe("ticket commands in the workspace run as the backend's user (real engine)", { timeout: 300_000 }, () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let ai: ScriptedAI;
  let b: Backend;
  let root: string;

  before(async () => {
    env = await requireInfraOrSkip("tickets-workspace-user.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, WS);
    let bare: string;
    ({
      ai,
      backend: b,
      bare,
      root,
    } = await startTicketBackend("aicockpit-tickets-user-", {
      DOCKER_HOST: env.dockerHost,
      ...(asRoot ? { AICOCKPIT_TICKETS_EXEC_USER: `${UID}:${GID}` } : {}),
    }));
    const r = await b.call("POST", "/api/tickets", { ticket_id: ID, repo_url: bare });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (asRoot) openUp(join(root, ID));
  });

  after(async () => {
    if (!env) return;
    await b?.stop();
    await ai?.close();
    await cleanupWorkspaces(docker, WS);
  });

  test("run_command's files and folders in the clone belong to the backend's uid:gid; edit_file changes them", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const ws = await b.call<TicketView>("POST", `/api/tickets/${ID}/workspace`, {
      image: env.image,
      pull: "never",
      network: "none",
    });
    assert.equal(ws.status, 200, JSON.stringify(ws.body));
    assert.equal(ws.body.workspace_id, WS);

    ai.reset();
    ai.enqueue(
      call("run_command", {
        command:
          'echo "who=$(id -u):$(id -g) home=$HOME"; touch "$HOME/.probe" && echo home-writable; ' +
          "mkdir -p made/inner && echo from-container > made/inner/note.txt",
      }),
      call("edit_file", { path: "made/inner/note.txt", old_str: "from-container", new_str: "edited-by-agent" }),
      call("finish", { summary: "Wrote and edited made/inner/note.txt" }),
    );
    // "none": a confirmation would hang the run (and fail the test) instead of being answered.
    const { events } = await runTicket(b, ID, { action: "dev", message: "Write made/inner/note.txt" }, "none");

    const results = events.filter((e) => e.type === "tool_result") as Extract<
      TicketRunEvent,
      { type: "tool_result" }
    >[];
    const cmd = results.find((e) => e.tool === "run_command");
    assert.ok(cmd, JSON.stringify(events));
    assert.equal(cmd.ok, true, cmd.output);
    assert.match(cmd.output, new RegExp(`who=${UID}:${GID} home=/tmp/aicockpit-home`));
    assert.match(cmd.output, /home-writable/);

    const clone = join(root, ID);
    for (const p of ["made", "made/inner", "made/inner/note.txt"]) {
      const st = statSync(join(clone, p));
      assert.deepEqual([st.uid, st.gid], [UID, GID], `${p} is owned by ${st.uid}:${st.gid}`);
    }
    const edit = results.find((e) => e.tool === "edit_file");
    assert.ok(edit, JSON.stringify(events));
    assert.equal(edit.ok, true, edit.output);
    assert.equal(readFileSync(join(clone, "made/inner/note.txt"), "utf8"), "edited-by-agent\n");
  });
});
