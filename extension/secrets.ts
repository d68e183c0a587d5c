/**
 * API keys live only in VS Code's SecretStorage (OS keychain), one per provider kind so
 * switching between, say, OpenAI and Gemini keeps both keys. Never in settings or logs.
 *
 * Each key is bound to the base URL it was entered for (stored next to it): after
 * `aicockpit.provider.baseUrl` changes, `forAddress` withholds the key so it never travels
 * to an address the user did not enter it for, and the user is asked for it again.
 */
import type * as vscode from "vscode";
import type { ProviderKind } from "../server/api/providers";

const PREFIX = "aicockpit.apiKey.";
/** Not under PREFIX: writing a binding alone must not look like a key change (restart). */
const BOUND_PREFIX = "aicockpit.apiKeyAddress.";

export interface BoundKey {
  key: string | undefined;
  /** A key is stored, but for another base URL: it was withheld. */
  withheld: boolean;
}

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(kind: ProviderKind): Thenable<string | undefined> {
    return this.secrets.get(PREFIX + kind);
  }

  /** The key for `kind` if it was entered for `baseUrl` (keys from before binding existed are bound on first use). */
  async forAddress(kind: ProviderKind, baseUrl: string): Promise<BoundKey> {
    const key = await this.secrets.get(PREFIX + kind);
    if (key === undefined) return { key, withheld: false };
    const bound = await this.secrets.get(BOUND_PREFIX + kind);
    if (bound === undefined) {
      await this.secrets.store(BOUND_PREFIX + kind, baseUrl);
      return { key, withheld: false };
    }
    return bound === baseUrl ? { key, withheld: false } : { key: undefined, withheld: true };
  }

  async set(kind: ProviderKind, key: string, baseUrl: string): Promise<void> {
    // The binding first: the key change restarts the backend, which reads both.
    await this.secrets.store(BOUND_PREFIX + kind, baseUrl);
    await this.secrets.store(PREFIX + kind, key);
  }

  async delete(kind: ProviderKind): Promise<void> {
    await this.secrets.delete(PREFIX + kind);
    await this.secrets.delete(BOUND_PREFIX + kind);
  }

  /** Fires for any stored key changing, also from another VS Code window. */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key.startsWith(PREFIX)) listener();
    });
  }
}

const HOST_PREFIX = "aicockpit.host.";

/**
 * SSH secrets per host id: a key's passphrase or a password. Only sent to the backend in a
 * request's `credentials`, never stored by it.
 */
export class HostSecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(hostId: string, kind: "passphrase" | "password"): Thenable<string | undefined> {
    return this.secrets.get(`${HOST_PREFIX}${hostId}.${kind}`);
  }

  set(hostId: string, kind: "passphrase" | "password", value: string): Thenable<void> {
    return this.secrets.store(`${HOST_PREFIX}${hostId}.${kind}`, value);
  }

  async forget(hostId: string): Promise<void> {
    await this.secrets.delete(`${HOST_PREFIX}${hostId}.passphrase`);
    await this.secrets.delete(`${HOST_PREFIX}${hostId}.password`);
  }

  /** `credentials` for a request about these hosts (the host and its jump hops). */
  async credentials(hostIds: readonly string[]): Promise<Record<string, { passphrase?: string; password?: string }>> {
    const out: Record<string, { passphrase?: string; password?: string }> = {};
    for (const id of hostIds) {
      const passphrase = await this.get(id, "passphrase");
      const password = await this.get(id, "password");
      if (passphrase !== undefined || password !== undefined)
        out[id] = {
          ...(passphrase !== undefined ? { passphrase } : {}),
          ...(password !== undefined ? { password } : {}),
        };
    }
    return out;
  }
}

const TICKET_PREFIX = "aicockpit.tickets.";

/**
 * The ticket agents' secrets: the GitHub (or compatible forge) token for push and pull
 * requests, and the Gemini API key for the gemini-cli agent. Sent only in a ticket request's
 * `secrets`; the backend keeps them in memory for that request or run.
 */
export class TicketSecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(kind: "githubToken" | "geminiApiKey"): Thenable<string | undefined> {
    return this.secrets.get(TICKET_PREFIX + kind);
  }

  set(kind: "githubToken" | "geminiApiKey", value: string): Thenable<void> {
    return this.secrets.store(TICKET_PREFIX + kind, value);
  }

  delete(kind: "githubToken" | "geminiApiKey"): Thenable<void> {
    return this.secrets.delete(TICKET_PREFIX + kind);
  }

  /** The `secrets` object of a ticket request: only what is stored. */
  async forRequest(): Promise<{ forge_token?: string; gemini_api_key?: string } | undefined> {
    const forge = await this.get("githubToken");
    const gemini = await this.get("geminiApiKey");
    if (forge === undefined && gemini === undefined) return undefined;
    return { ...(forge ? { forge_token: forge } : {}), ...(gemini ? { gemini_api_key: gemini } : {}) };
  }
}
