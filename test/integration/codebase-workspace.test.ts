/**
 * @codebase over a Docker workspace (real engine from the shared rig): the backend lists the
 * workspace's folder with `find` execs, reads the files in batches through exec, and answers a
 * chat question with the files that implement the behaviour; ignored, secret and
 * symlinked-out files stay out; an edit inside the container, forwarded as a change, is seen;
 * a gitignored tree bigger than the listing cap is pruned by the container's busybox `find`.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, tempDir, type Backend } from "./helpers/backend";
import { cleanupWorkspaces, createWorkspace } from "./helpers/workspaces";
import { BackendClient } from "../../extension/backend/client";
import { assertBehaviourFound, assertIndexRefused, askBehaviour, builtIndex } from "./helpers/codebase";
import { BACKOFF_FILE, FORBIDDEN, backoffFile, repoEntries, tarOf } from "./helpers/codebase-repo";
import { assertGitignoredTreesPruned, prunedRepoEntries } from "./helpers/codebase-pruned";
import { createHosts } from "../../server/hosts";
import { workspaceSourceFactory } from "../../server/workspaces/codebase-source";
import { createWorkspaceService } from "../../server/workspaces/service";

const P = `cb${process.pid % 10000}-`;
const NAME = `${P}repo`;

describe("@codebase over a Docker workspace (real engine)", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let ai: ScriptedAI;
  let b: Backend;
  let client: BackendClient;
  let container: Docker.Container;

  before(async () => {
    env = await requireInfraOrSkip("codebase-workspace.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, P);
    ai = await startScriptedAI();
    b = await startBackend({ env: providerEnv(ai.url, { DOCKER_HOST: env.dockerHost }) });
    client = new BackendClient(() => ({ baseUrl: b.url, token: b.token }));
    const made = await createWorkspace(b, { name: NAME, stack: "custom", image: env.image, network: "none" });
    assert.equal(made.error, undefined, JSON.stringify(made));
    container = docker.getContainer(`aicockpit-ws-${NAME}`);
    await container.putArchive(await tarOf(repoEntries(60)), { path: "/workspace" });
    // Outside the root, reached only through symlinks: must never be read.
    await container.putArchive(
      await tarOf([
        { name: "outside/leak.ts", text: `export const LEAK = "${FORBIDDEN} payment retry wait declined";\n` },
      ]),
      { path: "/" },
    );
    await container.putArchive(
      await tarOf([
        { name: "src/linked", linkTo: "/outside" },
        { name: "src/leak-link.ts", linkTo: "/outside/leak.ts" },
      ]),
      { path: "/workspace" },
    );
  });

  after(async () => {
    if (!env) return;
    await b?.stop();
    await ai?.close();
    await cleanupWorkspaces(docker, P);
  });

  let indexId = "";

  test("indexes the workspace's folder; a behaviour question brings the two files in, nothing forbidden", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const t0 = Date.now();
    const view = await client.call("POST /api/codebase/index", { body: { workspace_id: NAME } });
    assert.equal(view.workspace_id, NAME);
    assert.equal(view.root, "/workspace");
    indexId = view.index_id;
    const ready = await builtIndex(client, indexId);
    t.diagnostic(`indexed ${ready.files_indexed} files in ${Date.now() - t0} ms`);
    assert.ok(ready.files_indexed >= 60 && ready.files_indexed <= 70, JSON.stringify(ready));

    const got = await askBehaviour(ai, client, indexId);
    assertBehaviourFound(got);
    assert.equal(got.sources?.workspace_id, NAME);

    // A client naming symlinked paths as changed: the reads refuse what leaves the root.
    await client.call("POST /api/codebase/changes", {
      body: {
        index_id: indexId,
        changed: ["src/linked/leak.ts", "src/leak-link.ts", ".env", "logs/payment-retry.log"],
      },
    });
    const q = await client.call("POST /api/codebase/query", {
      body: { index_id: indexId, question: `${FORBIDDEN} declined payment retry wait key leak`, budget_tokens: 20_000 },
    });
    assert.doesNotMatch(q.context, new RegExp(FORBIDDEN));
    assert.ok(!q.files.some((f) => /^(logs|private|src\/linked)\/|\.env$|id_rsa$|\.tmp$|leak|innocent/.test(f.path)));
  });

  test("an edit inside the container, forwarded as a change, reaches the next answer", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    await container.putArchive(await tarOf([{ name: BACKOFF_FILE, text: backoffFile(4200) }]), { path: "/workspace" });
    const r = await client.call("POST /api/codebase/changes", {
      body: { index_id: indexId, changed: [`/workspace/${BACKOFF_FILE}`] },
    });
    assert.equal(r.updated, 1);
    const { prompt } = await askBehaviour(ai, client, indexId);
    assert.match(prompt, /BASE_WAIT_MS = 4200/);
    assert.doesNotMatch(prompt, /BASE_WAIT_MS = 1500/);
  });

  test("clear errors: unknown workspace, a file as root, the container's /", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    await assertIndexRefused(b, [
      [{ workspace_id: `${P}missing` }, 404, "WORKSPACE_NOT_FOUND"],
      [{ workspace_id: NAME, root: "/workspace/src/shared/math.ts" }, 400, "CODEBASE_ROOT_INVALID"],
      [{ workspace_id: NAME, root: "relative/path" }, 400, "BAD_REQUEST"],
      [{ workspace_id: NAME, root: "/" }, 403, "CODEBASE_ROOT_REFUSED"],
    ]);
  });

  test("a gitignored tree bigger than the listing cap is pruned by the container's find, not listed", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    await container.putArchive(await tarOf(prunedRepoEntries("pruned-repo/")), { path: "/" });
    // The backend's own workspace source, in-process, on the rig's engine (Engines reads DOCKER_HOST).
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = env.dockerHost;
    try {
      const svc = createWorkspaceService(createHosts(tempDir("aicockpit-cbp-")));
      const { source } = await workspaceSourceFactory(async () => svc)(NAME, "/pruned-repo");
      await assertGitignoredTreesPruned(source);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
