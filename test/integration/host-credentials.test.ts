/**
 * Hosts whose key is encrypted: the gateway and the container routes take the passphrase per
 * request (body `credentials` / header X-AiCockpit-Host-Credentials), answer
 * HOST_SECRET_REQUIRED without it, work with it, and the passphrase appears neither in the
 * gateway's audit log nor in the backend's output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import type { ContainerList } from "../../server/api/containers";
import type { GatewayExecuteResponse } from "../../server/api/gateway";
import { IN_CI, requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "./helpers/backend";
import { removeContainers, startContainers } from "./helpers/containers";

const P = `hc${process.pid % 100000}`;
const APP = `${P}-app`;
type Err = { error: { code: string; message: string } };

describe("per-request credentials for a host with an encrypted key", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let ai: ScriptedAI;
  let b: Backend;

  const addHost = (id: string) =>
    b.call("POST", "/api/hosts", {
      id,
      host: env!.ssh.host,
      port: env!.ssh.port,
      user: env!.ssh.user,
      auth: { kind: "key", privateKeyPath: env!.sshExtras!.encryptedKeyPath },
      hostFingerprint: env!.ssh.hostFingerprint,
    });

  before(async () => {
    env = await requireInfraOrSkip("host-credentials.test.ts");
    if (!env) return;
    if (!env.sshExtras) {
      if (IN_CI) throw new Error("the rig has no encrypted key (scripts/test-infra.sh ensure_extras)");
      env = undefined;
      return;
    }
    docker = new Docker({ socketPath: env.dockerSocketPath });
    await startContainers(docker, env.image, [{ name: APP, script: "echo cred-line; exec sleep 3600" }]);
    ai = await startScriptedAI();
    b = await startBackend({ env: providerEnv(ai.url, { DOCKER_HOST: env.dockerHost }) });
  });

  after(async () => {
    await b?.stop();
    await ai?.close();
    if (env) await removeContainers(docker, [APP]);
  });

  test("gateway: HOST_SECRET_REQUIRED without the passphrase, runs with it; never audited", async (t) => {
    if (!env) return t.skip("no infrastructure");
    assert.equal((await addHost("encgw")).status, 200);
    const ask = async (extra: Record<string, unknown>) => {
      ai.enqueue({ text: `docker logs --tail 5 ${APP}` });
      const r = await b.call<GatewayExecuteResponse>("POST", "/api/gateway/execute", {
        intent: "show the logs",
        target: { host: "encgw", container: APP },
        ...extra,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    const without = await ask({});
    assert.equal(without.overall_status, "CONFIGURATION_ERROR", JSON.stringify(without));
    assert.equal(without.error_details?.error_code, "HOST_SECRET_REQUIRED");

    const wrong = await ask({ credentials: { encgw: { passphrase: "not-the-passphrase" } } });
    assert.notEqual(wrong.overall_status, "SUCCESS", JSON.stringify(wrong));

    const ok = await ask({ credentials: { encgw: { passphrase: env.sshExtras!.passphrase } } });
    assert.equal(ok.overall_status, "SUCCESS", JSON.stringify(ok));
    assert.match(ok.stdout ?? "", /cred-line/);

    const audit = readFileSync(join(b.dataDir, "gateway-audit.jsonl"), "utf8");
    assert.ok(audit.includes('"host":"encgw"'), "the requests were audited");
    assert.ok(!audit.includes(env.sshExtras!.passphrase), "the passphrase is not in the audit log");
    assert.ok(!audit.includes("credentials"), "no credentials field in the audit log");
    assert.ok(!(b.stdout() + b.stderr()).includes(env.sshExtras!.passphrase), "nor in the backend's output");
  });

  test("container list: HOST_SECRET_REQUIRED without the header, the containers with it", async (t) => {
    if (!env) return t.skip("no infrastructure");
    assert.equal((await addHost("enclist")).status, 200);
    const without = await b.call<Err>("GET", "/api/hosts/enclist/containers");
    assert.equal(without.status, 428, JSON.stringify(without.body));
    assert.equal(without.body.error.code, "HOST_SECRET_REQUIRED");
    assert.ok(!JSON.stringify(without.body).includes(env.sshExtras!.passphrase));

    const garbled = await b.call<Err>("GET", "/api/hosts/enclist/containers", undefined, {
      "X-AiCockpit-Host-Credentials": "%%%not-base64-json",
    });
    assert.equal(garbled.status, 400);
    assert.equal(garbled.body.error.code, "BAD_REQUEST");

    const header = Buffer.from(JSON.stringify({ enclist: { passphrase: env.sshExtras!.passphrase } })).toString(
      "base64",
    );
    const list = await b.call<ContainerList>("GET", "/api/hosts/enclist/containers", undefined, {
      "X-AiCockpit-Host-Credentials": header,
    });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.ok(list.body.containers.some((c) => c.name === APP && c.state === "running"));
    assert.ok(!(b.stdout() + b.stderr()).includes(env.sshExtras!.passphrase), "not in the backend's output");
  });
});
