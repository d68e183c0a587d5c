/** known_hosts reading: patterns, ports, negation, markers, and hashes made by the real ssh-keygen -H. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entryMatches, lookupKnownHosts, parseKnownHosts } from "../../../server/hosts/known-hosts";
import { judgeHostKey } from "../../../server/hosts/host-keys";

const dir = mkdtempSync(join(tmpdir(), "aicockpit-kh-"));
function newKey(name: string): { line: string; blob: Buffer; fp: string } {
  const f = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", f]);
  const line = readFileSync(`${f}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
  const fp = execFileSync("ssh-keygen", ["-lf", `${f}.pub`], { encoding: "utf8" }).split(" ")[1]!;
  return { line, blob: Buffer.from(line.split(" ")[1]!, "base64"), fp };
}

test("plain patterns: port 22 bare name, other ports [host]:port, wildcards, negation", () => {
  const k = newKey("a");
  const [e] = parseKnownHosts(`*.corp,!evil.corp,[10.0.0.1]:2222,plain ${k.line}\n`);
  assert.equal(e!.fingerprint, k.fp, "same fingerprint as ssh-keygen -lf");
  assert.ok(entryMatches(e!, "db.corp", 22));
  assert.ok(!entryMatches(e!, "evil.corp", 22));
  assert.ok(entryMatches(e!, "10.0.0.1", 2222));
  assert.ok(!entryMatches(e!, "10.0.0.1", 22));
  assert.ok(entryMatches(e!, "plain", 22));
  assert.ok(!entryMatches(e!, "plain", 2200));
});

test("hashed entries written by ssh-keygen -H match their host:port only", () => {
  const k = newKey("b");
  const f = join(dir, "hashed");
  writeFileSync(f, `[box.example]:2200 ${k.line}\nother.example ${k.line}\n`);
  execFileSync("ssh-keygen", ["-H", "-f", f], { stdio: "ignore" });
  assert.doesNotMatch(readFileSync(f, "utf8"), /example/);
  assert.equal(lookupKnownHosts([f], "box.example", 2200).length, 1);
  assert.equal(lookupKnownHosts([f], "box.example", 22).length, 0);
  assert.equal(lookupKnownHosts([f], "other.example", 22).length, 1);
});

test("markers: @revoked refuses the key, @cert-authority is recognised (not trusted), junk lines skipped", () => {
  const k = newKey("c");
  const other = newKey("d");
  const f = join(dir, "markers");
  writeFileSync(
    f,
    `# comment\n@cert-authority *.corp ${other.line}\n@revoked * ${k.line}\ngarbage line\nh.corp ${k.line}\n`,
  );
  const h = { host: "h.corp", port: 22 };
  assert.equal(judgeHostKey(h, k.blob, [f]).status, "revoked");
  const ca = judgeHostKey({ host: "x.corp", port: 22 }, other.blob, [f]);
  assert.equal(ca.status, "unknown");
  assert.match(ca.note ?? "", /cert-authority/);
  assert.equal(parseKnownHosts(readFileSync(f, "utf8")).length, 3);
});

test("decision order: pin beats known_hosts; a different key of the same type is 'changed'; none is 'unknown'", () => {
  const k = newKey("e");
  const other = newKey("f");
  const f = join(dir, "decide");
  writeFileSync(f, `srv ${k.line}\n`);
  assert.deepEqual(judgeHostKey({ host: "srv", port: 22 }, k.blob, [f]).trustedBy, "known_hosts");
  assert.equal(judgeHostKey({ host: "srv", port: 22 }, other.blob, [f]).status, "changed");
  assert.equal(judgeHostKey({ host: "srv", port: 22, hostFingerprint: other.fp }, other.blob, [f]).trustedBy, "pinned");
  assert.equal(judgeHostKey({ host: "srv", port: 22, hostFingerprint: other.fp }, k.blob, [f]).status, "changed");
  assert.equal(judgeHostKey({ host: "new", port: 22 }, k.blob, [f]).status, "unknown");
  assert.equal(judgeHostKey({ host: "new", port: 22 }, k.blob, [join(dir, "missing")]).status, "unknown");
});
