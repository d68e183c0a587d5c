/**
 * Removes secrets from text before it reaches the log: the values we know (backend token,
 * API key) and the shapes we can recognise (Bearer headers, OpenAI-style `sk-` keys) for
 * secrets we were never told about, e.g. a key echoed back in a provider's error.
 * Pure, so both sides use it: the backend's log (server/log.ts) and the extension's
 * output channel (extension/log/output.ts).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Very short strings would blank out ordinary words; real keys and tokens are long. */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 6) this.secrets.add(secret);
  }

  remove(secret: string | undefined): void {
    if (secret !== undefined) this.secrets.delete(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is not left half-visible.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
    return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, "Bearer ***").replace(/\bsk-[A-Za-z0-9_-]{8,}/g, "sk-***");
  }
}
