import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfirmTokens } from "../../../server/gateway/confirm-token";

const target = { host: "local", container: "app", purpose: "gateway" };
const argv = ["docker", "restart", "app"];

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test("a token redeems once, for exactly its argv", () => {
  const tokens = new ConfirmTokens();
  const tok = tokens.sign({ ...target, argv });
  const r = tokens.redeem(tok, target);
  assert.ok(r.ok);
  assert.deepEqual(r.binding.argv, argv);
  const again = tokens.redeem(tok, target);
  assert.ok(!again.ok);
  assert.match(again.reason, /already used/);
});

test("verify does not spend the token (dry runs)", () => {
  const tokens = new ConfirmTokens();
  const tok = tokens.sign({ ...target, argv });
  assert.ok(tokens.verify(tok, target).ok);
  assert.ok(tokens.verify(tok, target).ok);
  assert.ok(tokens.redeem(tok, target).ok);
});

test("expired after the TTL (injected clock), valid just before", () => {
  const c = clock();
  const tokens = new ConfirmTokens({ now: c.now, ttlMs: 120_000 });
  const tok = tokens.sign({ ...target, argv });
  c.advance(119_999);
  assert.ok(tokens.verify(tok, target).ok);
  c.advance(1);
  const r = tokens.redeem(tok, target);
  assert.ok(!r.ok);
  assert.match(r.reason, /expired/);
});

test("an altered payload or MAC is refused", () => {
  const tokens = new ConfirmTokens();
  const tok = tokens.sign({ ...target, argv });
  const [body, mac] = tok.split(".") as [string, string];
  const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as { argv: string[] };
  payload.argv = ["docker", "rm", "-f", "app"];
  const forged = `${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${mac}`;
  assert.match((tokens.redeem(forged, target) as { reason: string }).reason, /not valid/);
  const flipped = `${body}.${mac.slice(0, -2)}${mac.endsWith("AA") ? "BB" : "AA"}`;
  assert.ok(!tokens.redeem(flipped, target).ok);
  assert.ok(!tokens.redeem("garbage", target).ok);
  assert.ok(!tokens.redeem(".", target).ok);
  assert.ok(tokens.redeem(tok, target).ok, "the original still works after the forgeries");
});

test("another process's secret, another target, another purpose: refused", () => {
  const a = new ConfirmTokens();
  const b = new ConfirmTokens();
  const tok = a.sign({ ...target, argv });
  assert.ok(!b.verify(tok, target).ok);
  assert.match(
    (a.verify(tok, { ...target, container: "db" }) as { reason: string }).reason,
    /issued for container `app`/,
  );
  assert.ok(!a.verify(tok, { ...target, host: "box" }).ok);
  assert.match((a.verify(tok, { ...target, purpose: "containers" }) as { reason: string }).reason, /another kind/);
});

test("spent nonces are forgotten after expiry (memory stays bounded), and such tokens stay refused", () => {
  const c = clock();
  const tokens = new ConfirmTokens({ now: c.now, ttlMs: 1_000 });
  const first = tokens.sign({ ...target, argv });
  assert.ok(tokens.redeem(first, target).ok);
  c.advance(2_000);
  const second = tokens.sign({ ...target, argv });
  assert.ok(tokens.redeem(second, target).ok);
  assert.equal((tokens as unknown as { spent: Map<string, number> }).spent.size, 1);
  assert.ok(!tokens.redeem(first, target).ok);
});
