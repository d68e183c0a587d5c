/** Everything a route needs, built once in main.ts (or by a test) and passed down. */
import type { ServerConfig } from "./config/env";
import type { Metrics } from "./metrics";
import type { ComponentCheck } from "./api/health";
import type { LlmService } from "./llm/service";
import type { WorkspaceService } from "./workspaces/service";
import type { GatewayService } from "./gateway/service";
import type { HostRegistry, SshPool } from "./hosts";
import type { ContainerService } from "./containers/service";

export interface AppContext {
  config: ServerConfig;
  metrics: Metrics;
  llm: LlmService;
  /** Port actually bound; 0 until listening. */
  port: () => number;
  startedAt: number;
  version: string;
  probeDocker: () => Promise<ComponentCheck>;
  /** Docker workspaces; loaded on first use (dockerode is not on the startup path). */
  workspaces: () => Promise<WorkspaceService>;
  /** The host layer (registry + pooled SSH), one per process; created on first use. */
  hosts: () => { registry: HostRegistry; pool: SshPool };
  /** The AI Command Gateway; created on first use. */
  gateway: () => Promise<GatewayService>;
  /** Containers on any host (list, logs, stats, confirmed start/stop/restart, risk-assessed exec). */
  containers: () => Promise<ContainerService>;
}
