/** Everything a route needs, built once in main.ts (or by a test) and passed down. */
import type { ServerConfig } from "./config/env";
import type { Metrics } from "./metrics";
import type { ComponentCheck } from "./api/health";
import type { LlmService } from "./llm/service";
import type { WorkspaceService } from "./workspaces/service";
import type { CpuWorker } from "./cpu-worker";
import type { GatewayService } from "./gateway/service";
import type { Hosts } from "./hosts/service";
import type { ContainerService } from "./containers/service";
import type { TaskService } from "./tasks/service";
import type { TicketService } from "./tickets/service";
import type { CodebaseService } from "./codebase/service";

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
  /** Runs CPU-heavy request work off the event loop (cpu-worker.ts); absent → in-process, with tight bounds. */
  cpuWorker?: CpuWorker;
  /** SSH hosts: the registry and the pooled connections every feature shares; loaded on first use. */
  hosts: () => Promise<Hosts>;
  /** The AI Command Gateway; created on first use. */
  gateway: () => Promise<GatewayService>;
  /** Containers on any host (list, logs, stats, confirmed start/stop/restart, risk-assessed exec). */
  containers: () => Promise<ContainerService>;
  /** Host tasks (plan, confirm, run, check, summarise); created on first use, which marks leftovers `interrupted`. */
  tasks: () => Promise<TaskService>;
  /** Ticket agents (clones, runs, events); created on first use, which marks cut-off runs `interrupted`. */
  tickets: () => Promise<TicketService>;
  /** @codebase indexes (server/codebase/service.ts); created on first use (the engine loads tree-sitter). */
  codebase: () => Promise<CodebaseService>;
}
