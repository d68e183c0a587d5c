/**
 * The in-process checkpoint writes exactly what git would: after edits, new nested files, an
 * executable file and a deletion, its tree id equals `git add --all && git write-tree`'s, and
 * `git fsck` finds every object it wrote sound.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TreeMirror } from "../../../server/tickets/tree-mirror";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@x",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@x",
    },
  });

test("a mirrored checkpoint has the tree git writes for the same files, and sound objects", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aicockpit-mirror-"));
  git(dir, "init", "--quiet", "-b", "main");
  mkdirSync(join(dir, "src/a"), { recursive: true });
  writeFileSync(join(dir, "src/a/x.ts"), "x\n");
  writeFileSync(join(dir, "src/a-b.ts"), "dash sorts before slash\n");
  writeFileSync(join(dir, "run.sh"), "echo hi\n");
  chmodSync(join(dir, "run.sh"), 0o755);
  writeFileSync(join(dir, "gone.txt"), "bye\n");
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "-m", "base");
  const head = git(dir, "rev-parse", "HEAD").trim();

  const mirror = TreeMirror.fromListing(join(dir, ".git"), git(dir, "ls-tree", "-r", "-z", "--full-tree", head));
  assert.ok(mirror);
  const changes: [string, string | undefined][] = [
    ["src/a/x.ts", "x changed\n"],
    ["run.sh", "echo changed\n"],
    ["src/new/deep/file.md", "# new\n"],
    ["gone.txt", undefined],
    ["src/a.ts", "a file beside the folder src/a\n"],
  ];
  for (const [p, text] of changes) {
    if (text === undefined) rmSync(join(dir, p));
    else {
      mkdirSync(join(dir, p, ".."), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    await mirror.update(dir, p);
  }
  const commit = await mirror.commit(head, "checkpoint", { name: "AiCockpit agent", email: "agent@aicockpit.invalid" });

  git(dir, "add", "--all");
  const expected = git(dir, "write-tree").trim();
  assert.equal(git(dir, "rev-parse", `${commit}^{tree}`).trim(), expected);
  assert.equal(git(dir, "rev-parse", `${commit}^`).trim(), head);
  assert.equal(git(dir, "ls-tree", commit, "run.sh").split(" ")[0], "100755", "the executable bit is kept");
  assert.equal(git(dir, "cat-file", "-t", commit).trim(), "commit");
  git(dir, "fsck", "--strict", "--no-dangling");
});
