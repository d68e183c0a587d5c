/** The New Ticket form's default repository: the folder's git remote (extension/tickets/git-remote.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { remoteFromConfig } from "../../../../extension/tickets/git-remote";

test("origin wins over other remotes; quotes and comments are handled", () => {
  const cfg = `[core]\n\turl = not-a-remote\n[remote "upstream"]\n\turl = https://github.com/up/x.git\n# c\n[remote "origin"]\n\turl = "git@github.com:me/x.git"\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;
  assert.equal(remoteFromConfig(cfg), "git@github.com:me/x.git");
});

test("without origin the first remote is used; without remotes nothing", () => {
  assert.equal(remoteFromConfig(`[remote "fork"]\n url = /srv/git/x.git\n`), "/srv/git/x.git");
  assert.equal(remoteFromConfig(`[core]\n bare = false\n`), undefined);
});
