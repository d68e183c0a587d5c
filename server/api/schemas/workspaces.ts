/** Request schemas of the workspace routes; server/api/workspaces.ts derives the request types from them (see schemas/completion.ts). */
import { z } from "zod";
import { WORKSPACE_LIMITS as L, WORKSPACE_NAME_PATTERN } from "../workspaces";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "env names are letters, digits and _");
const envMap = z
  .record(envName, z.string().max(32_768))
  .refine((m) => Object.keys(m).length <= L.maxEnv, `at most ${L.maxEnv} env variables`);
const argv = z.array(z.string().max(32_768)).min(1, "must not be empty").max(L.maxCommandArgs);
const port = z.number().int().min(1).max(65535);
const path = z.string().min(1).max(4096);

export const PortSpecSchema = z.object({
  /** Port inside the container. */
  container: port,
  /** Port on 127.0.0.1 of the Docker host; omitted or 0 = any free port. */
  host: z.number().int().min(0).max(65535).optional(),
  protocol: z.enum(["tcp", "udp"]).optional(),
});

export const CreateWorkspaceRequestSchema = z.object({
  name: z
    .string()
    .regex(
      WORKSPACE_NAME_PATTERN,
      'name: lowercase letters, digits, "-", "_" or "." (up to 48), starting with a letter or digit',
    ),
  /** Template id (label only when `image` is given). */
  stack: z.string().min(1).max(64),
  /** Remote host id (see /api/workspace-hosts); omitted = the local engine. */
  host: z.string().min(1).max(48).optional(),
  /** Overrides the template's image; required for "custom". */
  image: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[^\s]+$/, "image must not contain spaces")
    .optional(),
  command: argv.optional(),
  env: envMap.optional(),
  ports: z.array(PortSpecSchema).max(L.maxPorts).optional(),
  limits: z
    .object({
      /** CPUs (fractions allowed), e.g. 1.5. */
      cpus: z
        .number({ error: "cpus must be a number" })
        .min(L.minCpus, `cpus must be at least ${L.minCpus}`)
        .max(L.maxCpus)
        .optional(),
      memoryMb: z
        .number()
        .int("memoryMb must be a whole number")
        .min(L.minMemoryMb, `memoryMb must be at least ${L.minMemoryMb}`)
        .max(L.maxMemoryMb)
        .optional(),
      /** Max processes/threads inside the container. */
      pids: z
        .number()
        .int("pids must be a whole number")
        .min(L.minPids, `pids must be at least ${L.minPids}`)
        .max(L.maxPids)
        .optional(),
    })
    .optional(),
  /** "bridge" (default: outbound allowed), "none" (no network) or another Docker network name. */
  network: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "network must be a Docker network name such as bridge or none")
    .optional(),
  /** "missing" (default): pull when the image is not local; "never": fail instead. */
  pull: z.enum(["missing", "never"]).optional(),
});

/** The body is optional; `removeVolume: false` (default) keeps the data volume for a later workspace of the same name. */
export const DeleteWorkspaceRequestSchema = z.object({ removeVolume: z.boolean().optional() }).optional();

export const ExecRequestSchema = z.object({
  /** argv, not a shell string: ["sh", "-c", "…"] when a shell is wanted. */
  cmd: argv,
  cwd: z.string().startsWith("/").max(4096).optional(),
  env: envMap.optional(),
  /** Default 60 s. On expiry the process is killed and `timedOut` is true. */
  timeoutMs: z.number().int().min(100).max(L.maxExecTimeoutMs).optional(),
  /** UTF-8 text written to the process's stdin, then closed. */
  stdin: z
    .string()
    .max(10 * 1024 * 1024)
    .optional(),
});

/** `path`: absolute path inside the container. */
export const FilePathRequestSchema = z.object({ path });

export const FileWriteRequestSchema = z.object({
  path,
  contentBase64: z.string().max(Math.ceil((L.maxFileBytes * 4) / 3) + 4),
  /** Default true. */
  create: z.boolean().optional(),
  /** Default true. */
  overwrite: z.boolean().optional(),
});

export const FileDeleteRequestSchema = z.object({ path, recursive: z.boolean().optional() });

export const FileRenameRequestSchema = z.object({ from: path, to: path, overwrite: z.boolean().optional() });

export const WorkspaceHostInputSchema = z.object({
  host: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9.:_-]+$/, "host must be a host name or address"),
  port: port.optional(),
  username: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, "username has invalid characters"),
  /** Path of the private key file on the backend's machine (its content is never stored). */
  privateKeyPath: path,
  /** The server's host key, `SHA256:…` as `ssh-keygen -lf` prints it. A mismatch is refused. */
  hostFingerprint: z
    .string()
    .regex(
      /^SHA256:[A-Za-z0-9+/]{43}$/,
      "hostFingerprint must be SHA256:<43 base64 characters>, as `ssh-keygen -lf` prints it",
    ),
});

export const ProbeHostKeyRequestSchema = z.object({ host: WorkspaceHostInputSchema.shape.host, port: port.optional() });
