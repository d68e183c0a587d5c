/**
 * API keys live only in VS Code's SecretStorage (OS keychain), one per provider kind so
 * switching between, say, OpenAI and Gemini keeps both keys. Never in settings or logs.
 */
import type * as vscode from "vscode";
import type { ProviderKind } from "../server/api/providers";

const PREFIX = "aicockpit.apiKey.";

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(kind: ProviderKind): Thenable<string | undefined> {
    return this.secrets.get(PREFIX + kind);
  }

  set(kind: ProviderKind, key: string): Thenable<void> {
    return this.secrets.store(PREFIX + kind, key);
  }

  delete(kind: ProviderKind): Thenable<void> {
    return this.secrets.delete(PREFIX + kind);
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
      if (passphrase !== undefined || password !== undefined) out[id] = { ...(passphrase !== undefined ? { passphrase } : {}), ...(password !== undefined ? { password } : {}) };
    }
    return out;
  }
}
