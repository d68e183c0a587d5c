/** Sizes as a person reads them before a download: "531 MB", "1.2 GB", "640 KB". */
const KB = 1024;
const MB = KB * 1024;
const GB = MB * 1024;

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "? MB";
  if (n >= GB) return `${(n / GB).toFixed(1)} GB`;
  if (n >= 10 * MB) return `${Math.round(n / MB)} MB`;
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  return `${Math.max(n > 0 ? 1 : 0, Math.round(n / KB))} KB`;
}
