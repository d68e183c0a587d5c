/**
 * Scratch containers and the rig's SSH host for integration suites that work on "any container on any host"
 * (command gateway, container operations, terminals, host credentials, host tasks). One place for the
 * create/remove dance so each suite says only which containers it needs and what they run.
 */
import Docker from "dockerode";
import type { InfraEnv } from "../../fixtures/infra-env";
import type { Backend } from "./backend";

export interface ScratchContainer {
  name: string;
  /** Run by `sh -c` unless `entrypoint` says otherwise. */
  script: string;
  env?: string[];
  /** e.g. ["/bin/busybox", "sh", "-c"] for an image whose `sh` the script removes. */
  entrypoint?: string[];
}

/** Removes the named containers if they exist (a crashed earlier run may have left them). */
export async function removeContainers(docker: Docker, names: readonly string[]): Promise<void> {
  for (const name of names)
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
}

/** Replaces any leftovers of the same names, then creates and starts each container (no network, with an init). */
export async function startContainers(
  docker: Docker,
  image: string,
  specs: readonly ScratchContainer[],
): Promise<void> {
  await removeContainers(
    docker,
    specs.map((s) => s.name),
  );
  for (const s of specs) {
    const c = await docker.createContainer({
      name: s.name,
      Image: image,
      ...(s.entrypoint ? { Entrypoint: s.entrypoint, Cmd: [s.script] } : { Cmd: ["sh", "-c", s.script] }),
      ...(s.env ? { Env: s.env } : {}),
      HostConfig: { Init: true, NetworkMode: "none" },
    });
    await c.start();
  }
}

/**
 * Registers the rig's sshd as host `id` with the client key; pinned to its host key unless `pinned` is false
 * (then nothing vouches for the key and connecting must fail).
 */
export function addKeyHost(b: Backend, env: InfraEnv, id: string, pinned = true) {
  return b.call("POST", "/api/hosts", {
    id,
    host: env.ssh.host,
    port: env.ssh.port,
    user: env.ssh.user,
    auth: { kind: "key", privateKeyPath: env.ssh.keyPath },
    ...(pinned ? { hostFingerprint: env.ssh.hostFingerprint } : {}),
  });
}
