/** The chat's model picker: the active provider's models, and the one chosen for chat (kept per workspace). */
import type { Memento } from "vscode";
import type { BackendClient } from "../backend/client";
import type { ModelState } from "../../webview-ui/protocol";

const KEY = "aicockpit.chat.model";

export class ChatModels {
  constructor(
    private readonly client: Pick<BackendClient, "call">,
    private readonly state: Memento,
  ) {}

  chosen(): string | undefined {
    return this.state.get<string>(KEY);
  }

  async list(): Promise<ModelState> {
    const { providers, activeId } = await this.client.call("GET /api/providers", { timeoutMs: 10_000 });
    const active = providers.find((p) => p.id === activeId);
    if (!active) return { models: [], current: null };
    let models: string[] = [];
    try {
      models = (
        await this.client.call("GET /api/providers/:id/models", { params: { id: active.id }, timeoutMs: 15_000 })
      ).models;
    } catch {
      // Local servers often cannot list models: the configured one is still a choice.
    }
    if (!models.includes(active.model)) models = [active.model, ...models];
    const chosen = this.chosen();
    return { models, current: chosen !== undefined && models.includes(chosen) ? chosen : active.model };
  }

  async select(model: string): Promise<ModelState> {
    await this.state.update(KEY, model);
    return this.list();
  }
}
