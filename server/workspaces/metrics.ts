/**
 * `aicockpit_workspaces{host,state}`: counted from Docker on each scrape (labels are the
 * source of truth, so there is no in-memory counter to drift). Hosts that do not answer
 * within the scrape budget are left out rather than stalling /metrics.
 */
import { Gauge, type Registry } from "prom-client";
import type { WorkspaceService } from "./service";

const SCRAPE_BUDGET_MS = 2_000;

export function registerWorkspaceGauge(
  registry: Registry,
  service: () => Promise<WorkspaceService>,
): Gauge<"host" | "state"> {
  return new Gauge({
    name: "aicockpit_workspaces",
    help: "Docker workspaces by host and state (read from Docker labels at scrape time)",
    labelNames: ["host", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      const svc = await service();
      const list = await svc.list(undefined, SCRAPE_BUDGET_MS);
      for (const w of list.workspaces) this.inc({ host: w.host, state: w.state });
      for (const state of ["running", "stopped"]) {
        // always present, so dashboards show 0 rather than a gap
        this.inc({ host: "local", state }, 0);
      }
    },
  });
}
