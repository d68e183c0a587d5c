/** hosts.json: migration of workspace-hosts.json (nothing lost, once), validation, jump references. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostRegistry } from "../../../server/hosts/registry";

const key = (dir: string) => {
  const f = join(dir, "id_ed25519");
  if (!existsSync(f)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", f]);
  return f;
};
const FP = `SHA256:${"Q".repeat(43)}`;

test("every workspace-hosts.json entry is migrated once; the old file is kept aside; a restart reads hosts.json", () => {
  const dir = mkdtempSync(join(tmpdir(), "aicockpit-reg-"));
  const k = key(dir);
  const old = [
    { id: "a", host: "a.example", port: 2222, username: "ua", privateKeyPath: k, hostFingerprint: FP },
    { id: "b", host: "10.0.0.2", username: "ub", privateKeyPath: "/gone/key", hostFingerprint: FP },
  ];
  writeFileSync(join(dir, "workspace-hosts.json"), JSON.stringify({ hosts: old }));
  const reg = new HostRegistry(dir);
  assert.deepEqual(
    reg.list().map((h) => [h.id, h.host, h.port, h.user, h.auth, h.hostFingerprint, h.workspaces, h.source]),
    [
      ["a", "a.example", 2222, "ua", { kind: "key", privateKeyPath: k }, FP, true, "workspace-hosts"],
      // a key file that no longer exists is still migrated (nothing lost); connecting will say why it fails
      ["b", "10.0.0.2", 22, "ub", { kind: "key", privateKeyPath: "/gone/key" }, FP, true, "workspace-hosts"],
    ],
  );
  assert.ok(existsSync(join(dir, "workspace-hosts.json.migrated")));
  assert.ok(!existsSync(join(dir, "workspace-hosts.json")));
  assert.equal(new HostRegistry(dir).list().length, 2);
  assert.match(readFileSync(join(dir, "hosts.json"), "utf8"), /"version": 1/);
});

test("validation: ids, reserved 'local', fingerprints, jump hosts that exist, no removal of a host still used as a jump", () => {
  const dir = mkdtempSync(join(tmpdir(), "aicockpit-reg-"));
  const reg = new HostRegistry(dir);
  const base = { host: "h.example", user: "u", auth: { kind: "agent" as const } };
  assert.throws(() => reg.add("local", base), /"local" is not allowed/);
  assert.throws(() => reg.add("Bad Id", base), /not allowed/);
  assert.throws(() => reg.add("x", { ...base, hostFingerprint: "md5:aa" }), /SHA256/);
  assert.throws(() => reg.add("x", { ...base, host: "h;rm -rf /" }), /host name/);
  assert.throws(() => reg.add("x", { ...base, jump: ["nope"] }), /not configured/);
  reg.add("bastion", base);
  reg.add("inner", { ...base, jump: ["bastion"] });
  assert.deepEqual(
    reg.chain("inner").map((h) => h.id),
    ["bastion", "inner"],
  );
  assert.throws(() => reg.remove("bastion"), /jump host of inner/);
  assert.throws(() => reg.add("deeper", { ...base, jump: ["inner"] }), /jump hosts of its own/);
  const seen: string[] = [];
  reg.onChange((c) => seen.push(`${c.kind}:${c.id}`));
  reg.update("inner", { hostFingerprint: FP });
  reg.update("inner", { hostFingerprint: null });
  assert.equal(reg.get("inner")!.hostFingerprint, undefined);
  assert.deepEqual(seen, ["updated:inner", "updated:inner"]);
  assert.ok(reg.remove("inner"));
  assert.ok(reg.remove("bastion"));
  assert.deepEqual(new HostRegistry(dir).list(), []);
});
