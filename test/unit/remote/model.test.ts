/** Remote Hosts view logic without vscode (extension/remote/model.ts): rows, ids, the Add Host form. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ContainerSummary } from "../../../server/api/containers";
import type { HostView } from "../../../server/api/hosts";
import {
  addHostRequest,
  check,
  containerLook,
  hostLook,
  LOCAL,
  sortContainers,
  suggestHostId,
} from "../../../extension/remote/model";

const c = (
  name: string,
  state: ContainerSummary["state"],
  extra: Partial<ContainerSummary> = {},
): ContainerSummary => ({
  id: `id-${name}`,
  name,
  image: "busybox:latest",
  state,
  status: state === "running" ? "Up 3 minutes" : "Exited (0) 2 hours ago",
  createdAt: "2026-11-30T00:00:00Z",
  ports: [],
  workspace: false,
  ...extra,
});

const host: HostView = {
  id: "build",
  host: "build.example.com",
  port: 2222,
  user: "dev",
  auth: { kind: "key", privateKeyPath: "/home/dev/.ssh/id_ed25519" },
  source: "manual",
};

describe("containerLook", () => {
  test("state drives icon, colour and the context value the menus match", () => {
    const run = containerLook(c("app", "running"));
    assert.deepEqual(
      [run.label, run.icon, run.color, run.contextValue],
      ["app", "vm-running", "charts.green", "container.running"],
    );
    assert.equal(run.description, "Up 3 minutes · busybox:latest");
    const gone = containerLook(c("old", "exited"));
    assert.deepEqual([gone.icon, gone.color, gone.contextValue], ["vm-outline", undefined, "container.exited"]);
    assert.equal(containerLook(c("x", "dead")).color, "charts.red");
    assert.equal(containerLook(c("x", "restarting")).icon, "sync~spin");
  });
  test("tooltip names ports and workspaces", () => {
    const look = containerLook(
      c("web", "running", {
        ports: [{ container: 80, protocol: "tcp", hostIp: "127.0.0.1", hostPort: 8080 }],
        workspace: true,
      }),
    );
    assert.match(look.tooltip, /ports: 127\.0\.0\.1:8080→80\/tcp/);
    assert.match(look.tooltip, /AiCockpit workspace/);
  });
  test("Docker's empty status falls back to the state", () => {
    assert.equal(containerLook(c("n", "created", { status: "" })).description, "created · busybox:latest");
  });
});

describe("hostLook", () => {
  test("local is this machine and has its own context value (no SSH actions)", () => {
    const l = hostLook(LOCAL);
    assert.equal(l.contextValue, "host.local");
    assert.match(l.description, /this machine/);
  });
  test("a remote host shows user@host:port, the key and whether the key is pinned", () => {
    const r = hostLook(host);
    assert.deepEqual([r.label, r.description, r.contextValue], ["build", "dev@build.example.com:2222", "host.remote"]);
    assert.match(r.tooltip, /key \/home\/dev\/\.ssh\/id_ed25519/);
    assert.match(r.tooltip, /not pinned/);
    assert.match(
      hostLook({ ...host, port: 22, hostFingerprint: "SHA256:abc", jump: ["bastion"] }).tooltip,
      /pinned: SHA256:abc[\s\S]*via bastion/,
    );
    assert.equal(hostLook({ ...host, port: 22 }).description, "dev@build.example.com");
  });
});

test("sortContainers: running first, then by name; the input is not changed", () => {
  const input = [c("b", "exited"), c("z", "running"), c("a", "exited"), c("m", "running")];
  assert.deepEqual(
    sortContainers(input).map((x) => x.name),
    ["m", "z", "a", "b"],
  );
  assert.deepEqual(
    input.map((x) => x.name),
    ["b", "z", "a", "m"],
  );
});

describe("suggestHostId", () => {
  test("lowercase, only [a-z0-9_.-], never 'local', unique", () => {
    assert.equal(suggestHostId("Build-Box.example.com"), "build-box.example.com");
    assert.equal(suggestHostId("127.0.0.1"), "127.0.0.1");
    assert.equal(suggestHostId("::1"), "1");
    assert.equal(suggestHostId("local"), "local-host");
    assert.equal(suggestHostId("--"), "host");
    assert.equal(suggestHostId("box", ["box", "box-2"]), "box-3");
    assert.ok(suggestHostId("a".repeat(100)).length <= 48);
  });
  test("every suggestion passes the id check", () => {
    for (const h of ["Build-Box.example.com", "[fe80::1]", "local", "--", "x_y", "a".repeat(100)])
      assert.equal(check.id(suggestHostId(h), []), undefined, h);
  });
});

describe("form checks", () => {
  test("host, port, user, id", () => {
    assert.equal(check.host("build.example.com"), undefined);
    assert.ok(check.host("bad host"));
    assert.ok(check.host("a;b"));
    assert.equal(check.port("2222"), undefined);
    for (const p of ["0", "65536", "22a", ""]) assert.ok(check.port(p), p);
    assert.equal(check.user("dev.user"), undefined);
    assert.ok(check.user("-oProxyCommand=x"), "an option-looking user is refused");
    assert.ok(check.id("local", []));
    assert.ok(check.id("Box", []));
    assert.match(check.id("box", ["box"]) ?? "", /exists/);
  });
});

test("addHostRequest builds the POST /api/hosts body", () => {
  assert.deepEqual(
    addHostRequest({ id: "rig", host: " 127.0.0.1 ", port: "2222", user: "dev", auth: "key", keyPath: " /k " }),
    {
      id: "rig",
      host: "127.0.0.1",
      port: 2222,
      user: "dev",
      auth: { kind: "key", privateKeyPath: "/k" },
    },
  );
  assert.deepEqual(
    addHostRequest({ id: "a", host: "h", port: "22", user: "u", auth: "agent", keyPath: "/ignored", workspaces: true }),
    {
      id: "a",
      host: "h",
      port: 22,
      user: "u",
      auth: { kind: "agent" },
      workspaces: true,
    },
  );
});
