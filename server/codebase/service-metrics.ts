/**
 * @codebase metrics on the backend's registry:
 *   aicockpit_codebase_indexes{status}               indexes kept, by status (scrape time)
 *   aicockpit_codebase_files                         files indexed over all indexes (scrape time)
 *   aicockpit_codebase_builds_total{source,outcome}  builds finished (ok / failed / cancelled)
 *   aicockpit_codebase_build_seconds{source}         build duration (first builds and rescans)
 *   aicockpit_codebase_query_seconds{via}            retrieval latency (query route or chat)
 *   aicockpit_codebase_evictions_total{reason}       indexes dropped (idle / limit / deleted)
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { CodebaseIndexView, CodebaseStatus } from "../api/codebase";

export type SourceKind = "local" | "workspace";

export interface CodebaseMetrics {
  build(source: SourceKind, outcome: "ok" | "failed" | "cancelled", seconds: number): void;
  query(via: "route" | "chat", seconds: number): void;
  evicted(reason: "idle" | "limit" | "deleted"): void;
}

const STATUSES: CodebaseStatus[] = ["building", "ready", "failed"];

export function createCodebaseMetrics(registry: Registry, views: () => CodebaseIndexView[]): CodebaseMetrics {
  new Gauge({
    name: "aicockpit_codebase_indexes",
    help: "@codebase indexes kept in memory, by status (counted at scrape time)",
    labelNames: ["status"],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of STATUSES) this.set({ status: s }, 0);
      for (const v of views()) this.inc({ status: v.status });
    },
  });
  new Gauge({
    name: "aicockpit_codebase_files",
    help: "Files indexed over all @codebase indexes (counted at scrape time)",
    registers: [registry],
    collect() {
      this.set(views().reduce((n, v) => n + v.files_indexed, 0));
    },
  });
  const builds = new Counter({
    name: "aicockpit_codebase_builds_total",
    help: "@codebase index builds finished, by source and outcome",
    labelNames: ["source", "outcome"],
    registers: [registry],
  });
  const buildSeconds = new Histogram({
    name: "aicockpit_codebase_build_seconds",
    help: "@codebase index build duration (first builds and rescans)",
    labelNames: ["source"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const querySeconds = new Histogram({
    name: "aicockpit_codebase_query_seconds",
    help: "@codebase retrieval latency, by caller",
    labelNames: ["via"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5],
    registers: [registry],
  });
  const evictions = new Counter({
    name: "aicockpit_codebase_evictions_total",
    help: "@codebase indexes dropped, by reason",
    labelNames: ["reason"],
    registers: [registry],
  });
  return {
    build(source, outcome, seconds) {
      builds.inc({ source, outcome });
      if (outcome !== "cancelled") buildSeconds.observe({ source }, seconds);
    },
    query(via, seconds) {
      querySeconds.observe({ via }, seconds);
    },
    evicted(reason) {
      evictions.inc({ reason });
    },
  };
}

/** For a service without a registry (tests of the service alone). */
export const NO_METRICS: CodebaseMetrics = { build: () => undefined, query: () => undefined, evicted: () => undefined };
