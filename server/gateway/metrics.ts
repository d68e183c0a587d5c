/** Gateway counters in /metrics: requests by overall_status, and where the time went. */
import { Counter, Histogram, type Registry } from "prom-client";
import { GATEWAY_STATUSES } from "../api/gateway";

export interface GatewayMetrics {
  requests: Counter<"status" | "host">;
  validation: Histogram;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const requests = new Counter({
    name: "aicockpit_gateway_requests_total",
    help: "Command gateway requests by overall_status and target kind (local or ssh)",
    labelNames: ["status", "host"],
    registers: [registry],
  });
  // Every status shows up (as 0) from the start, so dashboards and alerts see the series.
  for (const status of GATEWAY_STATUSES) requests.inc({ status, host: "local" }, 0);
  return {
    requests,
    validation: new Histogram({
      name: "aicockpit_gateway_validation_seconds",
      help: "Command gateway: reading, parsing and validating a model's answer (and signing a token)",
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers: [registry],
    }),
  };
}
