/** Extension-side workspace logic (extension/workspaces/model.ts) and id parsing (server/workspaces/labels.ts). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { WorkspaceView } from "../../../server/api/workspaces";
import {
  authorityOf,
  idOfAuthority,
  parseLimits,
  parsePorts,
  pullLine,
  rowLook,
  templatesFromSettings,
  validateName,
} from "../../../extension/workspaces/model";
import { parseWorkspaceId, toState } from "../../../server/workspaces/labels";
import { AppError } from "../../../server/errors";

const view = (over: Partial<WorkspaceView> = {}): WorkspaceView => ({
  id: "api",
  name: "api",
  host: "local",
  stack: "python-3.11",
  image: "python:3.11-slim",
  state: "running",
  status: "Up 3 minutes",
  createdAt: "2026-01-01T00:00:00Z",
  limits: { cpus: 2, memoryMb: 2048, pids: 1024 },
  ports: [{ container: 8000, protocol: "tcp", hostIp: "127.0.0.1", hostPort: 49153 }],
  network: "bridge",
  volume: "aicockpit-ws-api-data",
  containerId: "abc",
  ...over,
});

describe("workspace rows", () => {
  test("state → icon, colour and context value", () => {
    assert.deepEqual(
      [rowLook(view()).icon, rowLook(view()).color, rowLook(view()).contextValue],
      ["vm-running", "charts.green", "workspace.running"],
    );
    assert.equal(rowLook(view({ state: "stopped" })).icon, "vm-outline");
    assert.equal(rowLook(view({ state: "dead" })).color, "charts.red");
    assert.equal(rowLook(view({ host: "box", id: "api@box" })).description, "running · box · python-3.11");
    assert.match(rowLook(view()).tooltip, /8000→127\.0\.0\.1:49153/);
  });
  test("ids ↔ URI authorities", () => {
    assert.equal(authorityOf("api@box"), "api+box");
    assert.equal(idOfAuthority("api+box"), "api@box");
    assert.equal(idOfAuthority(authorityOf("api")), "api");
  });
});

describe("create flow inputs", () => {
  test("names", () => {
    assert.equal(validateName("api-dev", []), undefined);
    assert.match(validateName("API", []) ?? "", /Lowercase/);
    assert.match(validateName("api", ["api"]) ?? "", /already exists/);
  });
  test("limits", () => {
    assert.deepEqual(parseLimits("cpus=1.5 memory=2048, pids=512").limits, { cpus: 1.5, memoryMb: 2048, pids: 512 });
    assert.deepEqual(parseLimits("").limits, {});
    assert.match(parseLimits("cpus=lots").error ?? "", /key=value/);
    assert.match(parseLimits("memory=1.5").error ?? "", /whole number/);
  });
  test("ports", () => {
    assert.deepEqual(parsePorts("8000, 8080:80 53/udp").ports, [
      { container: 8000 },
      { container: 80, host: 8080 },
      { container: 53, protocol: "udp" },
    ]);
    assert.match(parsePorts("99999").error ?? "", /1–65535/);
    assert.match(parsePorts("http").error ?? "", /not a port/);
  });
  test("templates from settings", () => {
    const { templates, problems } = templatesFromSettings([
      { id: "ruby", image: "ruby:3.3-slim", ports: "3000", env: { A: "1", B: 2 } },
      { id: "broken" },
    ]);
    assert.equal(templates.length, 1);
    assert.deepEqual(templates[0]?.ports, [{ container: 3000 }]);
    assert.deepEqual(templates[0]?.env, { A: "1" });
    assert.equal(templates[0]?.source, "settings");
    assert.equal(problems.length, 1);
  });
  test("pull progress line", () => {
    assert.equal(pullLine("Downloading", 12_300_000, 45_600_000), "Downloading 12.3/45.6 MB");
    assert.equal(pullLine("Pull complete"), "Pull complete");
  });
});

describe("server ids and states", () => {
  test("name and name@host", () => {
    assert.deepEqual(parseWorkspaceId("api"), { id: "api", name: "api", host: "local" });
    assert.deepEqual(parseWorkspaceId("api@box"), { id: "api@box", name: "api", host: "box" });
    assert.throws(
      () => parseWorkspaceId("../etc"),
      (e: unknown) => e instanceof AppError && e.code === "WORKSPACE_NOT_FOUND",
    );
    assert.throws(() => parseWorkspaceId("a@B!"), AppError);
  });
  test("docker states", () => {
    assert.equal(toState("exited"), "stopped");
    assert.equal(toState("running"), "running");
    assert.equal(toState(undefined), "stopped");
  });
});
