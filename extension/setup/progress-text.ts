/** The download notification's line: "120 MB of 506 MB · 8.4 MB/s". Pure, so it is unit-tested. */
import { formatBytes } from "../../common/bytes";

export function progressText(received: number, total: number, bytesPerSecond: number): string {
  const speed = bytesPerSecond > 0 ? ` · ${formatBytes(bytesPerSecond)}/s` : "";
  return `${formatBytes(received)} of ${formatBytes(total)}${speed}`;
}
