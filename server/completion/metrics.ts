/** Completion counters in /metrics: what is served from where, what upstream did, what users kept. */
import { Counter, Gauge, type Registry } from "prom-client";

export interface CompletionMetrics {
  requests: Counter<"source" | "shown">;
  upstream: Counter<"outcome">;
  upstreamRunning: Gauge;
  feedback: Counter<"outcome">;
}

export function createCompletionMetrics(registry: Registry): CompletionMetrics {
  return {
    requests: new Counter({
      name: "aicockpit_completion_requests_total",
      help: "Inline completion requests by where the answer came from and whether something was shown",
      labelNames: ["source", "shown"],
      registers: [registry],
    }),
    upstream: new Counter({
      name: "aicockpit_completion_upstream_total",
      help: "Upstream completion generations by how they ended (complete, early-stop, timeout, client, superseded, error)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    upstreamRunning: new Gauge({
      name: "aicockpit_completion_upstream_running",
      help: "Upstream completion generations currently running",
      registers: [registry],
    }),
    feedback: new Counter({
      name: "aicockpit_completion_feedback_total",
      help: "Inline completions accepted or rejected by the user",
      labelNames: ["outcome"],
      registers: [registry],
    }),
  };
}
