/** A benchmark's figures mean little without the machine's load; say it the same way everywhere. */
import { cpus } from "node:os";

export function loadNote(load: number | string): string {
  const busy = Number(load) > cpus().length;
  return `load average ${Number(load).toFixed(2)} while measuring${busy ? " (the machine was busy: figures are pessimistic)" : ""}`;
}
