/**
 * The real pinned Gemini CLI (offline, scripted responses) inside a ticket's workspace
 * container on the rig's Docker engine: an editing step runs there in `yolo`, so its shell
 * tool really runs — in the container (its hostname lands in the clone). A container without
 * Node.js gets the CLI on this machine in `auto_edit` instead, where the shell tool does not
 * exist, and the run says why.
 *
 * The rig's image is busybox: the Node.js container borrows this machine's node and bash
 * (and the glibc they link) through read-only bind mounts — any image with node ≥ 20 works
 * the same way for users.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import type { TicketRunEventBody } from "../../server/api/tickets";
import type { AgentTurnInput } from "../../server/tickets/agent";
import { GeminiCliAgent } from "../../server/tickets/gemini/agent";
import { findGeminiCli, GEMINI_CLI_VERSION } from "../../server/tickets/gemini/install";
import { ticketExecUser } from "../../server/tickets/exec-user";
import { createHosts } from "../../server/hosts/service";
import { createWorkspaceService, type WorkspaceService } from "../../server/workspaces/service";
import { IN_CI, requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { cleanupWorkspaces } from "./helpers/workspaces";

const cli = findGeminiCli();
if (!cli) {
  const why = `the Gemini CLI ${GEMINI_CLI_VERSION} is not installed (bash scripts/install-deps.sh puts it into the cache)`;
  if (IN_CI) throw new Error(`CI=true: ${why}`);
  console.error(`\n!!! SKIPPING tickets-gemini-workspace: ${why}\n`);
}

const P = `gw${process.pid % 100000}`;
const TURN_MS = 180_000;

function response(parts: ({ text: string } | { functionCall: { name: string; args: object } })[][]): string {
  const chunks = parts.map((p, i) => ({
    candidates: [{ content: { role: "model", parts: p }, ...(i === parts.length - 1 ? { finishReason: "STOP" } : {}) }],
    ...(i === parts.length - 1
      ? { usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 } }
      : {}),
  }));
  return JSON.stringify({ method: "generateContentStream", response: chunks });
}

describe(
  "Gemini CLI in the ticket's workspace container (real CLI, real engine)",
  { skip: !cli, timeout: 400_000 },
  () => {
    let env: InfraEnv | undefined;
    let docker: Docker;
    let ws: WorkspaceService;
    let dir: string;
    const cliEnv = { ...process.env, GEMINI_API_KEY: undefined, GOOGLE_API_KEY: undefined };

    before(async () => {
      env = await requireInfraOrSkip("tickets-gemini-workspace.test.ts");
      if (!env) return;
      docker = new Docker({ socketPath: env.dockerSocketPath });
      await cleanupWorkspaces(docker, P);
      dir = mkdtempSync(join(tmpdir(), "aic-gemini-ws-"));
      process.env.DOCKER_HOST = env.dockerHost;
      ws = createWorkspaceService(createHosts(join(dir, "data")));
    });
    after(async () => {
      if (!env) return;
      await cleanupWorkspaces(docker, P);
      rmSync(dir, { recursive: true, force: true });
    });

    /** A workspace (labelled like ours) whose /srv is the folder holding the clone. */
    async function workspace(name: string, withNode: boolean, srv: string): Promise<string> {
      const ro = (p: string, at = p) => ({ Type: "bind" as const, Source: p, Target: at, ReadOnly: true });
      const c = await docker.createContainer({
        name: `aicockpit-ws-${name}`,
        Image: env!.image,
        Cmd: ["sh", "-c", "while sleep 3600; do :; done"],
        Labels: { "aicockpit.workspace": "1", "aicockpit.workspace.name": name },
        HostConfig: {
          Init: true,
          NetworkMode: "none",
          Mounts: [
            { Type: "bind", Source: srv, Target: "/srv" },
            ...(withNode
              ? [
                  ro(process.execPath, "/bin/node"),
                  ro("/bin/bash"),
                  ro("/lib/x86_64-linux-gnu"),
                  ...(existsSync("/lib64") ? [ro("/lib64")] : []),
                ]
              : []),
          ],
        },
      });
      await c.start();
      return (await c.inspect()).Config.Hostname;
    }

    function setup(name: string, script: string[]) {
      const srv = join(dir, name);
      const repo = join(srv, "repo");
      mkdirSync(repo, { recursive: true });
      execFileSync("git", ["init", "-q", "-b", "main", repo]);
      writeFileSync(join(repo, "README.md"), "# demo\n");
      const fake = join(srv, "responses.jsonl");
      writeFileSync(fake, script.join("\n") + "\n");
      const state = join(srv, "state");
      mkdirSync(state);
      return { srv, repo, fake, state };
    }

    /** `user`: who the CLI runs as, default what the tickets service gives it (the backend's uid:gid unless root). */
    function input(ctx: { repo: string; state: string }, workspaceId: string, user = ticketExecUser()) {
      const events: TicketRunEventBody[] = [];
      const i: AgentTurnInput = {
        ticket: {
          ticketId: "T-1",
          runId: "r1",
          path: ctx.repo,
          branch: "ticket_T-1",
          stateDir: ctx.state,
          workspace: { id: workspaceId, path: "/srv/repo", ...(user ? { user } : {}) },
        },
        action: "dev",
        step: "implement",
        prompt: "Record where you run.",
        followUp: false,
        model: { model: "gemini-2.5-flash", apiKey: "test-key-not-real" },
        budgets: { maxSteps: 50, maxTokens: 400_000, maxMs: 1_800_000 },
        meter: { step: () => Promise.resolve(undefined), settled: () => Promise.resolve(), tokens: () => undefined },
        confirm: () => Promise.resolve({ run: false, reason: "never asked" }),
        emit: (ev) => events.push(ev),
        signal: new AbortController().signal,
      };
      return { i, events };
    }

    const shellCall = response([
      [{ functionCall: { name: "run_shell_command", args: { command: "hostname > where.txt" } } }],
    ]);

    test(
      "with Node.js in the container: yolo there, its shell tool runs inside it",
      { timeout: TURN_MS },
      async (t) => {
        if (!env) return t.skip("no test infrastructure");
        const ctx = setup("node", [shellCall, response([[{ text: "Recorded." }]])]);
        const hostname = await workspace(`${P}-node`, true, ctx.srv);
        const agent = new GeminiCliAgent({
          env: cliEnv,
          fakeResponsesFile: ctx.fake,
          installOnDemand: false,
          workspaces: () => Promise.resolve(ws),
        });
        const { i, events } = input(ctx, `${P}-node`);
        const res = await agent.runTurn(i);
        assert.equal(res.status, "completed", JSON.stringify({ res, events }));
        const result = events.find((e) => e.type === "tool_result");
        assert.ok(
          result?.type === "tool_result" && result.ok && result.tool === "run_shell_command",
          JSON.stringify(events),
        );
        assert.equal(readFileSync(join(ctx.repo, "where.txt"), "utf8").trim(), hostname);
        assert.equal(
          events.some((e) => e.type === "token" && /auto_edit/.test(e.text)),
          false,
        );
      },
    );

    test(
      "the CLI runs in the container as the backend's uid:gid: its files in the clone stay the user's",
      { timeout: TURN_MS },
      async (t) => {
        if (!env) return t.skip("no test infrastructure");
        // Run as root (CI), the test maps the CLI to 1000:1000 (as AICOCKPIT_TICKETS_EXEC_USER would).
        const asRoot = process.getuid?.() === 0;
        const [uid, gid] = asRoot ? [1000, 1000] : [process.getuid!(), process.getgid!()];
        const who = response([[{ functionCall: { name: "run_shell_command", args: { command: "id -u > who.txt" } } }]]);
        const ctx = setup("user", [who, response([[{ text: "Recorded." }]])]);
        if (asRoot) execFileSync("chmod", ["-R", "a+rwX", ctx.repo]);
        await workspace(`${P}-user`, true, ctx.srv);
        const agent = new GeminiCliAgent({
          env: cliEnv,
          fakeResponsesFile: ctx.fake,
          installOnDemand: false,
          workspaces: () => Promise.resolve(ws),
        });
        const { i, events } = input(ctx, `${P}-user`, ticketExecUser(asRoot ? `${uid}:${gid}` : undefined));
        const res = await agent.runTurn(i);
        assert.equal(res.status, "completed", JSON.stringify({ res, events }));
        assert.equal(readFileSync(join(ctx.repo, "who.txt"), "utf8").trim(), String(uid));
        const st = statSync(join(ctx.repo, "who.txt"));
        assert.deepEqual([st.uid, st.gid], [uid, gid]);
      },
    );

    test(
      "without Node.js in the container: auto_edit on this machine, no shell tool, and the run says why",
      {
        timeout: TURN_MS,
      },
      async (t) => {
        if (!env) return t.skip("no test infrastructure");
        const ctx = setup("plain", [shellCall, response([[{ text: "Tried." }]])]);
        await workspace(`${P}-plain`, false, ctx.srv);
        const agent = new GeminiCliAgent({
          env: cliEnv,
          fakeResponsesFile: ctx.fake,
          installOnDemand: false,
          workspaces: () => Promise.resolve(ws),
        });
        const { i, events } = input(ctx, `${P}-plain`);
        const res = await agent.runTurn(i);
        const note = events.find((e) => e.type === "token");
        assert.ok(
          note?.type === "token" && /auto_edit mode .*it has no Node\.js/.test(note.text),
          JSON.stringify(note),
        );
        // auto_edit registers no shell tool headless: the call fails, and so does the turn.
        assert.equal(res.status, "failed", JSON.stringify(res));
        const result = events.find((e) => e.type === "tool_result");
        assert.ok(result?.type === "tool_result" && !result.ok && result.tool === "run_shell_command");
        assert.equal(existsSync(join(ctx.repo, "where.txt")), false);
      },
    );
  },
);
