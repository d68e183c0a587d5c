/** The agents a ticket run can use, by kind. Add an agent here (and nowhere else) to offer it. */
import type { TicketAgentKind } from "../api/tickets";
import type { LlmService } from "../llm/service";
import type { WorkspaceService } from "../workspaces/service";
import type { TicketAgent } from "./agent";
import { BuiltinAgent } from "./builtin/agent";
import { GeminiCliAgent } from "./gemini/agent";

export interface AgentDeps {
  llm: LlmService;
  workspaces: () => Promise<WorkspaceService>;
  dataDir: string;
}

export function createAgents(deps: AgentDeps): Partial<Record<TicketAgentKind, TicketAgent>> {
  return {
    builtin: new BuiltinAgent(deps.llm, deps.workspaces),
    "gemini-cli": new GeminiCliAgent({ workspaces: deps.workspaces }),
  };
}
