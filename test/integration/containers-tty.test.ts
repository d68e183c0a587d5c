/**
 * Open Terminal on any container (`/api/hosts/:host/containers/:name/tty`): a shell in a plain
 * container (not a workspace) on this machine's engine and on the sshd host's engine, typed
 * input and its output, resize, the same Host/Origin/token checks as HTTP, a clear error for
 * an image without `sh`, and for a container that does not exist.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import WebSocket from "ws";
import type { TtyServerMessage } from "../../server/api/workspaces";
import { requireInfraOrSkip, type InfraEnv } from "../fixtures/infra-env";
import { startBackend, type Backend } from "./helpers/backend";
import { addKeyHost, removeContainers, startContainers } from "./helpers/containers";

const P = `cty${process.pid % 100000}`;
const APP = `${P}-app`;
const NOSH = `${P}-nosh`;

interface Tty {
  ws: WebSocket;
  waitFor(re: RegExp): Promise<string>;
  waitMessage(type: TtyServerMessage["type"]): Promise<TtyServerMessage>;
  send(text: string): void;
  resize(cols: number, rows: number): void;
  closed: Promise<number>;
}

function openTty(b: Backend, host: string, name: string, headers: Record<string, string> = {}): Promise<Tty> {
  const path = `/api/hosts/${host}/containers/${encodeURIComponent(name)}/tty?cols=100&rows=30`;
  const ws = new WebSocket(`ws://127.0.0.1:${b.port}${path}`, {
    headers: { authorization: `Bearer ${b.token}`, ...headers },
  });
  let out = "";
  const messages: TtyServerMessage[] = [];
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary) out += data.toString("utf8");
    else messages.push(JSON.parse(data.toString("utf8")) as TtyServerMessage);
  });
  const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
  const poll = async <T>(get: () => T | undefined, what: string): Promise<T> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; output: ${JSON.stringify(out)} ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const tty: Tty = {
    ws,
    waitFor: (re) => poll(() => (re.test(out) ? out : undefined), String(re)),
    waitMessage: (type) => poll(() => messages.find((m) => m.type === type), type),
    send: (text) => ws.send(Buffer.from(text, "utf8"), { binary: true }),
    resize: (cols, rows) => ws.send(JSON.stringify({ type: "resize", cols, rows })),
    closed,
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(tty));
    ws.once("unexpected-response", (_req, res) =>
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once("error", reject);
  });
}

describe("Open Terminal on any container", () => {
  let env: InfraEnv | undefined;
  let docker: Docker;
  let b: Backend;

  before(async () => {
    env = await requireInfraOrSkip("containers-tty.test.ts");
    if (!env) return;
    docker = new Docker({ socketPath: env.dockerSocketPath });
    const busybox = ["/bin/busybox", "sh", "-c"];
    await startContainers(docker, env.image, [
      { name: APP, script: "exec sleep 3600", entrypoint: busybox },
      // busybox: sh is one of its links; without it the image has no shell for a terminal.
      { name: NOSH, script: "rm /bin/sh; exec sleep 3600", entrypoint: busybox },
    ]);
    b = await startBackend({ env: { DOCKER_HOST: env.dockerHost } });
  });

  after(async () => {
    await b?.stop();
    if (env) await removeContainers(docker, [APP, NOSH]);
  });

  const session = async (host: string) => {
    const tty = await openTty(b, host, APP);
    await tty.waitMessage("ready");
    tty.send("stty size; echo hi-$((40+2))\r");
    await tty.waitFor(/30 100/);
    await tty.waitFor(/hi-42/);
    tty.resize(132, 40);
    // The resize reaches the engine asynchronously (over SSH: another round trip through dial-stdio), so ask
    // again until the shell sees it rather than guessing how long that takes on a loaded machine.
    const seen = async () => /40 132/.test(await tty.waitFor(/[\s\S]/)); // the output so far
    for (let i = 0; i < 40 && !(await seen()); i++) {
      tty.send("stty size\r");
      await new Promise((res) => setTimeout(res, 500));
    }
    await tty.waitFor(/40 132/);
    tty.send("exit 4\r");
    assert.deepEqual(await tty.waitMessage("exit"), { type: "exit", exitCode: 4 });
    assert.equal(await tty.closed, 1000);
  };

  test("a shell in a plain container on this machine: typing, output, resize, exit", async (t) => {
    if (!env) return t.skip("no infrastructure");
    await session("local");
  });

  test("the same over SSH (the engine behind sshd, dial-stdio)", async (t) => {
    if (!env) return t.skip("no infrastructure");
    const put = await addKeyHost(b, env, "ttybox");
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await session("ttybox");
  });

  test("refused without the token or from a foreign Origin; clear errors for no sh and no container", async (t) => {
    if (!env) return t.skip("no infrastructure");
    await assert.rejects(openTty(b, "local", APP, { authorization: "" }), (e: { status?: number }) => e.status === 401);
    await assert.rejects(
      openTty(b, "local", APP, { authorization: "Bearer wrong-token-wrong-token" }),
      (e: { status?: number }) => e.status === 401,
    );
    await assert.rejects(
      openTty(b, "local", APP, { origin: "https://evil.example" }),
      (e: { status?: number }) => e.status === 403,
    );

    const nosh = await openTty(b, "local", NOSH);
    const err = await nosh.waitMessage("error");
    assert.ok(err.type === "error" && err.code === "CONTAINER_SHELL_NOT_FOUND", JSON.stringify(err));
    assert.match(err.message, /has no sh/);
    assert.equal(await nosh.closed, 1011);

    const missing = await openTty(b, "local", `${P}-nope`);
    const nf = await missing.waitMessage("error");
    assert.equal(nf.type === "error" && nf.code, "CONTAINER_NOT_FOUND");
  });
});
