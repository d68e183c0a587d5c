/** The tar writer/reader used with Docker's archive API (tar-stream), checked against GNU tar. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstTarEntry, tarOneFile } from "../../../server/workspaces/tar";

describe("tar", () => {
  test("round trip, short and long (PAX) names, binary content", async () => {
    const content = Buffer.from([0, 1, 2, 255, 10, 13, 0x1e]);
    for (const name of ["a.txt", `${"x".repeat(150)}.py`]) {
      const archive = await tarOneFile(name, content, 0o600);
      assert.equal(archive.length % 512, 0);
      const e = await firstTarEntry(archive);
      assert.equal(e?.name, name);
      assert.equal(e?.type, "file");
      assert.ok(e?.content.equals(content));
    }
  });

  test("GNU tar reads what we write and we read what it writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aicockpit-tar-"));
    const long = `${"y".repeat(120)}.txt`;
    writeFileSync(join(dir, "ours.tar"), await tarOneFile(long, Buffer.from("héllo\n")));
    execFileSync("tar", ["-xf", "ours.tar"], { cwd: dir });
    assert.equal(readFileSync(join(dir, long), "utf8"), "héllo\n");
    execFileSync("tar", ["--format=pax", "-cf", "theirs.tar", long], { cwd: dir });
    const e = await firstTarEntry(readFileSync(join(dir, "theirs.tar")));
    assert.equal(e?.name, long);
    assert.equal(e?.content.toString("utf8"), "héllo\n");
  });

  test("an empty archive has no entry", async () => {
    assert.equal(await firstTarEntry(Buffer.alloc(1024)), undefined);
  });
});
