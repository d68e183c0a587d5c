/**
 * The command gateway, assembled: `createGateway()` wires the model, aliases, confirm
 * tokens, audit log and metrics to the local docker CLI and the host layer's SSH exec.
 */
import type { ServerConfig } from "../config/env";
import type { Metrics } from "../metrics";
import type { LlmService } from "../llm/service";
import type { Hosts } from "../hosts/service";
import { GATEWAY_LIMITS } from "../api/gateway";
import { Aliases } from "./aliases";
import { AuditLog } from "./audit-log";
import { ConfirmTokens } from "./confirm-token";
import { createGatewayMetrics } from "./metrics";
import { GatewayService } from "./service";

export { GatewayService } from "./service";
export { ConfirmTokens } from "./confirm-token";

export interface GatewayWiring {
  config: ServerConfig;
  metrics: Metrics;
  llm: LlmService;
  hosts: Hosts;
  /** Shared with the container routes, so both speak the same confirm tokens. */
  tokens: ConfirmTokens;
}

export function createGateway(w: GatewayWiring): GatewayService {
  return new GatewayService({
    llm: w.llm,
    aliases: new Aliases(w.config.dataDir, w.config.gateway.aliasesJson),
    tokens: w.tokens,
    audit: new AuditLog(w.config.dataDir),
    metrics: createGatewayMetrics(w.metrics.registry),
    hasHost: (id) => w.hosts.registry.get(id) !== undefined,
    remote: {
      exec: (host, argv, o) =>
        w.hosts.pool.exec(host, argv, {
          timeoutMs: o.timeoutMs,
          maxOutputBytes: o.maxOutputBytes,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(o.credentials ? { credentials: o.credentials } : {}),
        }),
    },
    timeoutMs: w.config.gateway.timeoutMs,
    maxOutputBytes: GATEWAY_LIMITS.maxOutputBytes,
  });
}
