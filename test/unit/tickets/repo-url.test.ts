import { test } from "node:test";
import assert from "node:assert/strict";
import { assertBranchName, parseRepoUrl } from "../../../server/tickets/repo-url";
import { AppError } from "../../../server/errors";

const refused = (url: string, allowLocal = true) =>
  assert.throws(
    () => parseRepoUrl(url, allowLocal),
    (e: unknown) => e instanceof AppError && e.code === "TICKET_REPO_REFUSED",
    url,
  );

test("accepts https, ssh:// and scp-like addresses and names owner/repo", () => {
  assert.deepEqual(parseRepoUrl("https://github.com/acme/widget.git", false), {
    url: "https://github.com/acme/widget.git",
    kind: "https",
    owner: "acme",
    name: "widget",
  });
  assert.equal(parseRepoUrl("git@github.com:acme/widget.git", false).owner, "acme");
  assert.equal(parseRepoUrl("ssh://git@ghe.corp:2222/team/svc.git", false).name, "svc");
  assert.equal(parseRepoUrl("/srv/git/acme/widget.git", true).kind, "local");
  assert.equal(parseRepoUrl("file:///srv/git/acme/widget.git", true).url, "/srv/git/acme/widget.git");
});

test("refuses transports, options, credentials, relative and escaping paths", () => {
  for (const u of [
    "ext::sh -c touch% /tmp/x",
    "fd::3",
    "file::/tmp/x",
    "--upload-pack=touch /tmp/x",
    "-u/tmp/x",
    "../other",
    "repo",
    "/srv/git/../../etc",
    "ssh://-oProxyCommand=x/repo",
    "-oProxyCommand=x:repo",
    "git@host:-x",
    "https://user:pw@github.com/a/b.git",
    "https://github.com/a/b.git?x=1",
    "http://github.com/a/b.git",
    "ftp://x/y",
    "https://github.com/a/b c",
  ])
    refused(u);
});

test("local paths need the setting", () => {
  refused("/srv/git/acme/widget.git", false);
  refused("file:///srv/git/acme/widget.git", false);
});

test("branch names that look like options or break ref rules are refused", () => {
  for (const b of ["--orphan", "a..b", "a b", "x~1", "x^", "a:b", "x.lock", "@", "a//b", "/a"])
    assert.throws(() => assertBranchName(b), AppError, b);
  assertBranchName("release/1.2");
});
