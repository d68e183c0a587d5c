/** Docker/registry/SSH failures → stable codes with hints (server/workspaces/errors.ts). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromDockerError, fromPullError } from "../../../server/workspaces/errors";

const local = { where: "unix:///var/run/docker.sock", remote: false };
const remote = { where: "ssh://dev@box:22", remote: true };
const http = (statusCode: number, message: string) =>
  Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message}`), { statusCode, json: { message } });
const sys = (code: string) => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });

describe("fromDockerError", () => {
  const cases: [string, unknown, typeof local, string, RegExp?][] = [
    ["socket missing", sys("ENOENT"), local, "DOCKER_UNAVAILABLE", /Start Docker/],
    ["nothing listens", sys("ECONNREFUSED"), local, "DOCKER_UNAVAILABLE", /Start Docker/],
    ["permission denied", sys("EACCES"), local, "DOCKER_PERMISSION_DENIED", /docker" group/],
    ["timeout", sys("ETIMEDOUT"), local, "DOCKER_TIMEOUT"],
    [
      "name conflict",
      http(409, 'Conflict. The container name "/aicockpit-ws-a" is already in use by container "abc"'),
      local,
      "WORKSPACE_NAME_TAKEN",
      /another workspace name/,
    ],
    ["not running", http(409, "Container abc is not running"), local, "WORKSPACE_NOT_RUNNING", /Start the workspace/],
    [
      "cpu range",
      http(400, "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
      local,
      "INVALID_LIMITS",
    ],
    ["memory minimum", http(400, "Minimum memory limit allowed is 6MB"), local, "INVALID_LIMITS"],
    [
      "port taken",
      http(
        500,
        "driver failed programming external connectivity: Bind for 127.0.0.1:8080 failed: port is already allocated",
      ),
      local,
      "PORT_UNAVAILABLE",
    ],
    ["no such image", http(404, "No such image: foo:1"), local, "IMAGE_NOT_FOUND"],
    [
      "host key",
      Object.assign(new Error("Host denied (verification failed)"), { level: "client-verification" }),
      remote,
      "WORKSPACE_HOST_KEY_REJECTED",
      /fingerprint/,
    ],
    [
      "ssh auth",
      Object.assign(new Error("All configured authentication methods failed"), { level: "client-authentication" }),
      remote,
      "WORKSPACE_HOST_UNREACHABLE",
    ],
    [
      "ssh timeout",
      Object.assign(new Error("Timed out while waiting for handshake"), { level: "client-timeout" }),
      remote,
      "WORKSPACE_HOST_UNREACHABLE",
    ],
    ["anything else", http(500, "something odd"), local, "DOCKER_ERROR"],
  ];
  for (const [name, err, ref, code, hint] of cases) {
    test(name, () => {
      const e = fromDockerError(err, ref);
      assert.equal(e.code, code, e.message);
      assert.ok(!/HTTP code/.test(e.message), "docker-modem's prefix is stripped");
      if (hint) assert.match(e.hint ?? "", hint);
    });
  }
});

describe("fromPullError", () => {
  test("DNS failure → REGISTRY_UNREACHABLE with the local-image hint", () => {
    const e = fromPullError(
      http(
        500,
        'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host',
      ),
      "python:3.11-slim",
      local,
    );
    assert.equal(e.code, "REGISTRY_UNREACHABLE");
    assert.match(e.message, /python:3\.11-slim/);
    assert.match(e.hint ?? "", /local image/);
  });
  test("unknown manifest → IMAGE_NOT_FOUND", () => {
    assert.equal(
      fromPullError(new Error("manifest for python:9 not found: manifest unknown"), "python:9", local).code,
      "IMAGE_NOT_FOUND",
    );
    assert.equal(
      fromPullError(http(404, "pull access denied for nope, repository does not exist"), "nope", local).code,
      "IMAGE_NOT_FOUND",
    );
  });
  test("engine down during pull → DOCKER_UNAVAILABLE", () => {
    assert.equal(fromPullError(sys("ECONNREFUSED"), "x", local).code, "DOCKER_UNAVAILABLE");
  });
});
