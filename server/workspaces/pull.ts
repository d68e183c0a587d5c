/**
 * Make sure an image is on the engine: use the local one when present, otherwise pull it
 * with streamed progress. With no registry reachable the pull fails within seconds
 * (DNS/dial error) and becomes REGISTRY_UNREACHABLE, which tells the user to work with
 * local images; a pull that stops progressing is cut rather than left hanging.
 */
import type { CreateWorkspaceEvent } from "../api/workspaces";
import { AppError } from "../errors";
import type { Engine } from "./engines";
import { fromDockerError, fromPullError } from "./errors";
import { withTimeout } from "./timeouts";

const STALL_MS = 120_000;

interface PullProgress {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

export async function imagePresent(engine: Engine, image: string): Promise<boolean> {
  try {
    await withTimeout(engine.docker.getImage(image).inspect(), engine.ref, "inspect image");
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw fromDockerError(err, engine.ref, "inspect image");
  }
}

export async function pullImage(
  engine: Engine,
  image: string,
  onEvent: (e: CreateWorkspaceEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await withTimeout(
      engine.docker.pull(image, signal ? { abortSignal: signal } : {}),
      engine.ref,
      "pull",
      60_000,
    )) as NodeJS.ReadableStream;
  } catch (err) {
    throw fromPullError(err, image, engine.ref);
  }
  await new Promise<void>((resolve, reject) => {
    let stall = setTimeout(onStall, STALL_MS);
    function onStall(): void {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      reject(
        new AppError(
          "REGISTRY_UNREACHABLE",
          `Pulling ${image} made no progress for ${STALL_MS / 1000} s.`,
          "Check the network or the registry, or work with a local image.",
        ),
      );
    }
    let lastError: string | undefined;
    engine.docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        clearTimeout(stall);
        if (err) return reject(fromPullError(err, image, engine.ref));
        if (lastError) return reject(fromPullError(new Error(lastError), image, engine.ref));
        resolve();
      },
      (p: PullProgress) => {
        clearTimeout(stall);
        stall = setTimeout(onStall, STALL_MS);
        if (p.error) {
          lastError = p.errorDetail?.message ?? p.error;
          return;
        }
        onEvent({
          type: "pull",
          status: p.status ?? "",
          ...(p.id ? { id: p.id } : {}),
          ...(p.progressDetail?.current !== undefined ? { current: p.progressDetail.current } : {}),
          ...(p.progressDetail?.total !== undefined ? { total: p.progressDetail.total } : {}),
        });
      },
    );
  });
}
