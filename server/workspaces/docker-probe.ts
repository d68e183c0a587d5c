/** Is a Docker Engine reachable? Used by `/ready`; never hangs longer than `timeoutMs`. */
import Docker from "dockerode";
import type { ComponentCheck } from "../api/health";

export async function probeDocker(timeoutMs = 1500): Promise<ComponentCheck> {
  const started = Date.now();
  const docker = new Docker();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([docker.ping(), timeout]);
    const v = await Promise.race([docker.version(), timeout]);
    return { ok: true, reason: `Docker Engine ${v.Version} (API ${v.ApiVersion})`, latencyMs: Date.now() - started };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const where = process.env.DOCKER_HOST ?? "/var/run/docker.sock";
    let reason = `Docker Engine not reachable at ${where}: ${e.message}`;
    let code: ComponentCheck["code"] = "DOCKER_UNAVAILABLE";
    if (e.code === "ENOENT" || e.code === "ECONNREFUSED")
      reason = `Docker Engine is not running (nothing listens at ${where}).`;
    if (e.code === "EACCES" || e.code === "EPERM") {
      reason = `Permission denied on ${where}: add your user to the "docker" group.`;
      code = "DOCKER_PERMISSION_DENIED";
    }
    if (/no answer within/.test(e.message)) code = "DOCKER_TIMEOUT";
    return { ok: false, reason, latencyMs: Date.now() - started, code };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
