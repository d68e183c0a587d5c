/**
 * Prometheus metrics on a registry of our own (not prom-client's global one), so tests
 * can start several apps in one process without name clashes.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { createCompletionMetrics, type CompletionMetrics } from "./completion/metrics";

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  providerDuration: Histogram<"provider" | "kind" | "outcome">;
  providerTtft: Histogram<"provider" | "kind">;
  providerErrors: Counter<"provider" | "kind" | "code">;
  completion: CompletionMetrics;
}

export function createMetrics(withDefaults = true): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: "aicockpit_" });
  const fast = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  return {
    registry,
    httpRequests: new Counter({
      name: "aicockpit_http_requests_total",
      help: "HTTP requests by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "aicockpit_http_request_duration_seconds",
      help: "HTTP request latency (until the response is finished, streams included)",
      labelNames: ["method", "route"],
      buckets: fast,
      registers: [registry],
    }),
    providerDuration: new Histogram({
      name: "aicockpit_provider_request_duration_seconds",
      help: "Upstream AI service request duration by outcome",
      labelNames: ["provider", "kind", "outcome"],
      buckets: fast,
      registers: [registry],
    }),
    providerTtft: new Histogram({
      name: "aicockpit_provider_time_to_first_token_seconds",
      help: "Upstream AI service time to first streamed token",
      labelNames: ["provider", "kind"],
      buckets: fast,
      registers: [registry],
    }),
    providerErrors: new Counter({
      name: "aicockpit_provider_errors_total",
      help: "Upstream AI service errors by error code",
      labelNames: ["provider", "kind", "code"],
      registers: [registry],
    }),
    completion: createCompletionMetrics(registry),
  };
}
