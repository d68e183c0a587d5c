/**
 * @codebase away from the backend's machine, over the real sshd rig (no mocks):
 *   - a folder on a registered SSH host (no Docker): `{ host_id, root }`, listed with `find`/`stat`
 *     (gitignored trees pruned) and read in batches over the host layer's pooled connection;
 *   - a Docker workspace on a remote Docker host reached over SSH (`workspace_id: name@host`).
 * The backend's own DOCKER_HOST points nowhere, so whatever works went over SSH. Both answer a
 * behaviour question with the two files that implement it; ignored, secret and symlinked-out
 * files never reach the prompt.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, tempDir, type Backend } from "./helpers/backend";
import { cleanupWorkspaces, createWorkspace } from "./helpers/workspaces";
import { BackendClient } from "../../extension/backend/client";
import { HostRegistry, SshPool } from "../../server/hosts";
import { hostSourceFactory } from "../../server/codebase/host-source";
import { assertBehaviourFound, assertIndexRefused, askBehaviour, builtIndex } from "./helpers/codebase";
import { BACKOFF_FILE, FORBIDDEN, backoffFile, repoEntries, tarOf } from "./helpers/codebase-repo";
import { assertGitignoredTreesPruned, prunedRepoEntries } from "./helpers/codebase-pruned";

const P = `cbr${process.pid % 10000}-`;
const HOST = "box";
type Err = { error: { code: string; message: string } };

describe("@codebase on a remote host over SSH (real sshd)", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let ai: ScriptedAI;
  let b: Backend;
  let client: BackendClient;
  /** The test's own connection to the host, to write files there as a user would. */
  let pool: SshPool;
  let reg: HostRegistry;
  let remoteDir = "";

  const onHost = async (script: string, stdin?: Buffer): Promise<string> => {
    const r = await pool.exec(HOST, ["sh", "-c", script], { timeoutMs: 60_000, ...(stdin ? { stdin } : {}) });
    assert.equal(r.exitCode, 0, r.stderr);
    return r.stdout.trim();
  };

  before(async () => {
    env = await requireInfraOrSkip("codebase-remote.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await cleanupWorkspaces(docker, P);
    const dir = tempDir("aicockpit-cbr-");
    copyFileSync(env.ssh.knownHostsPath, join(dir, "known_hosts"));
    reg = new HostRegistry(join(dir, "data"));
    reg.add(HOST, {
      host: env.ssh.host,
      port: env.ssh.port,
      user: env.ssh.user,
      auth: { kind: "key", privateKeyPath: env.ssh.keyPath },
    });
    pool = new SshPool(reg, { knownHostsFiles: [join(dir, "known_hosts")] });
    // The repository, plus a file outside it reached only through symlinks (must never be read).
    remoteDir = await onHost("mktemp -d");
    await onHost(
      `mkdir -p "$0/repo" "$0/outside" && cd "$0/repo" && tar xf -`.replace(/\$0/g, remoteDir),
      await tarOf([
        ...repoEntries(80),
        { name: "src/linked", linkTo: `${remoteDir}/outside` },
        { name: "src/leak-link.ts", linkTo: `${remoteDir}/outside/leak.ts` },
      ]),
    );
    await onHost(
      `printf '%s\\n' 'export const LEAK = "${FORBIDDEN} payment retry wait declined";' > ${remoteDir}/outside/leak.ts`,
    );

    ai = await startScriptedAI();
    b = await startBackend({
      env: providerEnv(ai.url, { DOCKER_HOST: "unix:///nonexistent/docker.sock", HOME: tempDir("aicockpit-home-") }),
    });
    client = new BackendClient(() => ({ baseUrl: b.url, token: b.token }));
    // One host, key pinned: a plain SSH host for the folder, and a Docker host for the workspace.
    const put = await b.call("PUT", `/api/workspace-hosts/${HOST}`, {
      host: env.ssh.host,
      port: env.ssh.port,
      username: env.ssh.user,
      privateKeyPath: env.ssh.keyPath,
      hostFingerprint: env.ssh.hostFingerprint,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
  });

  after(async () => {
    if (!env) return;
    if (remoteDir.startsWith("/tmp/")) await onHost(`rm -rf -- '${remoteDir}'`).catch(() => undefined);
    pool?.close();
    await b?.stop();
    await ai?.close();
    await cleanupWorkspaces(docker, P);
  });

  test("a folder on an SSH host: indexed over the host layer, the behaviour's two files found, nothing forbidden", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const t0 = Date.now();
    const root = `${remoteDir}/repo`;
    const view = await client.call("POST /api/codebase/index", { body: { host_id: HOST, root } });
    assert.deepEqual([view.host_id, view.workspace_id, view.root], [HOST, null, root]);
    const again = await client.call("POST /api/codebase/index", { body: { host_id: HOST, root: `${root}/` } });
    assert.equal(again.index_id, view.index_id, "one index per host + folder");
    const ready = await builtIndex(client, view.index_id);
    t.diagnostic(`indexed ${ready.files_indexed} files over SSH in ${Date.now() - t0} ms`);
    assert.ok(ready.files_indexed >= 80 && ready.files_indexed <= 90, JSON.stringify(ready));

    const got = await askBehaviour(ai, client, view.index_id);
    assertBehaviourFound(got);
    assert.equal(got.sources?.host_id, HOST);

    // Named as changed by a client: secret, ignored and symlinked-out paths stay out.
    await client.call("POST /api/codebase/changes", {
      body: {
        index_id: view.index_id,
        changed: ["src/linked/leak.ts", "src/leak-link.ts", ".env", "logs/payment-retry.log", "deploy/id_rsa"],
      },
    });
    const q = await client.call("POST /api/codebase/query", {
      body: {
        index_id: view.index_id,
        question: `${FORBIDDEN} declined payment retry wait key leak`,
        budget_tokens: 20_000,
      },
    });
    assert.doesNotMatch(q.context, new RegExp(FORBIDDEN));
    assert.ok(!q.files.some((f) => /^(logs|private|src\/linked)\/|\.env$|id_rsa$|\.tmp$|leak|innocent/.test(f.path)));

    // An edit on the host, forwarded as a change (absolute path on the host), reaches the next answer.
    await onHost(`cat > '${root}/${BACKOFF_FILE}'`, Buffer.from(backoffFile(4200)));
    const r = await client.call("POST /api/codebase/changes", {
      body: { index_id: view.index_id, changed: [`${root}/${BACKOFF_FILE}`] },
    });
    assert.equal(r.updated, 1);
    const after = await askBehaviour(ai, client, view.index_id);
    assert.match(after.prompt, /BASE_WAIT_MS = 4200/);
    assert.doesNotMatch(after.prompt, /BASE_WAIT_MS = 1500/);
  });

  test("a gitignored tree bigger than the listing cap is pruned by the host's find, not sent over SSH", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const root = `${remoteDir}/pruned`;
    await onHost(`mkdir -p '${root}' && cd '${root}' && tar xf -`, await tarOf(prunedRepoEntries()));
    // The backend's own host source, in-process, over the test's pooled connection.
    const { source } = await hostSourceFactory(async () => ({ registry: reg, pool }))(HOST, root);
    await assertGitignoredTreesPruned(source);
  });

  test("clear errors for SSH host folders: unknown host, no root, a file as root, the host's / and home", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const home = await onHost("cd ~ && pwd -P");
    await assertIndexRefused(b, [
      [{ host_id: `${P}nowhere`, root: "/srv/app" }, 404, "HOST_UNKNOWN"],
      [{ host_id: HOST }, 400, "BAD_REQUEST"],
      [{ host_id: HOST, workspace_id: "x", root: "/srv" }, 400, "BAD_REQUEST"],
      [{ host_id: HOST, root: `${remoteDir}/repo/src/shared/math.ts` }, 400, "CODEBASE_ROOT_INVALID"],
      [{ host_id: HOST, root: `${remoteDir}/missing` }, 400, "CODEBASE_ROOT_INVALID"],
      [{ host_id: HOST, root: "/" }, 403, "CODEBASE_ROOT_REFUSED"],
      [{ host_id: HOST, root: home }, 403, "CODEBASE_ROOT_REFUSED"],
    ]);
    const unknown = await b.call<Err>("POST", "/api/codebase/index", { host_id: `${P}nowhere`, root: "/srv/app" });
    assert.match(unknown.body.error.message, new RegExp(`${P}nowhere`));
  });

  test("a Docker workspace on the remote Docker host answers the same way", async (t) => {
    if (!env) return t.skip("no test infrastructure");
    const name = `${P}ws`;
    const made = await createWorkspace(b, { name, host: HOST, stack: "custom", image: env.image, network: "none" });
    assert.equal(made.error, undefined, JSON.stringify(made));
    // The engine behind sshd is the rig's: files go in the way a user's tooling would put them.
    await docker.getContainer(`aicockpit-ws-${name}`).putArchive(await tarOf(repoEntries(80)), { path: "/workspace" });
    const t0 = Date.now();
    const view = await client.call("POST /api/codebase/index", { body: { workspace_id: `${name}@${HOST}` } });
    assert.deepEqual([view.workspace_id, view.host_id, view.root], [`${name}@${HOST}`, null, "/workspace"]);
    const ready = await builtIndex(client, view.index_id);
    t.diagnostic(`indexed ${ready.files_indexed} files in a remote workspace in ${Date.now() - t0} ms`);
    assert.ok(ready.files_indexed >= 80 && ready.files_indexed <= 90, JSON.stringify(ready));
    const got = await askBehaviour(ai, client, view.index_id);
    assertBehaviourFound(got);
    assert.equal(got.sources?.workspace_id, `${name}@${HOST}`);
  });
});
