/** Keeping the one event loop free for other requests while a long loop runs. */

/**
 * How long a stream loop may run before it lets other work in. An upstream that sends fast
 * hands over many events per read, and `for await` over them only ever queues microtasks:
 * without a turn of the event loop, `/health` and every other request wait for the whole burst
 * (a 50,000-chunk answer held the loop for most of a second).
 */
export const STREAM_SLICE_MS = 8;

/** Call once per event in a stream loop; resolves at once unless the loop has run for STREAM_SLICE_MS. */
export function loopYielder(): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < STREAM_SLICE_MS) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}
