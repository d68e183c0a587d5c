/**
 * Docker, registry and SSH failures turned into AppErrors a user can act on. Docker's own
 * messages are kept in the text (they name the image or the limit), but the code and the
 * hint come from here, so clients never parse Docker's wording.
 */
import { AppError } from "../errors";

interface DockerishError {
  code?: string;
  statusCode?: number;
  reason?: string;
  message?: string;
  level?: string;
  json?: { message?: string } | null;
}

/** Docker's own explanation, without docker-modem's "(HTTP code 409) conflict - " prefix. */
export function dockerMessage(err: unknown): string {
  const e = (err ?? {}) as DockerishError;
  const fromJson = e.json && typeof e.json === "object" ? e.json.message : undefined;
  const raw = fromJson ?? e.message ?? String(err);
  return raw.replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/, "").trim();
}

const REGISTRY_DOWN =
  /dial tcp|lookup .* (no such host|server misbehaving)|i\/o timeout|network is unreachable|connection refused|TLS handshake timeout|Client\.Timeout|context deadline exceeded|no route to host/i;
const IMAGE_MISSING = /manifest unknown|not found|pull access denied|repository does not exist|no such image/i;

/** Where the engine is, for messages ("unix:///var/run/docker.sock" or "ssh://user@host:22"). */
export interface EngineRef {
  where: string;
  remote: boolean;
}

export function engineUnavailable(ref: EngineRef, detail: string): AppError {
  return new AppError(
    "DOCKER_UNAVAILABLE",
    `Docker Engine is not reachable at ${ref.where} (${detail}).`,
    ref.remote
      ? "Check that Docker runs on the remote host and that its user may use it."
      : "Start Docker (e.g. `sudo systemctl start docker` or Docker Desktop), or set DOCKER_HOST to a running engine.",
  );
}

/** Any error from a Docker call (connection, HTTP status, SSH) as an AppError. */
export function fromDockerError(err: unknown, ref: EngineRef, what?: string): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as DockerishError;
  const msg = dockerMessage(err);
  // ssh2 failures (remote engines)
  if (ref.remote) {
    if (/verification failed|host denied/i.test(msg)) {
      return new AppError(
        "WORKSPACE_HOST_KEY_REJECTED",
        `The SSH host key of ${ref.where} does not match the pinned fingerprint; the connection was refused.`,
        "If the host was reinstalled, verify its new key out of band and update the host's fingerprint.",
      );
    }
    if (e.level === "client-authentication") {
      return new AppError(
        "WORKSPACE_HOST_UNREACHABLE",
        `SSH authentication to ${ref.where} failed.`,
        "Check the user name and that the private key is authorized on the host.",
      );
    }
    if (
      e.level === "client-timeout" ||
      e.level === "client-socket" ||
      /Timed out while waiting for handshake/i.test(msg)
    ) {
      return new AppError(
        "WORKSPACE_HOST_UNREACHABLE",
        `Cannot reach ${ref.where} over SSH (${msg}).`,
        "Check the host name, port and network.",
      );
    }
  }
  switch (e.code) {
    case "ENOENT":
    case "ECONNREFUSED":
    case "ECONNRESET":
    case "EPIPE":
      return engineUnavailable(ref, e.code === "ENOENT" ? "no socket" : "nothing listens");
    case "EACCES":
    case "EPERM":
      return new AppError(
        "DOCKER_PERMISSION_DENIED",
        `Permission denied on the Docker socket at ${ref.where}.`,
        'Add your user to the "docker" group (`sudo usermod -aG docker $USER`, then log in again), or point DOCKER_HOST at an engine you may use.',
      );
    case "ETIMEDOUT":
      return new AppError(
        "DOCKER_TIMEOUT",
        `Docker at ${ref.where} did not answer in time.`,
        "The engine may be overloaded or hung; check `docker info`.",
      );
    default:
      break;
  }
  if (ref.remote && /dial-stdio|command not found|exit code 127/i.test(msg)) {
    return new AppError(
      "DOCKER_UNAVAILABLE",
      `The remote host ${ref.where} has no usable docker CLI (${msg}).`,
      "Install Docker on the remote host; the connection runs `docker system dial-stdio` there.",
    );
  }
  if (/Range of CPUs|Minimum memory limit|memory limit|NanoCPUs|pids[- ]limit|cpu.*(quota|shares)/i.test(msg)) {
    return new AppError(
      "INVALID_LIMITS",
      `Docker refused the resource limits: ${msg}.`,
      "Lower the CPU or memory limit to what the Docker host has.",
    );
  }
  if (/port is already allocated|address already in use|bind for .* failed/i.test(msg)) {
    return new AppError(
      "PORT_UNAVAILABLE",
      `A requested host port is taken: ${msg}.`,
      "Choose another host port, or leave it empty to get a free one.",
    );
  }
  if (/is not running|is paused|is restarting/i.test(msg)) {
    return new AppError(
      "WORKSPACE_NOT_RUNNING",
      `The workspace is not running (${msg}).`,
      "Start the workspace first.",
    );
  }
  if (e.statusCode === 409 && /is already in use|Conflict/i.test(msg)) {
    return new AppError(
      "WORKSPACE_NAME_TAKEN",
      `The name is already in use on this Docker host: ${msg}.`,
      "Choose another workspace name, or delete the existing one.",
    );
  }
  if (e.statusCode === 404 && /no such image/i.test(msg)) {
    return new AppError(
      "IMAGE_NOT_FOUND",
      `Image not found: ${msg}.`,
      "Pull or build the image on the Docker host, or choose another image.",
    );
  }
  const prefix = what ? `${what}: ` : "";
  return new AppError("DOCKER_ERROR", `${prefix}Docker answered: ${msg}`, "See the backend log for details.");
}

/** A failed pull: no registry reachable, or the image does not exist there. */
export function fromPullError(err: unknown, image: string, ref: EngineRef): AppError {
  if (err instanceof AppError) return err;
  const msg = dockerMessage(err);
  const e = (err ?? {}) as DockerishError;
  if (e.code !== undefined && e.statusCode === undefined) return fromDockerError(err, ref);
  if (REGISTRY_DOWN.test(msg)) {
    return new AppError(
      "REGISTRY_UNREACHABLE",
      `Image ${image} is not on ${ref.remote ? ref.where : "this machine"} and no registry is reachable to pull it (${msg}).`,
      "Work with a local image (pick one from `docker images`, or import/build one), or connect to the network and retry.",
    );
  }
  if (IMAGE_MISSING.test(msg)) {
    return new AppError(
      "IMAGE_NOT_FOUND",
      `Image ${image} was not found in its registry (${msg}).`,
      "Check the image name and tag, or log in to the registry if it is private.",
    );
  }
  return new AppError("DOCKER_ERROR", `Pulling ${image} failed: ${msg}`, "See the backend log for details.");
}
