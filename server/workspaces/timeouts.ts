/** Docker calls that must not hang: a dead engine or SSH link becomes DOCKER_TIMEOUT. */
import { AppError } from "../errors";
import type { EngineRef } from "./errors";

export const CALL_TIMEOUT_MS = 15_000;

export async function withTimeout<T>(p: Promise<T>, ref: EngineRef, what: string, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AppError(
            "DOCKER_TIMEOUT",
            `Docker at ${ref.where} did not answer within ${Math.round(ms / 1000)} s (${what}).`,
            "The engine may be overloaded or hung; check `docker info` on that host.",
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
