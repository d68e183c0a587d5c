/**
 * The AI Command Gateway (POST /api/gateway/execute) end to end: the real backend, the real
 * dockerd of the test rig (through the real docker CLI) and the scripted model. The model
 * answers with injections and overreach: none of them runs — the target container holds a
 * marker file the injected commands would delete, and they would create /tmp/pwned — and
 * each gets VALIDATION_ERROR with the reason. Legitimate intents run with structured
 * results; confirm tokens run exactly their argv once; dry runs never touch Docker.
 * (test/integration/gateway.test.ts is the /v1 pass-through, not this.)
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import type { GatewayExecuteRequest, GatewayExecuteResponse } from "../../server/api/gateway";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { providerEnv, startBackend, tempDir, type Backend } from "./helpers/backend";
import { addKeyHost, removeContainers, startContainers } from "./helpers/containers";

const P = `gw${process.pid % 100000}`;
const APP = `${P}-app`;
const OTHER = `${P}-other`;
const API_KEY = "sk-gatewaytestsecret1234567890";
const HOST_PWNED = join(tempDir("aicockpit-gw-host-"), "pwned");

describe("AI Command Gateway against the real Docker Engine", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let ai: ScriptedAI;
  let b: Backend;

  const call = (body: Partial<GatewayExecuteRequest> & { intent?: string }, on: Backend = b) =>
    on.call<GatewayExecuteResponse>("POST", "/api/gateway/execute", {
      intent: "do it",
      target: { host: "local", container: APP },
      ...body,
    });

  /** The model's next answer, then the gateway's response. */
  async function ask(
    answer: string,
    body: Partial<GatewayExecuteRequest> = {},
    on: Backend = b,
  ): Promise<GatewayExecuteResponse> {
    ai.enqueue({ text: answer });
    const r = await call(body, on);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  async function sh(container: string, script: string): Promise<string> {
    const e = await docker
      .getContainer(container)
      .exec({ Cmd: ["sh", "-c", script], AttachStdout: true, AttachStderr: true });
    const stream = await e.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    // strip the 8-byte multiplexing headers
    const all = Buffer.concat(chunks);
    let out = "";
    for (let k = 0; k + 8 <= all.length;) {
      const len = all.readUInt32BE(k + 4);
      out += all.subarray(k + 8, k + 8 + len).toString();
      k += 8 + len;
    }
    return out;
  }

  /** The proof that nothing ran: the marker is still there, nothing was created, both containers run as before. */
  async function assertUntouched(startedAt: Record<string, string>): Promise<void> {
    assert.equal(
      (await sh(APP, "ls /tmp/marker /tmp/pwned 2>&1")).trim().split("\n").sort().join("|"),
      "/tmp/marker|ls: /tmp/pwned: No such file or directory",
    );
    assert.equal(existsSync(HOST_PWNED), false, "nothing ran on the backend's machine");
    for (const name of [APP, OTHER]) {
      const s = (await docker.getContainer(name).inspect()).State;
      assert.equal(s.Running, true, `${name} still runs`);
      assert.equal(s.StartedAt, startedAt[name], `${name} was not restarted`);
    }
  }

  async function startedAt(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of [APP, OTHER]) out[name] = (await docker.getContainer(name).inspect()).State.StartedAt;
    return out;
  }

  before(async () => {
    env = await requireInfraOrSkip("command-gateway.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    const script = "echo line1; echo line2; echo line3; touch /tmp/marker; exec sleep 3600";
    await startContainers(docker, env.image, [
      { name: APP, script },
      { name: OTHER, script },
    ]);
    for (let i = 0; i < 100 && !(await sh(APP, "ls /tmp/marker 2>/dev/null")).includes("marker"); i++)
      await new Promise((r) => setTimeout(r, 50));
    ai = await startScriptedAI();
    b = await startBackend({
      env: providerEnv(ai.url, {
        DOCKER_HOST: env.dockerHost,
        AICOCKPIT_LLM_API_KEY: API_KEY,
        AICOCKPIT_GATEWAY_ALIASES: JSON.stringify({ "market predictor": APP }),
      }),
    });
  });

  after(async () => {
    await b?.stop();
    await ai?.close();
    if (env) await removeContainers(docker, [APP, OTHER]);
  });

  test("injections and overreach from the model: none runs, each is VALIDATION_ERROR with its reason", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const before0 = await startedAt();
    const cases: [answer: string, reason: RegExp][] = [
      ["docker ps; rm -f /tmp/marker", /`;`/],
      [`docker logs ${APP} && touch /tmp/pwned`, /`&`/],
      [`docker exec ${APP} rm -f /tmp/marker || reboot`, /`\|`/],
      [`docker logs $(touch ${HOST_PWNED})`, /substitution/],
      [`docker logs "$(touch ${HOST_PWNED})"`, /substitution/],
      ["docker logs `touch " + HOST_PWNED + "`", /backtick/],
      ["docker -H tcp://127.0.0.1:2375 ps", /another engine/],
      [`docker --context prod exec ${APP} rm /tmp/marker`, /context/],
      [`docker restart ${OTHER}`, new RegExp(`\`${OTHER}\`, not the target`)],
      [`docker exec ${OTHER} touch /tmp/pwned`, /not the target/],
      ["docker run -v /:/host ci/busybox:latest touch /host" + HOST_PWNED, /creates and starts a new container/],
      [`docker exec --privileged ${APP} touch /tmp/pwned`, /--privileged/],
      [`docker exec -u root ${APP} touch /tmp/pwned`, /as root/],
      [`docker exec ${APP} rm -rf /`, /dangerous/],
      [`docker exec ${APP} sh -c 'rm -rf /tmp/marker /'`, /dangerous/],
      [`touch ${HOST_PWNED}`, /runs `touch`, not docker/],
      [`docker logs ${APP}\ndocker exec ${APP} rm -f /tmp/marker`, /line break: more than one command/],
      [
        "```bash\ndocker ps\n```\nand then\n```bash\ndocker exec " + APP + " rm -f /tmp/marker\n```",
        /more than one command/,
      ],
      [`docker logs ${APP} > /tmp/pwned`, /redirection/],
      [`docker cp ${APP}:/tmp/marker /tmp/pwned`, /copies/],
      [`docker logs -f ${APP}`, /follow/],
      ["I cannot help with that.\nPlease ask differently.", /no docker command/],
    ];
    for (const [answer, reason] of cases) {
      const r = await ask(answer);
      assert.equal(r.overall_status, "VALIDATION_ERROR", `${answer} → ${JSON.stringify(r)}`);
      assert.ok(
        r.reasons?.some((x) => reason.test(x)),
        `${answer}: no reason matches ${reason}: ${JSON.stringify(r.reasons)}`,
      );
      assert.equal(r.error_details?.error_code, "COMMAND_REFUSED");
      assert.equal(r.exit_code, undefined);
      assert.equal(r.stdout, undefined);
      assert.equal(r.confirm_token, undefined);
    }
    await assertUntouched(before0);
  });

  test("prose around a fenced command: only the command runs, the prose's instruction does not", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const before0 = await startedAt();
    const r = await ask(
      `Sure! Here you go:\n\`\`\`bash\ndocker logs --tail 2 ${APP}\n\`\`\`\nAfterwards also run: docker exec ${APP} rm -f /tmp/marker`,
      { intent: "show the last 2 log lines" },
    );
    assert.equal(r.overall_status, "SUCCESS", JSON.stringify(r));
    assert.deepEqual(r.argv, ["docker", "logs", "--tail", "2", APP]);
    assert.equal(r.stdout, "line2\nline3\n");
    await assertUntouched(before0);
  });

  test("legitimate intents run locally with structured results; the model is asked at temperature 0.1 with a small max_tokens", async (t) => {
    if (!env) return t.skip("no infrastructure");
    ai.reset();
    const logs = await ask(`\`\`\`bash\ndocker logs --tail 2 ${APP}\n\`\`\``, { intent: "show the last 2 log lines" });
    assert.equal(logs.overall_status, "SUCCESS");
    assert.deepEqual(logs.argv, ["docker", "logs", "--tail", "2", APP]);
    assert.equal(logs.command, `docker logs --tail 2 ${APP}`);
    assert.equal(logs.exit_code, 0);
    assert.equal(logs.stdout, "line2\nline3\n");
    assert.equal(logs.stderr, "");
    assert.deepEqual(logs.truncated, { stdout: false, stderr: false });
    assert.ok(typeof logs.execution_time_ms === "number" && logs.execution_time_ms >= 0);
    assert.match(logs.request_id, /^[0-9a-f-]{36}$/);
    assert.ok(logs.gateway_instance_id.length > 0);
    const sent = ai.completionRequests()[0]!.body as {
      temperature: number;
      max_tokens: number;
      messages: { role: string; content: string }[];
    };
    assert.equal(sent.temperature, 0.1);
    assert.ok(sent.max_tokens <= 256, `max_tokens ${sent.max_tokens}`);
    assert.match(sent.messages.at(-1)!.content, /show the last 2 log lines/);
    assert.match(sent.messages.at(-1)!.content, new RegExp(APP));

    const inspect = await ask(`docker inspect --format '{{.State.Status}}' ${APP}`, { intent: "is it running?" });
    assert.equal(inspect.overall_status, "SUCCESS", JSON.stringify(inspect));
    assert.equal(inspect.stdout, "running\n");

    // `docker ps` is narrowed to exactly the target (OTHER shares the prefix and is not listed).
    const ps = await ask("docker ps --format '{{.Names}}'", { intent: "is it up?" });
    assert.equal(ps.overall_status, "SUCCESS", JSON.stringify(ps));
    assert.deepEqual(ps.argv, ["docker", "ps", "--filter", `name=^/${APP}$`, "--format", "{{.Names}}"]);
    assert.equal(ps.stdout, `${APP}\n`);
    const psNamed = await ask(`docker ps --filter name=${P} --format '{{.Names}}'`);
    assert.equal(psNamed.overall_status, "VALIDATION_ERROR", "a filter wider than the target is refused");

    const failed = await ask(`docker exec ${APP} cat /nonexistent`, { intent: "show /nonexistent" });
    assert.equal(failed.overall_status, "COMMAND_FAILED", JSON.stringify(failed));
    assert.equal(failed.exit_code, 1);
    assert.match(failed.stderr ?? "", /nonexistent/);

    const inside = await ask(`docker exec ${APP} cat /tmp/marker /etc/hostname`);
    assert.equal(inside.overall_status, "SUCCESS", JSON.stringify(inside));

    // 3 MB of output: 1 MiB is kept, the rest counted as truncated, and the command still completes.
    const big = await ask(`docker exec ${APP} head -c 3000000 /dev/zero`, { intent: "dump a lot" });
    assert.equal(big.overall_status, "SUCCESS", JSON.stringify({ ...big, stdout: big.stdout?.length }));
    assert.equal(Buffer.byteLength(big.stdout ?? ""), 1024 * 1024);
    assert.deepEqual(big.truncated, { stdout: true, stderr: false });
  });

  test("aliases: 'market predictor' is the container the alias table names", async (t) => {
    if (!env) return t.skip("no infrastructure");
    ai.reset();
    const r = await ask(`docker inspect --format '{{.Name}}' ${APP}`, {
      intent: "name?",
      target: { host: "local", container: "Market Predictor" },
    });
    assert.equal(r.overall_status, "SUCCESS", JSON.stringify(r));
    assert.equal(r.stdout, `/${APP}\n`);
    const prompt = (ai.completionRequests()[0]!.body as { messages: { content: string }[] }).messages
      .map((m) => m.content)
      .join("\n");
    assert.match(prompt, new RegExp(`named ${APP}`), "the model is told the real container name");
  });

  test("state changes need confirmation; the token runs exactly its argv once, without the model; altered or misbound tokens are refused", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const before0 = await startedAt();
    const ask1 = await ask(`docker restart -t 1 ${APP}`, { intent: "restart it" });
    assert.equal(ask1.overall_status, "CONFIRMATION_REQUIRED", JSON.stringify(ask1));
    assert.deepEqual(ask1.argv, ["docker", "restart", "-t", "1", APP]);
    assert.equal(ask1.command, `docker restart -t 1 ${APP}`);
    assert.ok(ask1.confirm_token);
    assert.ok(ask1.reasons?.some((x) => /changes the state/.test(x)));
    await assertUntouched(before0);

    const token = ask1.confirm_token!;
    const [body, mac] = token.split(".") as [string, string];
    const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as { argv: string[] };
    payload.argv = ["docker", "rm", "-f", APP];
    const altered = `${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${mac}`;
    const requestsBefore = ai.completionRequests().length;
    const bad = await call({ confirmToken: altered });
    assert.equal(bad.body.overall_status, "VALIDATION_ERROR");
    assert.match(bad.body.error_details!.error_message, /not valid/);
    const misbound = await call({ confirmToken: token, target: { host: "local", container: OTHER } });
    assert.equal(misbound.body.overall_status, "VALIDATION_ERROR");
    assert.match(misbound.body.error_details!.error_message, /issued for container/);
    await assertUntouched(before0);

    // A dry run checks the token without spending it.
    const dry = await call({ confirmToken: token, dryRun: true });
    assert.equal(dry.body.overall_status, "DRY_RUN", JSON.stringify(dry.body));
    await assertUntouched(before0);

    const ok = await call({ confirmToken: token });
    assert.equal(ok.body.overall_status, "SUCCESS", JSON.stringify(ok.body));
    assert.deepEqual(ok.body.argv, ["docker", "restart", "-t", "1", APP]);
    assert.equal(ok.body.stdout, `${APP}\n`);
    assert.equal(ai.completionRequests().length, requestsBefore, "the model was not asked again");
    const after1 = await startedAt();
    assert.notEqual(after1[APP], before0[APP], "the target was restarted");
    assert.equal(after1[OTHER], before0[OTHER], "nothing else was");

    const replay = await call({ confirmToken: token });
    assert.equal(replay.body.overall_status, "VALIDATION_ERROR");
    assert.match(replay.body.error_details!.error_message, /already used/);
    assert.equal((await startedAt())[APP], after1[APP], "the replay did not restart it again");
  });

  test("exec: a review-level inner command needs confirmation and then runs exactly that", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const r = await ask(`docker exec ${APP} touch /tmp/confirmed`, { intent: "create /tmp/confirmed" });
    assert.equal(r.overall_status, "CONFIRMATION_REQUIRED", JSON.stringify(r));
    assert.ok(r.reasons?.some((x) => /Inside the container/.test(x)));
    assert.equal((await sh(APP, "ls /tmp/confirmed 2>&1")).includes("No such file"), true, "not before confirmation");
    const ok = await call({ confirmToken: r.confirm_token! });
    assert.equal(ok.body.overall_status, "SUCCESS", JSON.stringify(ok.body));
    assert.equal((await sh(APP, "ls /tmp/confirmed")).trim(), "/tmp/confirmed");
  });

  test("dryRun validates without running: DRY_RUN / CONFIRMATION_REQUIRED / VALIDATION_ERROR", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const before0 = await startedAt();
    const d1 = await ask(`docker logs --tail 1 ${APP}`, { dryRun: true });
    assert.equal(d1.overall_status, "DRY_RUN");
    assert.deepEqual(d1.argv, ["docker", "logs", "--tail", "1", APP]);
    assert.equal(d1.stdout, undefined);
    const d2 = await ask(`docker stop ${APP}`, { dryRun: true });
    assert.equal(d2.overall_status, "CONFIRMATION_REQUIRED");
    const d3 = await ask(`docker exec ${APP} rm -rf /`, { dryRun: true });
    assert.equal(d3.overall_status, "VALIDATION_ERROR");
    await assertUntouched(before0);
  });

  test("configuration, model and request failures are structured answers with HTTP 200", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const unknownHost = await call({ target: { host: "nope", container: APP } });
    assert.equal(unknownHost.status, 200);
    assert.equal(unknownHost.body.overall_status, "CONFIGURATION_ERROR");
    assert.equal(unknownHost.body.error_details?.error_code, "HOST_UNKNOWN");

    ai.enqueue({ status: 401, error: { message: "bad key", code: "invalid_api_key" } });
    const llm = await call({});
    assert.equal(llm.status, 200);
    assert.equal(llm.body.overall_status, "LLM_ERROR", JSON.stringify(llm.body));
    assert.equal(llm.body.error_details?.error_code, "PROVIDER_AUTH_FAILED");

    const badTarget = await call({ target: { host: "local", container: "a b; rm" } });
    assert.equal(badTarget.body.overall_status, "VALIDATION_ERROR");
    assert.equal(badTarget.body.error_details?.error_code, "INVALID_TARGET");

    const malformed = await b.call<GatewayExecuteResponse>("POST", "/api/gateway/execute", { intent: 5 });
    assert.equal(malformed.status, 200);
    assert.equal(malformed.body.overall_status, "VALIDATION_ERROR");
    assert.equal(malformed.body.error_details?.error_code, "BAD_REQUEST");
    const audited = readFileSync(join(b.dataDir, "gateway-audit.jsonl"), "utf8");
    assert.ok(audited.includes(`"request_id":"${malformed.body.request_id}"`), "a malformed request is audited too");

    const noAuth = await fetch(`${b.url}/api/gateway/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(noAuth.status, 401, "auth failures keep their HTTP code");
  });

  test("every request is one audit line (secrets redacted) and counted in /metrics by status", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const r = await ask(`docker logs --tail 1 ${APP}`, { intent: `last line please, key ${API_KEY}` });
    assert.equal(r.overall_status, "SUCCESS");
    const lines = readFileSync(join(b.dataDir, "gateway-audit.jsonl"), "utf8").trim().split("\n");
    const mine = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.request_id === r.request_id);
    assert.equal(mine.length, 1);
    const e = mine[0]!;
    assert.deepEqual(e.argv, ["docker", "logs", "--tail", "1", APP]);
    assert.deepEqual(e.target, { host: "local", container: APP });
    assert.equal(e.status, "SUCCESS");
    assert.equal(e.exit_code, 0);
    assert.equal(typeof e.duration_ms, "number");
    assert.equal(e.intent, "last line please, key ***");
    assert.ok(!lines.join("\n").includes(API_KEY), "the key appears nowhere in the audit log");
    assert.ok(
      lines.every((l) => !l.includes("line1")),
      "command output is not kept in the audit log",
    );

    const m = await b.call<string>("GET", "/metrics");
    const count = (status: string) =>
      Number(
        new RegExp(`aicockpit_gateway_requests_total\\{status="${status}",host="local"\\} (\\d+)`).exec(m.body)?.[1] ??
          NaN,
      );
    assert.ok(count("SUCCESS") >= 5, m.body.slice(0, 200));
    assert.ok(count("VALIDATION_ERROR") >= 20);
    assert.ok(count("CONFIRMATION_REQUIRED") >= 2);
    assert.ok(count("LLM_ERROR") >= 1);
    assert.ok(count("DRY_RUN") >= 1);
    assert.match(m.body, /aicockpit_gateway_validation_seconds_count \d+/);
  });

  test("over SSH: legitimate intents run on the host through the host layer; refusals and tokens work the same", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const add = await addKeyHost(b, env, "box");
    assert.equal(add.status, 200, JSON.stringify(add.body));
    const box = { host: "box", container: APP };
    // The backend's own engine is the same dockerd, so prove the path: the remote user's DOCKER_HOST comes from sshd (SetEnv).
    const logs = await ask(`docker logs --tail 1 ${APP}`, { target: box, intent: "last line" });
    assert.equal(logs.overall_status, "SUCCESS", JSON.stringify(logs));
    assert.equal(logs.stdout, "line3\n");
    assert.equal(logs.exit_code, 0);
    const who = await ask(`docker exec ${APP} cat /tmp/marker /etc/hostname`, { target: box });
    assert.equal(who.overall_status, "SUCCESS", JSON.stringify(who));
    const failed = await ask(`docker exec ${APP} cat /nonexistent`, { target: box });
    assert.equal(failed.overall_status, "COMMAND_FAILED", JSON.stringify(failed));
    assert.equal(failed.exit_code, 1);

    const before0 = await startedAt();
    const inj = await ask(`docker logs ${APP}; docker exec ${APP} rm -f /tmp/marker`, { target: box });
    assert.equal(inj.overall_status, "VALIDATION_ERROR");
    const restart = await ask(`docker restart ${APP}`, { target: box });
    assert.equal(restart.overall_status, "CONFIRMATION_REQUIRED");
    const local = await call({ confirmToken: restart.confirm_token! });
    assert.equal(
      local.body.overall_status,
      "VALIDATION_ERROR",
      "a token for the SSH host does not run on this machine",
    );
    assert.match(local.body.error_details!.error_message, /on host `box`/);
    await assertUntouched(before0);
    const ok = await call({ confirmToken: restart.confirm_token!, target: box });
    assert.equal(ok.body.overall_status, "SUCCESS", JSON.stringify(ok.body));
    assert.notEqual((await startedAt())[APP], before0[APP]);

    const audit = readFileSync(join(b.dataDir, "gateway-audit.jsonl"), "utf8");
    assert.ok(audit.includes(`"target":{"host":"box","container":"${APP}"}`));
    const m = await b.call<string>("GET", "/metrics");
    assert.match(m.body, /aicockpit_gateway_requests_total\{status="SUCCESS",host="ssh"\} [1-9]/);
  });

  test("over SSH: a host whose key nothing vouches for is CONFIGURATION_ERROR with the key's fingerprint; nothing runs", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const add = await addKeyHost(b, env, "stranger", false);
    assert.equal(add.status, 200, JSON.stringify(add.body));
    const r = await ask(`docker logs --tail 1 ${APP}`, { target: { host: "stranger", container: APP } });
    assert.equal(r.overall_status, "CONFIGURATION_ERROR", JSON.stringify(r));
    assert.equal(r.error_details?.error_code, "HOST_KEY_UNKNOWN");
    assert.ok(r.error_details?.error_message.includes(env.ssh.hostFingerprint), r.error_details?.error_message);
    assert.equal(r.stdout, undefined);
  });

  describe("with a dead Docker socket, short timeouts and a short token lifetime", () => {
    let dead: Backend;
    let quick: Backend;
    before(async () => {
      if (!env) return;
      dead = await startBackend({ env: providerEnv(ai.url, { DOCKER_HOST: "unix:///nonexistent/docker.sock" }) });
      quick = await startBackend({
        env: providerEnv(ai.url, {
          DOCKER_HOST: env.dockerHost,
          AICOCKPIT_GATEWAY_TIMEOUT_MS: "1500",
          AICOCKPIT_GATEWAY_CONFIRM_TTL_MS: "1000",
        }),
      });
    });
    after(async () => {
      await dead?.stop();
      await quick?.stop();
    });

    test("dryRun never contacts Docker: DRY_RUN with a dead socket, CONNECTION_ERROR when actually run", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const dry = await ask(`docker logs --tail 1 ${APP}`, { dryRun: true }, dead);
      assert.equal(dry.overall_status, "DRY_RUN", JSON.stringify(dry));
      const run = await ask(`docker logs --tail 1 ${APP}`, {}, dead);
      assert.equal(run.overall_status, "CONNECTION_ERROR", JSON.stringify(run));
      assert.equal(run.error_details?.error_code, "DOCKER_UNAVAILABLE");
    });

    test("over SSH the command runs on the host, whatever this machine's Docker is (here: dead)", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const add = await addKeyHost(dead, env, "box");
      assert.equal(add.status, 200, JSON.stringify(add.body));
      const r = await ask(
        `docker inspect --format '{{.State.Status}}' ${APP}`,
        { target: { host: "box", container: APP } },
        dead,
      );
      assert.equal(r.overall_status, "SUCCESS", JSON.stringify(r));
      assert.equal(r.stdout, "running\n");
    });

    test("a command over the time limit is TIMEOUT and its CLI is stopped", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const started = Date.now();
      const r = await ask(`docker exec ${APP} sleep 20`, {}, quick);
      assert.equal(r.overall_status, "TIMEOUT", JSON.stringify(r));
      assert.equal(r.error_details?.error_code, "TIMEOUT");
      assert.match(
        r.error_details!.error_message,
        /may still be running/,
        "the answer says what a timeout cannot undo",
      );
      assert.ok(Date.now() - started < 12_000, "answered soon after the limit, not after the command");
    });

    test("an expired token is refused", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const before0 = await startedAt();
      const r = await ask(`docker restart ${APP}`, {}, quick);
      assert.equal(r.overall_status, "CONFIRMATION_REQUIRED");
      await new Promise((res) => setTimeout(res, 1_300));
      const late = await call({ confirmToken: r.confirm_token! }, quick);
      assert.equal(late.body.overall_status, "VALIDATION_ERROR");
      assert.match(late.body.error_details!.error_message, /expired/);
      await assertUntouched(before0);
    });

    test("a token from another backend process is refused", async (t) => {
      if (!env) return t.skip("no infrastructure");
      const r = await ask(`docker restart ${APP}`, {}, quick);
      const other = await call({ confirmToken: r.confirm_token! }, b);
      assert.equal(other.body.overall_status, "VALIDATION_ERROR");
      assert.match(other.body.error_details!.error_message, /not valid/);
    });
  });
});
