/**
 * A backend killed mid-clone leaves its `.partial-<id>-<pid>-<hex>` folder beside the tickets;
 * the next backend removes it when the tickets service starts — only that: a partial clone of
 * a backend still running, look-alike names, a symbolic link or a file of that name, and the
 * tickets' own clones stay, and nothing is followed out of the root.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CreateTicketResponse } from "../../server/api/tickets";
import { startBackend, type Backend } from "./helpers/backend";
import { seedRemote, sh } from "./helpers/tickets";

let dir: string;
let bare: string;
let root: string;
let outside: string;
let backend: Backend | undefined;
/** A process that has exited: the backend that was cloning. */
const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "aicockpit-tickets-leftover-"));
  bare = seedRemote(dir);
  root = join(dir, "tickets-root");
  mkdirSync(root);
  outside = join(dir, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "keep.txt"), "mine");
});
after(async () => {
  await backend?.stop();
});

test("a partial clone left by a backend that died is removed on the next start; nothing else is", async () => {
  const stale = `.partial-T-1-${deadPid}-0123abcd`;
  sh(root, "clone", "--quiet", bare, stale);
  symlinkSync(outside, join(root, stale, "link-out")); // removing the clone must not follow it
  const kept = [
    `.partial-T2-${process.pid}-0123abcd`, // a clone in progress in a live backend (this process)
    `.partial-T3-${deadPid}-0123abcd`, // a symbolic link of that name
    `.partial-T4-${deadPid}-0123abcd`, // a file of that name
    `.partial-T5-0123abcd`, // not our pattern
    `.partial-T6-${deadPid}-0123ABCD`,
    "T7", // a ticket's clone
  ];
  mkdirSync(join(root, kept[0]!));
  symlinkSync(outside, join(root, kept[1]!));
  writeFileSync(join(root, kept[2]!), "x");
  mkdirSync(join(root, kept[3]!));
  mkdirSync(join(root, kept[4]!));
  sh(root, "clone", "--quiet", bare, kept[5]!);

  backend = await startBackend({
    env: { AICOCKPIT_TICKETS_ROOT: root, AICOCKPIT_TICKETS_ALLOW_LOCAL_REPOS: "1", AICOCKPIT_LOG_LEVEL: "info" },
  });
  assert.equal(existsSync(join(root, stale)), true, "the tickets service starts with its first request");
  const list = await backend.call<{ tickets: unknown[] }>("GET", "/api/tickets");
  assert.equal(list.status, 200, JSON.stringify(list.body));

  assert.deepEqual(readdirSync(root).sort(), [...kept].sort());
  assert.equal(readFileSync(join(outside, "keep.txt"), "utf8"), "mine");
  assert.deepEqual(readdirSync(outside), ["keep.txt"]);
  assert.match(backend.stderr(), new RegExp(`INFO tickets: removed 1 half-made clone.*${stale.replace(/\./g, "\\.")}`));

  // The ticket whose clone was cut off is created as usual, and leaves no partial folder.
  const r = await backend.call<CreateTicketResponse>("POST", "/api/tickets", { ticket_id: "T-1", repo_url: bare });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, "created");
  assert.deepEqual(readdirSync(root).sort(), [...kept, "T-1"].sort());
});
