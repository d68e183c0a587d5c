/** Which codebase the window means: a local folder, a Docker workspace folder, or why none. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { codebaseTarget, targetKey } from "../../../../extension/codebase/target";

test("a file folder is a local root; a workspace folder is its workspace id", () => {
  assert.deepEqual(codebaseTarget([{ scheme: "file", path: "/home/u/app", authority: "", name: "app" }]), {
    kind: "local",
    root: "/home/u/app",
    name: "app",
  });
  const ws = codebaseTarget([
    { scheme: "aicockpit-ws", path: "/workspace", authority: "py-api+build1", name: "py-api" },
  ]);
  assert.deepEqual(ws, { kind: "workspace", workspaceId: "py-api@build1", root: "/workspace", name: "py-api" });
  assert.equal(targetKey(ws as Exclude<typeof ws, { error: string }>), "workspace:py-api@build1");
});

test("no folder, or a folder the backend cannot read, says why", () => {
  assert.match((codebaseTarget([]) as { error: string }).error, /Open a folder/);
  assert.match(
    (
      codebaseTarget([{ scheme: "vscode-remote", path: "/x", authority: "ssh-remote+h", name: "x" }]) as {
        error: string;
      }
    ).error,
    /vscode-remote/,
  );
});
