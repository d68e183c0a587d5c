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
