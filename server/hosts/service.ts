/** The one registry + pool of a backend process (AppContext.hosts()). */
import { HostRegistry } from "./registry";
import { SshPool } from "./pool";
import type { PoolOptions } from "./types";

export interface Hosts {
  registry: HostRegistry;
  pool: SshPool;
}

export function createHosts(dataDir: string, options: PoolOptions = {}): Hosts {
  const registry = new HostRegistry(dataDir);
  return { registry, pool: new SshPool(registry, options) };
}
