/**
 * Confirm tokens: what the user confirmed is exactly what runs. A token is
 * `<payload>.<mac>` (base64url), the payload binding the exact argv, the target host and
 * container, a purpose, an expiry and a nonce; the MAC is HMAC-SHA256 with a secret made
 * per process (a restart invalidates every token, nothing is stored). Single use: a token
 * is spent when it is redeemed, and a replay is refused. The clock is injectable for tests.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface TokenBinding {
  argv: string[];
  host: string;
  container: string;
  /** What the token is for ("gateway", "containers.restart", …): a token for one never works for another. */
  purpose: string;
}

interface Payload extends TokenBinding {
  v: 1;
  exp: number;
  nonce: string;
}

export type VerifyResult = { ok: true; binding: TokenBinding } | { ok: false; reason: string };

export interface ConfirmTokensOptions {
  ttlMs?: number;
  now?: () => number;
  secret?: Buffer;
}

const MAX_TOKEN_CHARS = 16_384;

export class ConfirmTokens {
  private readonly secret: Buffer;
  private readonly now: () => number;
  readonly ttlMs: number;
  /** Spent nonces until their expiry (after that the expiry check refuses them anyway). */
  private readonly spent = new Map<string, number>();

  constructor(opts: ConfirmTokensOptions = {}) {
    this.secret = opts.secret ?? randomBytes(32);
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? 120_000;
  }

  private mac(payload: string): Buffer {
    return createHmac("sha256", this.secret).update(payload).digest();
  }

  sign(binding: TokenBinding): string {
    const p: Payload = {
      v: 1,
      ...binding,
      argv: [...binding.argv],
      exp: this.now() + this.ttlMs,
      nonce: randomBytes(16).toString("base64url"),
    };
    const body = Buffer.from(JSON.stringify(p)).toString("base64url");
    return `${body}.${this.mac(body).toString("base64url")}`;
  }

  /** Checks MAC, expiry, target and purpose without spending the token (dry runs). */
  verify(token: string, expect: Omit<TokenBinding, "argv">): VerifyResult {
    if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: "The confirm token is too long." };
    const dot = token.indexOf(".");
    if (dot <= 0) return { ok: false, reason: "The confirm token is malformed." };
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), "base64url");
    const want = this.mac(body);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      return { ok: false, reason: "The confirm token is not valid (altered, or issued by another backend process)." };
    }
    let p: Payload;
    try {
      p = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Payload;
    } catch {
      return { ok: false, reason: "The confirm token is malformed." };
    }
    if (p.v !== 1 || !Array.isArray(p.argv) || !p.argv.every((a) => typeof a === "string"))
      return { ok: false, reason: "The confirm token is malformed." };
    if (this.now() >= p.exp)
      return {
        ok: false,
        reason: `The confirm token has expired (tokens are valid for ${Math.round(this.ttlMs / 1000)} s); ask again.`,
      };
    if (this.spent.has(p.nonce))
      return { ok: false, reason: "The confirm token was already used; a token runs its command once." };
    if (p.purpose !== expect.purpose)
      return { ok: false, reason: "The confirm token was issued for another kind of action." };
    if (p.host !== expect.host || p.container !== expect.container) {
      return {
        ok: false,
        reason: `The confirm token was issued for container \`${p.container}\` on host \`${p.host}\`, not this target.`,
      };
    }
    return { ok: true, binding: { argv: p.argv, host: p.host, container: p.container, purpose: p.purpose } };
  }

  /** Verifies and spends: a second redeem of the same token fails. */
  redeem(token: string, expect: Omit<TokenBinding, "argv">): VerifyResult {
    const r = this.verify(token, expect);
    if (!r.ok) return r;
    const body = token.slice(0, token.indexOf("."));
    const p = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Payload;
    this.prune();
    this.spent.set(p.nonce, p.exp);
    return r;
  }

  private prune(): void {
    const now = this.now();
    for (const [nonce, exp] of this.spent) if (exp <= now) this.spent.delete(nonce);
  }
}
