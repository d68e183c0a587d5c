/**
 * Resolves `work` unless it takes longer than `ms` or fails; then resolves `fallback`.
 * The work is not cancelled (callers pass a signal to it when it can be), only ignored.
 */
export async function timeBoxed<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work.catch(() => fallback), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
